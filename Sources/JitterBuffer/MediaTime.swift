/// A point on the receiver's monotonic clock, in nanoseconds.
///
/// The buffer never reads a clock: the adapter that owns the socket and the audio device stamps each packet
/// with its arrival time and passes the playout clock's time to every pull. Tests drive both with a virtual
/// clock, so every scenario is deterministic.
public struct MediaTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Nanoseconds since an arbitrary origin chosen by the caller (e.g. `CLOCK_MONOTONIC`).
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    public static let zero = MediaTime(nanoseconds: 0)

    public static func milliseconds(_ value: Int64) -> MediaTime {
        MediaTime(nanoseconds: value.multipliedReportingOverflow(by: 1_000_000).partialValue)
    }

    public static func < (lhs: MediaTime, rhs: MediaTime) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    public static func + (lhs: MediaTime, rhs: Duration) -> MediaTime {
        MediaTime(nanoseconds: lhs.nanoseconds.addingReportingOverflow(rhs.wholeNanoseconds).partialValue)
    }

    public static func - (lhs: MediaTime, rhs: Duration) -> MediaTime {
        MediaTime(nanoseconds: lhs.nanoseconds.subtractingReportingOverflow(rhs.wholeNanoseconds).partialValue)
    }

    public static func - (lhs: MediaTime, rhs: MediaTime) -> Duration {
        .nanoseconds(lhs.nanoseconds.subtractingReportingOverflow(rhs.nanoseconds).partialValue)
    }

    public static func += (lhs: inout MediaTime, rhs: Duration) {
        lhs = lhs + rhs
    }

    public var description: String {
        "\(Double(nanoseconds) / 1_000_000) ms"
    }

    /// The index of the sample period that contains this instant at `sampleRate`, floored.
    ///
    /// Split into whole seconds and the remainder so that `nanoseconds * sampleRate` cannot overflow
    /// for any clock origin.
    func sampleIndex(sampleRate: Int) -> Int64 {
        let perSecond: Int64 = 1_000_000_000
        var seconds = nanoseconds / perSecond
        var remainder = nanoseconds % perSecond
        if remainder < 0 {
            seconds -= 1
            remainder += perSecond
        }
        let rate = Int64(sampleRate)
        return seconds &* rate &+ (remainder * rate) / perSecond
    }
}

extension Duration {
    /// This duration in nanoseconds, saturated to the `Int64` range.
    var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflowSum) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflowSum { return seconds < 0 ? .min : .max }
        return sum
    }

    /// This duration as a whole number of samples at `sampleRate`, rounded down.
    func samples(at sampleRate: Int) -> Int {
        let nanos = wholeNanoseconds
        let value = MediaTime(nanoseconds: nanos).sampleIndex(sampleRate: sampleRate)
        return Int(clamping: value)
    }
}
