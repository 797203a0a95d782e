import Foundation
import JitterBuffer
import MediaCore
import MediaQuality
import NIOCore
import Timebase
import Wire

/// One call's media in a worker: its RTP and RTCP sockets, the sending and receiving state, DTMF and counters.
/// Confined to the engine's event loop (every method runs there), so it needs no locks.
public final class MediaSession {
    public let call: String
    let localPort: Int
    var rtp: (any Channel)?
    var rtcp: (any Channel)?
    public internal(set) var spec: MediaStartSpec?
    var remoteRTP: SocketAddress?
    var remoteRTCP: SocketAddress?
    var latched = false
    /// A source other than the SDP's, and how many consecutive valid packets it sent (latching needs three).
    var latchCandidate: (source: SocketAddress, count: Int)?
    var packetizer = RTPPacketizer()
    var receiveStatistics = RTPReceiveStatistics()
    var remoteSSRC: UInt32?
    var lastFromRemoteSSRC: UInt64 = 0
    var playout = AdaptiveJitterBuffer()
    var playoutFrame = [Int16](repeating: 0, count: 160)
    var rtcpSession: RTCPSession?
    var dtmfSender = TelephoneEventSender()
    var dtmfQueue: [(DTMFEvent, UInt32)] = []
    var dtmfGapUntil: UInt64 = 0
    var dtmfReceiver = TelephoneEventReceiver()
    /// Frames to send, oldest first: a few frames of slack absorb the jitter between the capture side's clock
    /// and our tick; beyond `captureDepth` the oldest is dropped (stale audio is worse than a gap).
    var captureQueue: [(samples: [Int16], origin: UInt64)] = []
    /// Arrival of recent packets (the origin stamps of played frames), and the stamp of the frame played this tick.
    var arrivals = PacketArrivals()
    var playoutOrigin: UInt64 = 0
    /// A captured frame's origin stamp (its device read in sip-audio) to its RTP packet's write: issue 9 (e), uplink.
    var audioToRTP = LatencyWindow(size: 100)
    /// Loaded while `spec.holdMusic` names a file; its frames replace the captured ones.
    var holdMusic: HoldMusic?
    /// The call's recording while one runs (`media.record`), and the frame sent this tick (what it records of us).
    var recorder: CallRecorder?
    var lastSent: [Int16] = []
    static let captureDepth = 4
    /// The smallest capture backlog left after a tick, over the current window of ticks: a standing backlog is
    /// latency that buys nothing (sip-audio's clock and ours are in step), so one frame of it goes per window.
    var captureMinBacklog = Int.max
    var captureWindowTicks = 0
    static let captureBacklogWindow = 50
    /// When a client last injected a frame for this call (monotonic ns); the microphone is ignored meanwhile.
    var lastInjected: UInt64?
    static let injectionHold: UInt64 = 200_000_000
    var pending: [Int16] = []
    public internal(set) var playbackSequence: UInt32 = 0
    public internal(set) var playbackTimestamp: UInt64 = 0
    var lastStatsAt: UInt64 = 0
    var created: UInt64
    var counters = Counters()

    struct Counters {
        var packetsReceived = 0
        var bytesReceived = 0
        var malformed = 0
        var wrongPayloadType = 0
        var wrongSource = 0
        var rtcpReceived = 0
        var rtcpSent = 0
        var dtmfReceived = 0
        var dtmfSent = 0
        var framesPlayed = 0
        var framesSilent = 0
        var framesCaptured = 0
    }

    init(call: String, localPort: Int, now: UInt64, jitterBuffer: JitterBufferConfiguration = JitterBufferConfiguration()) {
        playout = AdaptiveJitterBuffer(configuration: jitterBuffer)
        self.call = call
        self.localPort = localPort
        self.created = now
    }

    var isStarted: Bool { spec != nil }

    func stats() -> MediaStats {
        let expected = receiveStatistics.expectedCount
        let lost = max(0, receiveStatistics.cumulativeLost)
        let lossPct = expected > 0 ? Double(lost) * 100 / Double(expected) : 0
        let jb = playout.stats
        let remote = rtcpSession?.statistics.primaryRemote
        let rtt = remote?.smoothedRoundTripTimeMilliseconds ?? remote?.roundTripTimeMilliseconds
        // E-model (G.107): G.711 with concealment; mouth-to-ear delay = packetization (20 ms) + jitter buffer +
        // half the round trip (or 20 ms of network when no RTCP round trip is known yet).
        let oneWay = 20 + jb.currentDelayMs + (rtt.map { $0 / 2 } ?? 20)
        let model = EModel(codec: .g711WithPLC, packetLossPercent: lossPct, oneWayDelayMilliseconds: oneWay)
        var o = MediaStats(call: CallID(call), localPort: UInt16(clamping: localPort),
                           rtpState: packetizer.state(at: MonotonicClock.now().unsignedNanoseconds).wire)
        o.packetsSent = packetizer.packetsSent
        o.bytesSent = packetizer.payloadBytesSent
        o.packetsReceived = counters.packetsReceived
        o.bytesReceived = counters.bytesReceived
        o.packetsLost = Int(lost)
        o.lossPct = (lossPct * 100).rounded() / 100
        o.jitterMs = (Double(receiveStatistics.jitter) / 8.0 * 100).rounded() / 100
        o.late = jb.late
        o.discarded = jb.discardedFrames + jb.duplicates
        o.malformed = counters.malformed
        o.wrongPayloadType = counters.wrongPayloadType
        o.wrongSource = counters.wrongSource
        o.rtcpReceived = counters.rtcpReceived
        o.rtcpSent = counters.rtcpSent
        o.dtmfReceived = counters.dtmfReceived
        o.dtmfSent = counters.dtmfSent
        o.framesPlayed = counters.framesPlayed
        o.framesSilent = counters.framesSilent
        o.jbDelayMs = jb.currentDelayMs.rounded()
        o.jbTargetMs = jb.targetDelayMs.rounded()
        o.concealedMs = jb.concealedMs.rounded()
        o.rFactor = (model.rFactor * 10).rounded() / 10
        o.mos = (model.mos * 100).rounded() / 100
        if let p = audioToRTP.summary()?.rounded { o.audioToRTPMs = MediaStats.Latency(p50: p.p50, p99: p.p99) }
        if let rtt { o.rttMs = (rtt * 10).rounded() / 10 }
        if let reception = remote?.remoteReception {
            o.remoteLossPct = reception.fractionLostPercent
            o.remoteJitterMs = reception.jitterMilliseconds
        }
        if let spec {
            o.direction = spec.direction
            o.codec = spec.codec
            o.remote = "\(remoteRTP?.ipAddress ?? spec.remoteHost):\(remoteRTP?.port ?? spec.remotePort)"
        }
        return o
    }
}
