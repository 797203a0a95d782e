/// The random numbers pure SIP code needs (cnonces, tags, Call-IDs, retry jitter), as a value.
///
/// Why not `SystemRandomNumberGenerator` directly: state machines are values tested with a
/// virtual clock; a seeded or scripted source makes cnonces and backoff jitter reproducible.
/// Lives in SIPDigest only because it is the lowest module that needs it; SIPRegistration
/// reuses it.
public struct SIPRandomSource: RandomNumberGenerator, Sendable {
    enum Kind: Sendable {
        case system
        case splitMix(UInt64)
        case sequence([UInt64], Int)
    }
    var kind: Kind

    /// Cryptographically secure; the production choice.
    public static var system: SIPRandomSource { SIPRandomSource(kind: .system) }
    /// Deterministic pseudo-random numbers (SplitMix64) for tests.
    public static func seeded(_ seed: UInt64) -> SIPRandomSource { SIPRandomSource(kind: .splitMix(seed)) }
    /// Returns `values` in order, cycling; lets a test pin exact jitter (0 = minimum, `.max` = maximum).
    public static func sequence(_ values: [UInt64]) -> SIPRandomSource {
        SIPRandomSource(kind: .sequence(values.isEmpty ? [0] : values, 0))
    }

    public mutating func next() -> UInt64 {
        switch kind {
        case .system:
            var g = SystemRandomNumberGenerator()
            return g.next()
        case .splitMix(var s):
            s &+= 0x9E37_79B9_7F4A_7C15
            kind = .splitMix(s)
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        case .sequence(let values, let i):
            kind = .sequence(values, (i + 1) % values.count)
            return values[i]
        }
    }

    /// `2 * bytes` lowercase hex digits.
    public mutating func hex(bytes: Int) -> String {
        var out = ""
        var remaining = bytes
        while remaining > 0 {
            let v = next()
            let n = min(remaining, 8)
            for k in 0..<n {
                let b = UInt8(truncatingIfNeeded: v >> (8 * k))
                out += String(b >> 4, radix: 16) + String(b & 0x0F, radix: 16)
            }
            remaining -= n
        }
        return out
    }

    /// A fraction in [0, 1], where a scripted `0` gives 0 and `.max` gives 1.
    public mutating func fraction() -> Double {
        Double(next() >> 11) / Double((UInt64(1) << 53) - 1)
    }
}
