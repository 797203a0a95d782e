import Crypto

/// A digest algorithm of RFC 7616 §3.1 / RFC 2617 §3.2.1: the hash, and whether it is a
/// `-sess` variant (HA1 bound to the nonce and cnonce).
///
/// Why a struct and not an enum: the set may grow (SHA-512-256) without breaking switches.
public struct SIPDigestAlgorithm: Sendable, Hashable, CustomStringConvertible {
    enum Hash: Sendable, Hashable { case md5, sha256 }
    let hash: Hash
    /// `-sess`: HA1 = H(H(user:realm:password):nonce:cnonce).
    public let isSession: Bool

    init(_ hash: Hash, session: Bool) {
        self.hash = hash
        self.isSession = session
    }

    public static let md5 = SIPDigestAlgorithm(.md5, session: false)
    public static let md5Sess = SIPDigestAlgorithm(.md5, session: true)
    public static let sha256 = SIPDigestAlgorithm(.sha256, session: false)
    public static let sha256Sess = SIPDigestAlgorithm(.sha256, session: true)

    /// Parses an `algorithm=` token, case-insensitively (RFC 7616 §3.3). Nil when unknown.
    public init?(token: String) {
        switch token.lowercased() {
        case "md5": self = .md5
        case "md5-sess": self = .md5Sess
        case "sha-256": self = .sha256
        case "sha-256-sess": self = .sha256Sess
        default: return nil
        }
    }

    /// The registered spelling: "MD5", "MD5-sess", "SHA-256", "SHA-256-sess".
    public var token: String {
        (hash == .md5 ? "MD5" : "SHA-256") + (isSession ? "-sess" : "")
    }

    public var description: String { token }

    /// Higher is stronger. RFC 7616 §3.7: prefer the strongest the client supports. The
    /// `-sess` variants rank just above their base since they are no weaker.
    var strength: Int { (hash == .sha256 ? 10 : 0) + (isSession ? 1 : 0) }

    /// Lowercase hex of the hash of `bytes` (RFC 7616 §3.4.1 `H(data)`).
    func hex<B: Sequence>(_ bytes: B) -> String where B.Element == UInt8 {
        let data = Array(bytes)
        switch hash {
        case .md5: return Self.hexString(Insecure.MD5.hash(data: data))
        case .sha256: return Self.hexString(SHA256.hash(data: data))
        }
    }

    func hex(_ text: String) -> String { hex(text.utf8) }

    private static func hexString<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in digest {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Quality of protection (RFC 7616 §3.3 `qop`).
public enum SIPDigestQop: String, Sendable, Hashable, CaseIterable {
    /// Authentication of method and URI.
    case auth
    /// Also covers the message body.
    case authInt = "auth-int"

    /// Parses a qop token case-insensitively.
    public init?(token: String) {
        switch token.lowercased() {
        case "auth": self = .auth
        case "auth-int": self = .authInt
        default: return nil
        }
    }
}
