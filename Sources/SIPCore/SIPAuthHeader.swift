/// WWW-Authenticate / Proxy-Authenticate challenges and Authorization /
/// Proxy-Authorization credentials (RFC 3261 §20.7, §20.27, §20.28, §20.44, §25.1).
///
/// Why parse only: digest computation lives elsewhere (it needs crypto and the
/// transaction's method/URI); this layer just turns `Digest realm="a", nonce="b"`
/// into named values. These headers are never comma-split at the message level
/// because their own parameters are comma-separated; each field is one challenge.
public struct SIPAuthHeader: Sendable, Hashable, CustomStringConvertible {
    /// Auth scheme as received, e.g. "Digest" (compare case-insensitively).
    public var scheme: String
    /// `name=value` auth-params in order; `isQuoted` remembers quoted-string values.
    public var parameters: SIPParameters
    /// For schemes that carry an opaque blob instead of auth-params (e.g. `Basic abc==`).
    public var token68: String?

    public init(scheme: String, parameters: SIPParameters = [], token68: String? = nil) {
        self.scheme = scheme
        self.parameters = parameters
        self.token68 = token68
    }

    public var isDigest: Bool { scheme.sipCaseInsensitiveEquals("Digest") }
    public subscript(name: String) -> String? { parameters[name] }
    public var realm: String? { parameters["realm"] }
    public var nonce: String? { parameters["nonce"] }
    public var opaque: String? { parameters["opaque"] }
    public var algorithm: String? { parameters["algorithm"] }
    /// `stale=true` (case-insensitive) on a challenge.
    public var isStale: Bool { parameters["stale"]?.sipCaseInsensitiveEquals("true") ?? false }
    /// qop options of a challenge (`qop="auth,auth-int"`), or the single qop of credentials.
    public var qopOptions: [String] {
        guard let q = parameters["qop"] else { return [] }
        return q.split(separator: ",").map { String($0).trimmingSIPWhitespace() }.filter { !$0.isEmpty }
    }
    public var username: String? { parameters["username"] }
    public var uri: String? { parameters["uri"] }
    public var response: String? { parameters["response"] }
    public var cnonce: String? { parameters["cnonce"] }
    public var nonceCount: String? { parameters["nc"] }

    /// Parses one header value. `header` names the field in errors.
    public static func parse(_ text: String, header: String = "Authorization",
                             limits: SIPParserLimits = .default) throws(SIPParseError) -> SIPAuthHeader {
        func bad(_ d: String) -> SIPParseError { SIPParseError(.badHeader, header: header, detail: d) }
        var sc = ByteScanner(text)
        sc.skipLWS()
        guard let scheme = sc.readToken() else { throw bad("missing auth-scheme") }
        if sc.isAtEnd { return SIPAuthHeader(scheme: scheme) }
        guard sc.skipLWS() > 0 else { throw bad("missing LWS after auth-scheme") }
        if sc.isAtEnd { return SIPAuthHeader(scheme: scheme) }
        if let blob = token68(sc.remaining) {
            // RFC 7235 token68 (e.g. `Basic QWxh...==`): 1*(ALPHA / DIGIT / "-._~+/") *"=".
            return SIPAuthHeader(scheme: scheme, token68: blob)
        }
        return SIPAuthHeader(scheme: scheme, parameters: try parseParams(&sc, limits: limits, bad: bad))
    }

    /// The trimmed remainder if it is a token68 that is not also `name=value`.
    private static func token68(_ b: ArraySlice<UInt8>) -> String? {
        var e = b.endIndex
        while e > b.startIndex, SIPChar.isWSP(b[e - 1]) { e -= 1 }
        var body = e
        while body > b.startIndex, b[body - 1] == UInt8(ascii: "=") { body -= 1 }
        let core = b[b.startIndex..<body]
        guard !core.isEmpty, body < e || !core.contains(UInt8(ascii: "=")) else { return nil }
        let ok = core.allSatisfy { SIPChar.is($0, .alphanum) || "-._~+/".utf8.contains($0) }
        return ok ? String(decoding: b[b.startIndex..<e], as: UTF8.self) : nil
    }

    private static func parseParams(_ sc: inout ByteScanner, limits: SIPParserLimits,
                                    bad: (String) -> SIPParseError) throws(SIPParseError) -> SIPParameters {
        var params = SIPParameters()
        while true {
            guard params.items.count < limits.maxHeaderParameters else {
                throw SIPParseError(.tooManyParameters, header: "Authorization")
            }
            guard let name = sc.readToken(), sc.consumeSeparator(UInt8(ascii: "=")) else { throw bad("bad auth-param") }
            if sc.peek() == UInt8(ascii: "\"") {
                guard let v = sc.readQuotedString() else { throw bad("unterminated quoted-string") }
                params.items.append(SIPParameter(name: name, value: v, isQuoted: true))
            } else {
                // token, liberally extended with URI characters some stacks leave unquoted.
                let v = sc.read { $0 != UInt8(ascii: ",") && !SIPChar.isWSP($0) && $0 > 0x20 && $0 != UInt8(ascii: "\"") }
                guard !v.isEmpty else { throw bad("empty auth-param value") }
                params.items.append(SIPParameter(name: name, value: String(decoding: v, as: UTF8.self)))
            }
            sc.skipLWS()
            if sc.isAtEnd { return params }
            guard sc.consume(UInt8(ascii: ",")) else { throw bad("expected ','") }
            sc.skipLWS()
        }
    }

    /// `Digest realm="x", nonce="y"`: parameters joined with ", ".
    public var description: String {
        if let token68 { return scheme + " " + token68 }
        if parameters.isEmpty { return scheme }
        let ps = parameters.map { p in p.name + "=" + (p.isQuoted ? SIPQuoting.quote(p.value ?? "") : (p.value ?? "")) }
        return scheme + " " + ps.joined(separator: ", ")
    }
}

public typealias SIPChallenge = SIPAuthHeader
public typealias SIPCredentials = SIPAuthHeader

extension String {
    /// Trims SP and HTAB at both ends.
    func trimmingSIPWhitespace() -> String {
        String(decoding: SIPScalar.trimmed(self), as: UTF8.self)
    }
}
