/// A point in time for SIP timers, in nanoseconds from an arbitrary origin.
///
/// Pure protocol code (transactions, registration refresh, dialogs) takes the current time as an
/// argument instead of reading a clock, so tests drive it with a virtual clock and never sleep.
/// The runtime feeds it from the monotonic clock.
public struct SIPTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
    public static func milliseconds(_ ms: Int64) -> SIPTime { SIPTime(nanoseconds: ms * 1_000_000) }
    public static let zero = SIPTime(nanoseconds: 0)

    public static func < (a: SIPTime, b: SIPTime) -> Bool { a.nanoseconds < b.nanoseconds }
    public static func + (t: SIPTime, d: Duration) -> SIPTime { SIPTime(nanoseconds: t.nanoseconds + d.sipNanoseconds) }
    public static func - (a: SIPTime, b: SIPTime) -> Duration { .nanoseconds(a.nanoseconds - b.nanoseconds) }
    public var description: String { "\(Double(nanoseconds) / 1e9)s" }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating; SIP timers are far below the limit).
    public var sipNanoseconds: Int64 {
        let (s, atto) = components
        return s * 1_000_000_000 + atto / 1_000_000_000
    }
}
