/// A 64-bit NTP timestamp (seconds since 1900-01-01 UTC, 32.32 fixed point)
/// as carried in RTCP sender reports (RFC 3550 §4, §6.4.1).
///
/// Why a separate type: LSR/DLSR and round-trip time use the "middle 32
/// bits" (16.16 fixed point) of this value, and getting the epoch and the
/// fraction scaling right once avoids subtle RTT errors elsewhere.
public struct NTPTimestamp: Sendable, Hashable, Comparable {
    public var seconds: UInt32
    public var fraction: UInt32

    /// Seconds between the NTP epoch (1900) and the Unix epoch (1970).
    public static let unixEpochOffset: UInt64 = 2_208_988_800

    public init(seconds: UInt32, fraction: UInt32) {
        self.seconds = seconds
        self.fraction = fraction
    }

    /// The 64-bit wire value (seconds in the high word).
    public init(rawValue: UInt64) {
        seconds = UInt32(truncatingIfNeeded: rawValue >> 32)
        fraction = UInt32(truncatingIfNeeded: rawValue)
    }

    public var rawValue: UInt64 { UInt64(seconds) << 32 | UInt64(fraction) }

    /// From wall-clock time since the Unix epoch. Seconds wrap modulo 2^32
    /// (NTP era rollover in 2036), which is what the wire format does too.
    /// `nanoseconds` values of 1e9 or more carry into the seconds.
    public init(unixSeconds: UInt64, nanoseconds: UInt32 = 0) {
        let carry = UInt64(nanoseconds / 1_000_000_000)
        let nanos = UInt64(nanoseconds % 1_000_000_000)
        seconds = UInt32(truncatingIfNeeded: unixSeconds &+ carry &+ Self.unixEpochOffset)
        // fraction = nanos * 2^32 / 1e9, exact in 64 bits since nanos < 2^30.
        fraction = UInt32(truncatingIfNeeded: (nanos << 32) / 1_000_000_000)
    }

    /// Nanoseconds of the fractional part (truncated).
    public var fractionNanoseconds: UInt32 {
        UInt32(truncatingIfNeeded: (UInt64(fraction) * 1_000_000_000) >> 32)
    }

    /// Middle 32 bits (16.16 fixed point), the form used for LSR and for
    /// the arrival time in round-trip computations.
    public var middle32: UInt32 { seconds << 16 | fraction >> 16 }

    /// This time moved by `nanoseconds` (either sign), modulo the NTP era.
    public func advanced(byNanoseconds nanoseconds: Int64) -> NTPTimestamp {
        let magnitude = nanoseconds.magnitude
        let seconds = magnitude / 1_000_000_000
        let remainder = magnitude % 1_000_000_000
        let units = (seconds &<< 32) &+ (remainder << 32) / 1_000_000_000
        return NTPTimestamp(rawValue: nanoseconds >= 0 ? rawValue &+ units : rawValue &- units)
    }

    public static func < (lhs: NTPTimestamp, rhs: NTPTimestamp) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Round-trip and delay arithmetic for RTCP reception reports (RFC 3550 §6.4.1).
///
/// All values are in units of 1/65536 s, the "short NTP" format of LSR/DLSR.
public enum RTCPTiming {
    /// Units of LSR, DLSR and the returned RTT per second.
    public static let unitsPerSecond: UInt32 = 65_536

    /// RTT = A - LSR - DLSR, where A is the middle 32 bits of the NTP time
    /// the report block arrived. Returns nil when the block carries no LSR
    /// (0 means "no SR received yet") or when clock skew would make the
    /// result negative. Arithmetic is modulo 2^32 so wrap-around is fine.
    public static func roundTripTime(
        arrival: UInt32, lastSenderReport: UInt32, delaySinceLastSenderReport: UInt32
    ) -> UInt32? {
        guard lastSenderReport != 0 else { return nil }
        let sinceReport = arrival &- lastSenderReport
        // Values in the top half of the 32-bit range mean A precedes LSR.
        guard sinceReport < 0x8000_0000, sinceReport >= delaySinceLastSenderReport else { return nil }
        return sinceReport - delaySinceLastSenderReport
    }

    /// Converts an elapsed time to DLSR units, saturating at UInt32.max.
    public static func shortUnits(nanoseconds: UInt64) -> UInt32 {
        let seconds = nanoseconds / 1_000_000_000
        let remainder = nanoseconds % 1_000_000_000
        let units = seconds.multipliedReportingOverflow(by: 65_536)
        guard !units.overflow else { return .max }
        let total = units.partialValue + (remainder << 16) / 1_000_000_000
        return total > UInt64(UInt32.max) ? .max : UInt32(total)
    }

    /// Converts a short-format value (RTT, DLSR) to nanoseconds.
    public static func nanoseconds(shortUnits: UInt32) -> UInt64 {
        (UInt64(shortUnits) * 1_000_000_000) >> 16
    }
}
