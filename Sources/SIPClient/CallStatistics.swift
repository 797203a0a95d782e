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

    /// Reads the worker's JSON; missing counters are zero.
    init(_ data: [String: JSONValue], callID fallback: String = "") {
        callID = data.string("call") ?? fallback
        codec = data.string("codec")
        packetsSent = data.int("packets_sent") ?? 0
        packetsReceived = data.int("packets_received") ?? 0
        packetsLost = data.int("packets_lost") ?? 0
        lossPercent = data.double("loss_pct") ?? 0
        jitterMilliseconds = data.double("jitter_ms") ?? 0
        roundTripMilliseconds = data.double("rtt_ms")
        mos = data.double("mos")
        rFactor = data.double("r_factor")
        jitterBufferDelayMilliseconds = data.double("jb_delay_ms")
        concealedMilliseconds = data.double("concealed_ms")
        remoteLossPercent = data.double("remote_loss_pct")
        remoteJitterMilliseconds = data.double("remote_jitter_ms")
        dtmfSent = data.int("dtmf_sent") ?? 0
        dtmfReceived = data.int("dtmf_received") ?? 0
        var raw = data
        raw["source"] = nil
        self.raw = raw
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

    /// From `call.quality` (or the same figures of `media.stopped`).
    init(_ data: [String: JSONValue]) {
        self.init(CallStatistics(data))
        duration = data.double("duration_s").map { .milliseconds(Int64(($0 * 1000).rounded())) }
        remote = data.string("remote")
    }

    init(_ statistics: CallStatistics) {
        callID = statistics.callID
        mos = statistics.packetsReceived > 0 ? statistics.mos : nil
        jitterMilliseconds = statistics.jitterMilliseconds
        lossPercent = statistics.lossPercent
        self.statistics = statistics
    }
}
