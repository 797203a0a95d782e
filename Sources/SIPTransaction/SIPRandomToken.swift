import SIPCore

/// Random tokens for branches and tags (RFC 3261 §8.1.1.7, §19.3: "cryptographically random",
/// at least 32 bits).
///
/// Why a generic generator parameter: production uses `SystemRandomNumberGenerator`; tests
/// inject a seeded one and get reproducible messages.
public enum SIPRandomToken: Sendable {
    /// Alphanumerics only: valid in a token, a branch and a tag, and safe in every header.
    static let alphabet: [UInt8] = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)

    /// `length` random alphanumerics (about 5.95 bits each).
    public static func make<G: RandomNumberGenerator>(length: Int = 20, using generator: inout G) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(max(length, 0))
        for _ in 0..<max(length, 0) {
            out.append(alphabet[Int.random(in: 0..<alphabet.count, using: &generator)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func make(length: Int = 20) -> String {
        var g = SystemRandomNumberGenerator()
        return make(length: length, using: &g)
    }
}

/// Via branch values (§8.1.1.7): the magic cookie plus a random token, unique per transaction.
public enum SIPBranch: Sendable {
    public static func make<G: RandomNumberGenerator>(using generator: inout G) -> String {
        SIPVia.magicCookie + SIPRandomToken.make(length: 20, using: &generator)
    }

    public static func make() -> String {
        var g = SystemRandomNumberGenerator()
        return make(using: &g)
    }
}

/// A small, fast, seedable generator (SplitMix64) that is a value and therefore `Sendable`.
///
/// Why: the transaction layer is a struct and needs its own source of To tags for the
/// responses it generates itself (482, 503). It is seeded from the system generator unless a
/// test passes a seed. Not for secrets; tags need uniqueness, not secrecy.
public struct SIPSplitMix64: RandomNumberGenerator, Sendable, Hashable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public init() {
        var system = SystemRandomNumberGenerator()
        state = system.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
