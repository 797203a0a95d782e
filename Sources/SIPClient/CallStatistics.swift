import Wire

/// A call's media figures, as its media worker measures them (`media.stats` every second, `call_stats` on
/// request, `media.stopped` at the end): what was sent and received, loss, jitter, round trip and the E-model MOS.
public struct CallStatistics: Sendable, Equatable {
    /// The call these figures belong to.
    public var callID: String
    /// Negotiated codec (`PCMU`, `PCMA`), once media started.
    public var codec: String?
    /// RTP packets sent to the peer.
    public var packetsSent: Int
    /// RTP packets received from the peer.
    public var packetsReceived: Int
    /// RTP packets that never arrived (RFC 3550 cumulative loss).
    public var packetsLost: Int
    /// Received-side loss in percent.
    public var lossPercent: Double
    /// RFC 3550 interarrival jitter in milliseconds.
    public var jitterMilliseconds: Double
    /// Round-trip time from RTCP, once both sides exchanged reports.
    public var roundTripMilliseconds: Double?
    /// Estimated mean opinion score (ITU-T G.107 E-model, 1-4.5): about 4.4 is a clean G.711 call.
    public var mos: Double?
    /// The E-model's transmission rating R behind the MOS.
    public var rFactor: Double?
    /// Current playout delay of the jitter buffer.
    public var jitterBufferDelayMilliseconds: Double?
    /// Audio synthesised by packet loss concealment.
    public var concealedMilliseconds: Double?
    /// Loss and jitter the peer reports about our stream (RTCP receiver reports).
    public var remoteLossPercent: Double?
    /// Jitter the peer measures on our stream, in milliseconds.
    public var remoteJitterMilliseconds: Double?
    /// DTMF digits sent (RFC 4733).
    public var dtmfSent: Int
    /// DTMF digits received (RFC 4733).
    public var dtmfReceived: Int
    /// Every field the worker sent, including ones this version does not model.
    public var raw: [String: EventValue]

    init(callID: String, codec: String? = nil, packetsSent: Int = 0, packetsReceived: Int = 0, packetsLost: Int = 0,
         lossPercent: Double = 0, jitterMilliseconds: Double = 0, roundTripMilliseconds: Double? = nil, mos: Double? = nil,
         rFactor: Double? = nil, jitterBufferDelayMilliseconds: Double? = nil, concealedMilliseconds: Double? = nil,
         remoteLossPercent: Double? = nil, remoteJitterMilliseconds: Double? = nil, dtmfSent: Int = 0, dtmfReceived: Int = 0,
         raw: [String: JSONValue]) {
        self.callID = callID
        self.codec = codec
        self.packetsSent = packetsSent
        self.packetsReceived = packetsReceived
        self.packetsLost = packetsLost
        self.lossPercent = lossPercent
        self.jitterMilliseconds = jitterMilliseconds
        self.roundTripMilliseconds = roundTripMilliseconds
        self.mos = mos
        self.rFactor = rFactor
        self.jitterBufferDelayMilliseconds = jitterBufferDelayMilliseconds
        self.concealedMilliseconds = concealedMilliseconds
        self.remoteLossPercent = remoteLossPercent
        self.remoteJitterMilliseconds = remoteJitterMilliseconds
        self.dtmfSent = dtmfSent
        self.dtmfReceived = dtmfReceived
        // The publishing component (`source`, added by orch) is the event's, not one of the figures.
        self.raw = raw.filter { $0.key != "source" }
    }

    /// The worker's figures (`media.stats`, `media.stopped`, `call_stats`); `raw` is the JSON they came as.
    init(_ stats: MediaStats, raw: [String: JSONValue]) {
        self.init(callID: stats.call.rawValue, codec: stats.codec?.rawValue, packetsSent: Int(clamping: stats.packetsSent),
                  packetsReceived: stats.packetsReceived, packetsLost: stats.packetsLost, lossPercent: stats.lossPct,
                  jitterMilliseconds: stats.jitterMs, roundTripMilliseconds: stats.rttMs, mos: stats.mos, rFactor: stats.rFactor,
                  jitterBufferDelayMilliseconds: stats.jbDelayMs, concealedMilliseconds: stats.concealedMs,
                  remoteLossPercent: stats.remoteLossPct, remoteJitterMilliseconds: stats.remoteJitterMs,
                  dtmfSent: stats.dtmfSent, dtmfReceived: stats.dtmfReceived, raw: raw)
    }

    /// A flow that started or changed (`media.started`, `media.updated`): the codec, counters still zero.
    init(_ flow: MediaFlow, raw: [String: JSONValue]) {
        self.init(callID: flow.call.rawValue, codec: flow.codec.rawValue, raw: raw)
    }

    /// The final figures orch reports (`call.quality`); those the worker did not report are zero or nil.
    init(_ quality: CallQualityEvent, raw: [String: JSONValue]) {
        self.init(callID: quality.call.rawValue, codec: quality.codec, packetsSent: quality.packetsSent ?? 0,
                  packetsReceived: quality.packetsReceived ?? 0, packetsLost: quality.packetsLost ?? 0,
                  lossPercent: quality.lossPct ?? 0, jitterMilliseconds: quality.jitterMs ?? 0, roundTripMilliseconds: quality.rttMs,
                  mos: quality.mos, rFactor: quality.rFactor, concealedMilliseconds: quality.concealedMs,
                  remoteLossPercent: quality.remoteLossPct, remoteJitterMilliseconds: quality.remoteJitterMs, raw: raw)
    }
}

/// How a call sounded, reported once when its media ends (`call.quality`): the figures a call-centre dashboard
/// or a support ticket wants.
public struct CallQualityReport: Sendable, Equatable {
    /// The call reported on.
    public var callID: String
    /// Estimated mean opinion score (1-4.5), nil if no media arrived.
    public var mos: Double?
    /// Final interarrival jitter in milliseconds.
    public var jitterMilliseconds: Double
    /// Final received-side loss in percent.
    public var lossPercent: Double
    /// How long the call was answered, when the instance knew it.
    public var duration: Duration?
    /// The peer's URI, when the instance knew it.
    public var remote: String?
    /// All final figures.
    public var statistics: CallStatistics

    /// From `call.quality`; `raw` is its data.
    init(_ quality: CallQualityEvent, raw: [String: JSONValue]) {
        self.init(CallStatistics(quality, raw: raw))
        duration = quality.durationS.map { .milliseconds(Int64(($0 * 1000).rounded())) }
        remote = quality.remote
    }

    init(_ statistics: CallStatistics) {
        callID = statistics.callID
        mos = statistics.packetsReceived > 0 ? statistics.mos : nil
        jitterMilliseconds = statistics.jitterMilliseconds
        lossPercent = statistics.lossPercent
        self.statistics = statistics
    }
}
