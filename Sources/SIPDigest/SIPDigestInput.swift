/// Everything that goes into one digest `response` value, and the computation itself
/// (RFC 7616 §3.4.1-§3.4.3, RFC 2617 §3.2.2, RFC 2069 when `qop` is nil).
///
/// Why a plain value: the client, the server-side verifier and the test vectors all compute
/// the same function; keeping it free of challenge bookkeeping lets tests check RFC examples
/// byte for byte.
///
/// ```
/// A1   = user:realm:password                      (-sess: H(user:realm:password):nonce:cnonce)
/// A2   = method:uri                                (auth-int: method:uri:H(body))
/// resp = H(H(A1):nonce:nc:cnonce:qop:H(A2))        (no qop: H(H(A1):nonce:H(A2)))
/// ```
public struct SIPDigestInput: Sendable, Hashable {
    public var algorithm: SIPDigestAlgorithm
    public var username: String
    public var realm: String
    public var password: String
    public var nonce: String
    /// Required with a qop and with `-sess`; ignored otherwise.
    public var cnonce: String?
    /// Nonce count as sent on the wire: 8 lowercase hex digits.
    public var nonceCount: String?
    /// nil: RFC 2069 compatibility (no cnonce, no nc in the hash).
    public var qop: SIPDigestQop?
    /// The request method, e.g. "REGISTER". For SIP, ACK and CANCEL use INVITE's credentials
    /// with their own method (RFC 3261 §22.1).
    public var method: String
    /// The digest-uri exactly as sent in `uri=` (the Request-URI string).
    public var uri: String
    /// The message body; only used with `auth-int`.
    public var body: [UInt8]

    public init(algorithm: SIPDigestAlgorithm = .md5, username: String, realm: String, password: String,
                nonce: String, cnonce: String? = nil, nonceCount: String? = nil, qop: SIPDigestQop? = nil,
                method: String, uri: String, body: [UInt8] = []) {
        self.algorithm = algorithm
        self.username = username
        self.realm = realm
        self.password = password
        self.nonce = nonce
        self.cnonce = cnonce
        self.nonceCount = nonceCount
        self.qop = qop
        self.method = method
        self.uri = uri
        self.body = body
    }

    /// H(A1), hex.
    public var ha1: String {
        let base = algorithm.hex("\(username):\(realm):\(password)")
        guard algorithm.isSession else { return base }
        return algorithm.hex("\(base):\(nonce):\(cnonce ?? "")")
    }

    /// H(A2), hex.
    public var ha2: String {
        if qop == .authInt {
            return algorithm.hex("\(method):\(uri):\(algorithm.hex(body))")
        }
        return algorithm.hex("\(method):\(uri)")
    }

    /// The `response=` value, lowercase hex.
    public var response: String {
        guard let qop else { return algorithm.hex("\(ha1):\(nonce):\(ha2)") }
        return algorithm.hex("\(ha1):\(nonce):\(nonceCount ?? ""):\(cnonce ?? ""):\(qop.rawValue):\(ha2)")
    }

    /// `nc` formatting: 8 lowercase hex digits (RFC 7616 §3.4 `nc-value`).
    public static func formatNonceCount(_ n: UInt32) -> String {
        let hex = String(n, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}
