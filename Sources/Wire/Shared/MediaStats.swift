/// One call's media figures as its worker reports them: the data of `media.stats` (every second) and `media.stopped`
/// (the final figures), and the result of `media.start`, `media.stats` and `media.release` (docs/PROTOCOL.md §4, §5).
/// orch follows the loss and keeps `rtpState`; the client library shows the rest.
///
/// Counters absent on the wire read as 0 (a worker of another version may lack one); the worker writes them all.
public struct MediaStats: WireObject, Hashable {
    /// A latency's median and 99th percentile in milliseconds (`{"p50","p99"}`).
    public struct Latency: WireObject, Hashable {
        public var p50: Double
        public var p99: Double

        public init(p50: Double, p99: Double) {
            self.p50 = p50
            self.p99 = p99
        }

        public init(from r: WireReader) throws(WireError) {
            p50 = try r("p50")
            p99 = try r("p99")
        }

        public func write(to w: inout WireWriter) {
            w("p50", p50)
            w("p99", p99)
        }
    }

    public var call: CallID
    /// The session's RTP port on the worker.
    public var localPort: UInt16
    public var packetsSent: UInt64 = 0
    /// Payload bytes.
    public var bytesSent: UInt64 = 0
    public var packetsReceived = 0
    public var bytesReceived = 0
    public var packetsLost = 0
    public var lossPct = 0.0
    public var jitterMs = 0.0
    /// Jitter buffer: packets too late to play, frames discarded (and duplicates).
    public var late = 0
    public var discarded = 0
    public var malformed = 0
    public var wrongPayloadType = 0
    public var wrongSource = 0
    public var rtcpReceived = 0
    public var rtcpSent = 0
    public var dtmfReceived = 0
    public var dtmfSent = 0
    public var framesPlayed = 0
    public var framesSilent = 0
    public var jbDelayMs = 0.0
    public var jbTargetMs = 0.0
    public var concealedMs = 0.0
    /// The E-model's (G.107) figures.
    public var rFactor = 0.0
    public var mos = 0.0
    /// A captured frame's way from its device read in sip-audio to its RTP packet (once frames carried origin stamps).
    public var audioToRTPMs: Latency?
    /// From RTCP, once the peer reported.
    public var rttMs: Double?
    /// Where the stream we send stands: a new worker continues it (`media.start` `rtp_state`).
    public var rtpState: RTPStreamState?
    /// The peer's view of our stream, from its RTCP receiver reports.
    public var remoteLossPct: Double?
    public var remoteJitterMs: Double?
    /// Once started: our direction, the codec and where the peer's RTP comes from (`host:port`).
    public var direction: RTPDirection?
    public var codec: CodecName?
    public var remote: String?

    public init(call: CallID, localPort: UInt16, rtpState: RTPStreamState? = nil) {
        self.call = call
        self.localPort = localPort
        self.rtpState = rtpState
    }

    public init(from r: WireReader) throws(WireError) {
        call = try r("call")
        localPort = try r("local_port")
        packetsSent = try r("packets_sent", default: 0)
        bytesSent = try r("bytes_sent", default: 0)
        packetsReceived = try r("packets_received", default: 0)
        bytesReceived = try r("bytes_received", default: 0)
        packetsLost = try r("packets_lost", default: 0)
        lossPct = try r("loss_pct", default: 0)
        jitterMs = try r("jitter_ms", default: 0)
        late = try r("late", default: 0)
        discarded = try r("discarded", default: 0)
        malformed = try r("malformed", default: 0)
        wrongPayloadType = try r("wrong_payload_type", default: 0)
        wrongSource = try r("wrong_source", default: 0)
        rtcpReceived = try r("rtcp_received", default: 0)
        rtcpSent = try r("rtcp_sent", default: 0)
        dtmfReceived = try r("dtmf_received", default: 0)
        dtmfSent = try r("dtmf_sent", default: 0)
        framesPlayed = try r("frames_played", default: 0)
        framesSilent = try r("frames_silent", default: 0)
        jbDelayMs = try r("jb_delay_ms", default: 0)
        jbTargetMs = try r("jb_target_ms", default: 0)
        concealedMs = try r("concealed_ms", default: 0)
        rFactor = try r("r_factor", default: 0)
        mos = try r("mos", default: 0)
        audioToRTPMs = try r.optional("audio_to_rtp_ms")
        rttMs = try r.optional("rtt_ms")
        rtpState = try r.optional("rtp_state")
        remoteLossPct = try r.optional("remote_loss_pct")
        remoteJitterMs = try r.optional("remote_jitter_ms")
        direction = try r.optional("direction")
        codec = try r.optional("codec")
        remote = try r.optional("remote")
    }

    public func write(to w: inout WireWriter) {
        w("call", call)
        w("local_port", localPort)
        w("packets_sent", packetsSent)
        w("bytes_sent", bytesSent)
        w("packets_received", packetsReceived)
        w("bytes_received", bytesReceived)
        w("packets_lost", packetsLost)
        w("loss_pct", lossPct)
        w("jitter_ms", jitterMs)
        w("late", late)
        w("discarded", discarded)
        w("malformed", malformed)
        w("wrong_payload_type", wrongPayloadType)
        w("wrong_source", wrongSource)
        w("rtcp_received", rtcpReceived)
        w("rtcp_sent", rtcpSent)
        w("dtmf_received", dtmfReceived)
        w("dtmf_sent", dtmfSent)
        w("frames_played", framesPlayed)
        w("frames_silent", framesSilent)
        w("jb_delay_ms", jbDelayMs)
        w("jb_target_ms", jbTargetMs)
        w("concealed_ms", concealedMs)
        w("r_factor", rFactor)
        w("mos", mos)
        w("audio_to_rtp_ms", audioToRTPMs)
        w("rtt_ms", rttMs)
        w("rtp_state", rtpState)
        w("remote_loss_pct", remoteLossPct)
        w("remote_jitter_ms", remoteJitterMs)
        w("direction", direction)
        w("codec", codec)
        w("remote", remote)
    }
}
