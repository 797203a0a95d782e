import SIPCore

/// A validated Digest challenge from `WWW-Authenticate` (401) or `Proxy-Authenticate` (407).
///
/// Why validate up front: once a challenge is accepted here, building credentials for it
/// cannot fail, so the authenticator can pre-authorize later requests without error paths.
/// Everything a server can get wrong (no nonce, unknown algorithm, qop we cannot do) is a
/// typed `SIPDigestError` at this point, never a crash later.
public struct SIPDigestChallenge: Sendable, Hashable {
    public var realm: String
    public var nonce: String
    public var opaque: String?
    public var algorithm: SIPDigestAlgorithm
    /// The `algorithm=` token as received, echoed in credentials; nil when the server omitted
    /// it (MD5 is then implied and we omit it too, RFC 2617 §3.2.1).
    public var algorithmToken: String?
    /// The qop we will answer with: `auth` when offered, else `auth-int`, nil for RFC 2069.
    public var qop: SIPDigestQop?
    /// `stale=true`: the previous credentials were right but the nonce expired.
    public var isStale: Bool
    /// Came from `Proxy-Authenticate`; answered with `Proxy-Authorization`.
    public var isProxy: Bool

    public init(realm: String, nonce: String, opaque: String? = nil, algorithm: SIPDigestAlgorithm = .md5,
                algorithmToken: String? = nil, qop: SIPDigestQop? = .auth, isStale: Bool = false,
                isProxy: Bool = false) {
        self.realm = realm
        self.nonce = nonce
        self.opaque = opaque
        self.algorithm = algorithm
        self.algorithmToken = algorithmToken
        self.qop = qop
        self.isStale = isStale
        self.isProxy = isProxy
    }

    /// Validates one parsed challenge header.
    public init(_ header: SIPAuthHeader, isProxy: Bool) throws(SIPDigestError) {
        guard header.isDigest else { throw SIPDigestError(.noDigestChallenge, detail: header.scheme) }
        guard let realm = header.realm else { throw SIPDigestError(.missingParameter, detail: "realm") }
        guard let nonce = header.nonce, !nonce.isEmpty else {
            throw SIPDigestError(.missingParameter, detail: "nonce")
        }
        var algorithm = SIPDigestAlgorithm.md5
        if let token = header.algorithm {
            guard let a = SIPDigestAlgorithm(token: token) else {
                throw SIPDigestError(.unsupportedAlgorithm, detail: token)
            }
            algorithm = a
        }
        var qop: SIPDigestQop? = nil
        let offered = header.qopOptions.compactMap(SIPDigestQop.init(token:))
        if offered.contains(.auth) {
            qop = .auth
        } else if offered.contains(.authInt) {
            qop = .authInt
        } else if header.parameters.contains("qop") {
            // RFC 7616 §3.3: a qop was required but none we know; answering without one would fail.
            throw SIPDigestError(.unsupportedQop, detail: header["qop"] ?? "")
        }
        self.init(realm: realm, nonce: nonce, opaque: header.opaque, algorithm: algorithm,
                  algorithmToken: header.algorithm, qop: qop, isStale: header.isStale, isProxy: isProxy)
    }

    /// The challenges to answer in a 401/407: per realm, the strongest one we support, in the
    /// order realms first appear (RFC 7616 §3.7, RFC 3261 §22.3 "one per realm").
    ///
    /// Unusable challenges are skipped while a usable one exists; if none is usable the error
    /// of the first Digest challenge is thrown (so "unknown algorithm SHA-512" is reported
    /// rather than a vague "nothing usable").
    public static func select(from headers: [SIPAuthHeader], isProxy: Bool) throws(SIPDigestError) -> [SIPDigestChallenge] {
        var chosen: [SIPDigestChallenge] = []
        var firstError: SIPDigestError? = nil
        for h in headers {
            let c: SIPDigestChallenge
            do {
                c = try SIPDigestChallenge(h, isProxy: isProxy)
            } catch {
                if firstError == nil || firstError?.kind == .noDigestChallenge { firstError = error }
                continue
            }
            if let i = chosen.firstIndex(where: { $0.realm == c.realm }) {
                if c.algorithm.strength > chosen[i].algorithm.strength { chosen[i] = c }
            } else {
                chosen.append(c)
            }
        }
        if chosen.isEmpty { throw firstError ?? SIPDigestError(.noDigestChallenge, detail: "no challenge header") }
        return chosen
    }

    /// Parses and selects the challenges of a 401 (`WWW-Authenticate`) or 407 (`Proxy-Authenticate`).
    public static func select(from response: SIPMessage) throws(SIPDigestError) -> [SIPDigestChallenge] {
        let code = response.statusCode
        guard code == 401 || code == 407 else {
            throw SIPDigestError(.notAChallenge, detail: code.map(String.init) ?? "request")
        }
        let headers: [SIPAuthHeader]
        do {
            headers = code == 407 ? try response.proxyAuthenticate() : try response.wwwAuthenticate()
        } catch {
            throw SIPDigestError(.malformedHeader, detail: error.description, statusCode: code)
        }
        do {
            return try select(from: headers, isProxy: code == 407)
        } catch {
            var e = error
            e.statusCode = code
            throw e
        }
    }

    /// The challenge as a header value, for a server (our test registrar) to send.
    public var header: SIPAuthHeader {
        var p = SIPParameters()
        p.set("realm", realm, quoted: true)
        p.set("nonce", nonce, quoted: true)
        if let opaque { p.set("opaque", opaque, quoted: true) }
        if algorithmToken != nil || algorithm != .md5 { p.set("algorithm", algorithmToken ?? algorithm.token) }
        if let qop { p.set("qop", qop.rawValue, quoted: true) }
        if isStale { p.set("stale", "true") }
        return SIPAuthHeader(scheme: "Digest", parameters: p)
    }

    /// Builds credentials answering this challenge (RFC 7616 §3.4, RFC 3261 §22.4).
    ///
    /// Quoting follows RFC 7616 §3.4: `username`, `realm`, `nonce`, `uri`, `response`,
    /// `cnonce`, `opaque` are quoted-strings; `algorithm`, `qop` and `nc` are tokens.
    /// `cnonce` is sent with a qop and with `-sess` (whose HA1 needs it even without qop).
    public func authorization(username: String, password: String, method: String, uri: String,
                              body: [UInt8] = [], nonceCount: UInt32, cnonce: String) -> SIPAuthHeader {
        let nc = SIPDigestInput.formatNonceCount(nonceCount)
        let needsCnonce = qop != nil || algorithm.isSession
        let input = SIPDigestInput(algorithm: algorithm, username: username, realm: realm, password: password,
                                   nonce: nonce, cnonce: needsCnonce ? cnonce : nil, nonceCount: qop == nil ? nil : nc,
                                   qop: qop, method: method, uri: uri, body: body)
        var p = SIPParameters()
        p.set("username", username, quoted: true)
        p.set("realm", realm, quoted: true)
        p.set("nonce", nonce, quoted: true)
        p.set("uri", uri, quoted: true)
        p.set("response", input.response, quoted: true)
        if let algorithmToken { p.set("algorithm", algorithmToken) }
        if needsCnonce { p.set("cnonce", cnonce, quoted: true) }
        if let opaque { p.set("opaque", opaque, quoted: true) }
        if let qop {
            p.set("qop", qop.rawValue)
            p.set("nc", nc)
        }
        return SIPAuthHeader(scheme: "Digest", parameters: p)
    }
}
