extension Duration {
    /// This duration in whole nanoseconds (rounded toward zero), saturated to the `Int64` range.
    public var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflowSum) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflowSum { return seconds < 0 ? .min : .max }
        return sum
    }

    /// Whole nanoseconds, clamped to zero for negative durations (and to `Int64.max` for huge ones).
    public var nanosecondsClamped: UInt64 { UInt64(clamping: wholeNanoseconds) }

    /// This duration in seconds.
    public var seconds: Double {
        let (s, attos) = components
        return Double(s) + Double(attos) / 1e18
    }

    /// This duration in milliseconds.
    public var milliseconds: Double { seconds * 1000 }
}
