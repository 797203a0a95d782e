import SIPCore

/// The outcome of checking credentials on the server side.
public enum SIPDigestVerdict: Sendable, Hashable {
    /// The response is right and the nonce is the current one. `nonceCount` is the `nc`
    /// received (nil without qop) so the caller can refuse replays.
    case valid(nonceCount: UInt32?)
    /// The response is right for an old nonce: re-challenge with `stale=true`.
    case staleNonce
    /// The response does not match: wrong password (or username).
    case wrongResponse
    /// The credentials are well formed but for another realm or Request-URI (names which).
    case mismatch(String)
}

/// Server side of digest authentication, for our test registrar and the unit tests:
/// issue challenges and verify `Authorization` headers (RFC 7616 §3.4.1, RFC 3261 §22.4).
///
/// Why stateless: nonce issuing, expiry and nc replay tracking belong to whoever runs the
/// server; this only answers "is this response right for this password and nonce".
public enum SIPDigestVerifier {
    /// A challenge header value to send in `WWW-Authenticate` or `Proxy-Authenticate`.
    public static func challenge(realm: String, nonce: String, algorithm: SIPDigestAlgorithm = .md5,
                                 qop: SIPDigestQop? = .auth, opaque: String? = nil, stale: Bool = false) -> SIPAuthHeader {
        SIPDigestChallenge(realm: realm, nonce: nonce, opaque: opaque, algorithm: algorithm,
                           algorithmToken: algorithm.token, qop: qop, isStale: stale).header
    }

    /// Checks `credentials` against `password` and the server's `currentNonce`.
    ///
    /// - Parameters:
    ///   - requestURI: when given, `uri=` must equal it (RFC 7616 §3.4.6 protects against replay
    ///     to another resource).
    ///   - body: the request body, for `auth-int`.
    /// - Throws: `SIPDigestError` for credentials that are not Digest, lack a parameter, or name
    ///   an unknown algorithm or qop.
    public static func verify(_ credentials: SIPAuthHeader, method: String, password: String, realm: String,
                              currentNonce: String, requestURI: String? = nil,
                              body: [UInt8] = []) throws(SIPDigestError) -> SIPDigestVerdict {
        guard credentials.isDigest else { throw SIPDigestError(.noDigestChallenge, detail: credentials.scheme) }
        func need(_ name: String) throws(SIPDigestError) -> String {
            guard let v = credentials[name], !v.isEmpty else { throw SIPDigestError(.missingParameter, detail: name) }
            return v
        }
        let username = try need("username")
        let gotRealm = try need("realm")
        let nonce = try need("nonce")
        let uri = try need("uri")
        let response = try need("response")
        var algorithm = SIPDigestAlgorithm.md5
        if let token = credentials.algorithm {
            guard let a = SIPDigestAlgorithm(token: token) else { throw SIPDigestError(.unsupportedAlgorithm, detail: token) }
            algorithm = a
        }
        var qop: SIPDigestQop? = nil
        var ncValue: UInt32? = nil
        if let q = credentials["qop"] {
            guard let parsed = SIPDigestQop(token: q) else { throw SIPDigestError(.unsupportedQop, detail: q) }
            qop = parsed
            let nc = try need("nc")
            guard nc.utf8.count == 8, let n = UInt32(nc, radix: 16) else {
                throw SIPDigestError(.malformedHeader, detail: "nc=\(nc)")
            }
            ncValue = n
            _ = try need("cnonce")
        }
        if algorithm.isSession { _ = try need("cnonce") }
        guard gotRealm == realm else { return .mismatch("realm") }
        if let requestURI, requestURI != uri { return .mismatch("uri") }
        let input = SIPDigestInput(algorithm: algorithm, username: username, realm: gotRealm, password: password,
                                   nonce: nonce, cnonce: credentials.cnonce, nonceCount: credentials.nonceCount,
                                   qop: qop, method: method, uri: uri, body: body)
        guard constantTimeEquals(input.response, response.lowercased()) else { return .wrongResponse }
        return nonce == currentNonce ? .valid(nonceCount: ncValue) : .staleNonce
    }

    /// Compares without an early exit, so timing does not reveal how many digits matched.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
