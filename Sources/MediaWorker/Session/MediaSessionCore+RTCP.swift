import MediaCore
import MediaQuality
import Timebase

/// RTCP: demultiplexing, the peer's reports in, ours out (RFC 3550 intervals through `RTCPSession`), BYE.
extension MediaSessionCore {
    /// RFC 5761 §4: with rtcp-mux, a second byte of 192-223 (payload types 64-95 with the marker bit) is RTCP.
    public static func looksLikeRTCP(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 8 && bytes[0] >> 6 == 2 && (192...223).contains(bytes[1])
    }

    /// The wall clock at `now`, extrapolated from the pair the adapter gave at the latest tick (both clocks run at
    /// the same rate; the pair is at most 20 ms old).
    func wallClock(at now: MonotonicTime) -> NTPTimestamp {
        wallClock.ntp.advanced(byNanoseconds: now.nanoseconds &- wallClock.monotonic)
    }

    /// A compound RTCP datagram from the peer (counted even before `start`; applied once the RTCP session exists).
    mutating func receiveRTCP(_ bytes: UnsafeRawBufferPointer, now: MonotonicTime, into actions: inout MediaActions) {
        counters.rtcpReceived += 1
        let ntp = wallClock(at: now)
        let outputs = try? rtcpSession?.didReceiveRTCP(bytes, arrival: now.nanoseconds, ntpNow: ntp)
        for case .send(let packet) in outputs ?? [] { sendRTCP(packet, into: &actions) }
    }

    /// Our report when the RTCP timer is due.
    mutating func reportIfDue(now: MonotonicTime, into actions: inout MediaActions) {
        guard let due = rtcpSession?.nextReportTime, now.nanoseconds >= due,
              let outputs = rtcpSession?.advance(now: now.nanoseconds, ntpNow: wallClock.ntp) else { return }
        for case .send(let packet) in outputs { sendRTCP(packet, into: &actions) }
    }

    /// RTCP goes to the peer's RTCP port from ours, or over the RTP socket with rtcp-mux (RFC 5761).
    mutating func sendRTCP(_ packet: [UInt8], into actions: inout MediaActions) {
        guard let spec else { return }
        let socket: MediaSocket = spec.rtcpMux ? .rtp : .rtcp
        guard let destination = spec.rtcpMux ? remoteRTP : remoteRTCP else { return }
        counters.rtcpSent += 1
        actions.appendPacket(socket, to: destination, bytes: packet)
    }
}
