#if canImport(Glibc)
import Glibc
#endif

/// A point on the monotonic clock, in nanoseconds. State machines take it as a parameter (`now:`) instead of
/// reading a clock, so tests drive them with a virtual clock.
public struct MonotonicTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    public static func seconds(_ s: Double) -> MonotonicTime { MonotonicTime(nanoseconds: UInt64(max(0, s) * 1e9)) }

    public static var now: MonotonicTime {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return MonotonicTime(nanoseconds: UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec))
    }

    public static func < (a: MonotonicTime, b: MonotonicTime) -> Bool { a.nanoseconds < b.nanoseconds }

    public static func + (t: MonotonicTime, d: Duration) -> MonotonicTime {
        MonotonicTime(nanoseconds: t.nanoseconds &+ d.nanosecondsClamped)
    }

    /// Time elapsed from `earlier` to `self` (zero if `earlier` is later).
    public func since(_ earlier: MonotonicTime) -> Duration {
        nanoseconds >= earlier.nanoseconds ? .nanoseconds(Int64(nanoseconds - earlier.nanoseconds)) : .zero
    }

    public var description: String { "t+\(Double(nanoseconds) / 1e9)s" }
}

extension Duration {
    /// Whole nanoseconds, clamped to zero for negative durations.
    public var nanosecondsClamped: UInt64 {
        let (s, attos) = components
        guard s >= 0 else { return 0 }
        return UInt64(s) * 1_000_000_000 + UInt64(attos / 1_000_000_000)
    }

    public var seconds: Double {
        let (s, attos) = components
        return Double(s) + Double(attos) / 1e18
    }

    public var milliseconds: Double { seconds * 1000 }
}
