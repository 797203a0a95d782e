import JitterBuffer
import MediaCore
import MediaQuality
import Timebase
import Wire

/// One call's media in a worker, as a pure value: what arrives (`receive`), what the 20 ms clock does (`tick`) and
/// what orch asks (`start`, `sendDTMF`, `stop`) go in with the time; packets to send, frames to play, recording
/// frames and bus events come out in a `MediaActions` the adapter (`MediaEngine`) owns and performs.
///
/// It never reads a clock, touches a socket or allocates per packet in steady state, so tests drive it with a
/// virtual clock and byte arrays (Tests/MediaWorkerTests).
///
/// ```
///  receive ─► RTCP? ─► RTCPSession ──────────────► packets (RTCP)
///     │  RTP parse ─► source latching ─► SSRC change ─► telephone-event? ─► dtmf.received
///     │                                                     └─► stats ─► decode ─► jitter buffer
///  tick ──► jitter buffer pull ─► frame to play
///     ├──► capture ring (or hold music) ─► DTMF or G.711 ─► packet (RTP)
///     └──► recording frames, RTCP report timer, media.stats once a second
/// ```
///
/// The files: this one (state, start/update, stop), `+Receive` (the RTP receive path), `+Send` (the tick and the
/// send path), `+RTCP`, `+DTMF`, `+Stats`.
public struct MediaSessionCore: Sendable {
    public let call: CallID
    public let localPort: Int
    /// What orch's latest `media.start` asked for; nil until the first one (the ports are bound, nothing flows).
    public internal(set) var spec: MediaStartSpec?
    /// Where RTP goes: the SDP's address, or the source the session latched to.
    public internal(set) var remoteRTP: MediaAddress? {
        didSet { remoteText = remoteRTP?.description }
    }
    /// `remoteRTP` as `media.stats` reports it, made when it changes rather than once a second.
    var remoteText: String?
    public internal(set) var remoteRTCP: MediaAddress?
    /// Follow a source other than the SDP's (symmetric RTP, for NATed peers); see `+Receive`.
    public var latchToSource = true
    var latched = false
    /// A source other than the SDP's, and how many consecutive valid packets it sent (latching needs three).
    var latchCandidate: (source: MediaAddress, count: Int)?

    var packetizer: RTPPacketizer
    var receiveStatistics = RTPReceiveStatistics()
    var remoteSSRC: UInt32?
    var lastFromRemoteSSRC: UInt64 = 0
    var playout: AdaptiveJitterBuffer
    /// Arrival of recent packets: the origin stamps of played frames.
    var arrivals = PacketArrivals()
    public internal(set) var playbackSequence: UInt32 = 0
    public internal(set) var playbackTimestamp: UInt64 = 0

    var rtcpSession: RTCPSession?
    /// The latest (monotonic, wall clock) pair the adapter gave (`tick`): RTCP times between ticks extrapolate it.
    var wallClock: (monotonic: Int64, ntp: NTPTimestamp)

    var dtmfSender = TelephoneEventSender()
    var dtmfQueue: [(event: DTMFEvent, durationMs: UInt32)] = []
    var dtmfGapUntil: UInt64 = 0
    var dtmfReceiver = TelephoneEventReceiver()

    var capture = CaptureRing()
    /// When a client last injected a frame for this call (monotonic ns); the microphone is ignored meanwhile.
    var lastInjected: UInt64?
    static let injectionHold: UInt64 = 200_000_000
    /// Samples waiting for a packet longer than 20 ms (`ptime` 40 to 60).
    var pending: [Int16] = []
    /// Loaded while `spec.holdMusic` names a file; its frames replace the captured ones.
    public internal(set) var holdMusic: HoldMusic?
    /// Set while the adapter records the call: each tick then adds a `Recording` action.
    public var isRecording = false
    /// A captured frame's origin stamp (its device read in sip-audio) to its RTP packet's write: issue 9 (e), uplink.
    var audioToRTP = LatencyWindow(size: 100)
    var lastStatsAt: UInt64 = 0
    var counters = Counters()

    /// - Parameters:
    ///   - now, wallClock: the session's creation time on the monotonic clock and the wall clock (RTCP).
    ///   - packetizer: the sending stream (a random SSRC, sequence and timestamp by default).
    public init(call: CallID, localPort: Int, now: MonotonicTime, wallClock: NTPTimestamp,
                jitterBuffer: JitterBufferConfiguration = JitterBufferConfiguration(), packetizer: RTPPacketizer = RTPPacketizer()) {
        self.call = call
        self.localPort = localPort
        self.wallClock = (now.nanoseconds, wallClock)
        playout = AdaptiveJitterBuffer(configuration: jitterBuffer)
        self.packetizer = packetizer
    }

    public var isStarted: Bool { spec != nil }

    /// Starts the flow, or updates it in place (a re-INVITE: new address, hold, resume). `remote` and `remoteRTCP`
    /// are the spec's addresses, parsed by the caller (which refuses a spec whose host is not an IP address);
    /// `host` is this worker's media address, for the RTCP CNAME (`sip-rtp@host`) the first start sets.
    /// A new remote address forgets the latched source. Adds `media.started` or `media.updated`.
    public mutating func start(_ spec: MediaStartSpec, remote: MediaAddress, remoteRTCP: MediaAddress, host: String,
                               now: MonotonicTime, into actions: inout MediaActions) {
        let first = self.spec == nil
        if first, let state = spec.continuing {
            packetizer = RTPPacketizer(continuing: state, now: now.unsignedNanoseconds)
        }
        if rtcpSession == nil {
            rtcpSession = try? RTCPSession(configuration: RTCPSession.Configuration(ssrc: packetizer.ssrc, cname: "sip-rtp@\(host)"),
                                           now: now.nanoseconds)
        }
        let moved = self.spec.map { $0.remoteHost != spec.remoteHost || $0.remotePort != spec.remotePort } ?? true
        self.spec = spec
        if moved {
            remoteRTP = remote
            self.remoteRTCP = remoteRTCP
            latched = false
            latchCandidate = nil
        }
        let flow = MediaFlow(call: call, direction: spec.direction, remote: "\(spec.remoteHost):\(spec.remotePort)",
                             codec: spec.codec, localPort: UInt16(clamping: localPort))
        actions.appendEvent(first ? .started(flow) : .updated(flow))
    }

    /// The music sent instead of the captured audio while `spec.holdMusic` names a file (loaded by the adapter).
    public mutating func setHoldMusic(_ music: HoldMusic?) { holdMusic = music }

    /// Queues RFC 4733 digits to send, each `durationMs` long and 60 ms apart; refused before `start` or when the
    /// peer did not accept telephone-event.
    public mutating func sendDTMF(_ events: [DTMFEvent], durationMs: Int) -> Result<Int, MediaEngineError> {
        guard let spec else { return .failure(.noSession(call.rawValue)) }
        guard spec.telephoneEventPayloadType != nil else { return .failure(.noTelephoneEvent) }
        dtmfQueue += events.map { ($0, UInt32(clamping: durationMs)) }
        return .success(events.count)
    }

    /// Ends the session: an RTCP BYE if it was started, and `media.stopped` with the final figures (returned too).
    public mutating func stop(now: MonotonicTime, into actions: inout MediaActions) -> MediaStats {
        if isStarted, let bye = rtcpSession?.bye(now: now.nanoseconds) { sendRTCP(bye, into: &actions) }
        let final = stats(now: now)
        actions.appendEvent(.stopped(final))
        return final
    }
}
