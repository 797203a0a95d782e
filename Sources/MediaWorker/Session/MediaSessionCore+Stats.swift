import MediaQuality
import Timebase
import Wire

/// The session's counters and its figures as `media.stats` reports them (docs/PROTOCOL.md).
extension MediaSessionCore {
    struct Counters: Sendable {
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

    /// Frames that came to send (captured or injected, before the injection rule dropped any).
    public var framesCaptured: Int { counters.framesCaptured }

    /// Where the sending stream stands at `now` (`rtp_state`), loss, jitter, jitter buffer, RTCP and the E-model.
    public func stats(now: MonotonicTime) -> MediaStats {
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
        var o = MediaStats(call: call, localPort: UInt16(clamping: localPort),
                           rtpState: packetizer.state(at: now.unsignedNanoseconds).wire)
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
            o.remote = remoteText ?? "\(spec.remoteHost):\(spec.remotePort)"
        }
        return o
    }
}
