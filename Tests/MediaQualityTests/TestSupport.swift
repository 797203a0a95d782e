import MediaCore
import MediaQuality

/// Shared helpers: sessions on a virtual clock, NTP from monotonic time, output decoding.
enum Fixture {
    static let millisecond: Int64 = 1_000_000
    static let second: Int64 = 1_000_000_000
    /// An arbitrary wall-clock origin (2024-01-01T00:00:00Z).
    static let baseNTP = NTPTimestamp(unixSeconds: 1_704_067_200)

    static func ntp(_ now: Int64, offset: Int64 = 0) -> NTPTimestamp {
        let total = now + offset
        let seconds = UInt64(total / second)
        return NTPTimestamp(
            rawValue: baseNTP.rawValue &+ (seconds << 32) &+ (UInt64(total % second) << 32) / 1_000_000_000)
    }

    static func session(
        ssrc: UInt32 = 0x1111_1111, cname: String = "alice@example.org", seed: UInt64 = 1, now: Int64 = 0,
        configure: (inout RTCPSession.Configuration) -> Void = { _ in }
    ) throws -> RTCPSession {
        var configuration = RTCPSession.Configuration(ssrc: ssrc, cname: cname)
        configure(&configuration)
        return try RTCPSession(configuration: configuration, now: now, random: SeededRandomNumberGenerator(seed: seed))
    }

    static func datagrams(_ outputs: [RTCPOutput]) -> [[UInt8]] {
        outputs.compactMap { if case .send(let bytes) = $0 { bytes } else { nil } }
    }

    /// Runs the timer until the next compound goes out; returns its time and bytes.
    static func nextReport(_ session: inout RTCPSession, limit: Int = 100) -> (time: Int64, bytes: [UInt8])? {
        for _ in 0..<limit {
            let now = session.nextReportTime
            if let bytes = datagrams(session.advance(now: now)).first { return (now, bytes) }
        }
        return nil
    }

    static func reportBlocks(_ compound: RTCPCompound) -> [RTCPReportBlock] {
        compound.packets.flatMap { packet -> [RTCPReportBlock] in
            switch packet {
            case .senderReport(let report): report.reports
            case .receiverReport(let report): report.reports
            default: []
            }
        }
    }

    static func cname(_ compound: RTCPCompound, of ssrc: UInt32) -> String? {
        for case .sourceDescription(let description) in compound.packets {
            if let chunk = description.chunks.first(where: { $0.source == ssrc }) { return chunk.cname }
        }
        return nil
    }
}
