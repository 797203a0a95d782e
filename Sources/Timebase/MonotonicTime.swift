/// A point on a monotonic clock, in nanoseconds from an arbitrary origin: `CLOCK_MONOTONIC` for real time (see
/// ``MonotonicClock``), any origin a test likes for a virtual clock.
///
/// Pure code (SIP transactions and registrations, the jitter buffer, the supervisor) takes the time as an
/// argument (`now:`) and never reads a clock, so tests drive it with a virtual clock and never sleep.
///
/// Arithmetic never traps, whatever the input: adding a duration wraps like the old per-module time types did,
/// the difference of two times is exact (`Duration` holds any `Int64` difference) and ``since(_:)`` is never
/// negative.
public struct MonotonicTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Nanoseconds since the clock's origin.
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// A value that arrived as an unsigned nanosecond count (a PCM frame's origin stamp, `rtp_state.at_ns`):
    /// clamped to `Int64.max`, which `CLOCK_MONOTONIC` does not reach in 292 years of uptime.
    public init(unsignedNanoseconds: UInt64) { nanoseconds = Int64(clamping: unsignedNanoseconds) }

    public static let zero = MonotonicTime(nanoseconds: 0)

    public static func milliseconds(_ value: Int64) -> MonotonicTime {
        MonotonicTime(nanoseconds: value.multipliedReportingOverflow(by: 1_000_000).partialValue)
    }

    /// `s` seconds after the origin, clamped to the representable range (NaN is the origin).
    public static func seconds(_ s: Double) -> MonotonicTime {
        MonotonicTime(nanoseconds: Int64(saturating: s * 1e9))
    }

    /// The time as an unsigned nanosecond count, for wire fields that carry one (negative is 0).
    public var unsignedNanoseconds: UInt64 { UInt64(clamping: nanoseconds) }

    /// Time elapsed from `earlier` to `self` (zero if `earlier` is later).
    public func since(_ earlier: MonotonicTime) -> Duration {
        self > earlier ? self - earlier : .zero
    }

    public static func < (lhs: MonotonicTime, rhs: MonotonicTime) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    public static func + (lhs: MonotonicTime, rhs: Duration) -> MonotonicTime {
        MonotonicTime(nanoseconds: lhs.nanoseconds.addingReportingOverflow(rhs.wholeNanoseconds).partialValue)
    }

    public static func - (lhs: MonotonicTime, rhs: Duration) -> MonotonicTime {
        MonotonicTime(nanoseconds: lhs.nanoseconds.subtractingReportingOverflow(rhs.wholeNanoseconds).partialValue)
    }

    public static func += (lhs: inout MonotonicTime, rhs: Duration) { lhs = lhs + rhs }

    public static func -= (lhs: inout MonotonicTime, rhs: Duration) { lhs = lhs - rhs }

    /// The signed time from `rhs` to `lhs`, exact for any two values.
    public static func - (lhs: MonotonicTime, rhs: MonotonicTime) -> Duration {
        .nanoseconds(lhs.nanoseconds) - .nanoseconds(rhs.nanoseconds)
    }

    public var description: String { "t+\(Double(nanoseconds) / 1e9)s" }
}

extension Int64 {
    /// `value` rounded toward zero, clamped to the `Int64` range; NaN is 0.
    init(saturating value: Double) {
        if value.isNaN {
            self = 0
        } else if value >= 9.223_372_036_854_775_807e18 {
            self = .max
        } else if value <= -9.223_372_036_854_775_808e18 {
            self = .min
        } else {
            self = Int64(value)
        }
    }
}
