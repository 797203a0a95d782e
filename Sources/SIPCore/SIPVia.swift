/// One Via header value (RFC 3261 §20.42, RFC 3581 rport).
///
/// Why typed: responses are routed by the top Via (§18.2.2), transactions are
/// matched by `branch` (§17.2.3), and NAT traversal depends on `received`/`rport`
/// (RFC 3581 §4). Getting `sent-by` right for IPv6 (`[2001:db8::1]:5060`) is the
/// classic bug this type exists to avoid.
public struct SIPVia: Sendable, Hashable, CustomStringConvertible {
    /// RFC 3261 §8.1.1.7: branches starting with this are globally unique.
    public static let magicCookie = "z9hG4bK"

    public var protocolName: String
    public var protocolVersion: String
    /// Transport token as received (UDP, TCP, TLS, SCTP, WS, WSS or an extension).
    public var transport: String
    /// sent-by host: hostname, IPv4 or bracketed IPv6.
    public var host: String
    public var port: UInt16?
    public var parameters: SIPParameters

    public init(transport: String = "UDP", host: String, port: UInt16? = nil,
                parameters: SIPParameters = [], protocolName: String = "SIP", protocolVersion: String = "2.0") {
        self.protocolName = protocolName
        self.protocolVersion = protocolVersion
        self.transport = transport
        self.host = host
        self.port = port
        self.parameters = parameters
    }

    public var branch: String? { parameters["branch"] }
    /// True when the branch carries the RFC 3261 magic cookie (RFC 4475 `badbranch`
    /// has only the cookie: still true; the transaction layer decides what to do).
    public var hasMagicCookie: Bool { branch?.hasPrefix(Self.magicCookie) ?? false }
    public var received: String? { parameters["received"] }
    public var maddr: String? { parameters["maddr"] }
    /// `ttl` as a number; nil when absent (values outside 0...255 are rejected by `parse`).
    public var ttl: UInt8? { parameters["ttl"].flatMap { SIPDecimal.parse($0, max: 255) }.map(UInt8.init) }
    /// RFC 3581: the client asked for the source port to be echoed (`;rport`, with or without value).
    public var hasRport: Bool { parameters.contains("rport") }
    /// RFC 3581: the port the server saw, filled in on responses (`;rport=5062`).
    public var rport: UInt16? { parameters["rport"].flatMap { SIPDecimal.parse($0, max: 65_535) }.map(UInt16.init) }

    /// Parses every value of one Via field (it may hold several, comma-separated).
    public static func parseList(_ value: String, limits: SIPParserLimits = .default) throws(SIPParseError) -> [SIPVia] {
        var out: [SIPVia] = []
        for item in try SIPHeaderSplitter.split(value, header: "Via", limits: limits) {
            out.append(try parse(item, limits: limits))
        }
        return out
    }

    /// Parses a single via-parm: `sent-protocol LWS sent-by *( SEMI via-params )`.
    public static func parse(_ text: String, limits: SIPParserLimits = .default) throws(SIPParseError) -> SIPVia {
        func bad(_ d: String) -> SIPParseError { SIPParseError(.badHeader, header: "Via", detail: d) }
        var sc = ByteScanner(text)
        sc.skipLWS()
        guard let name = sc.readToken(), sc.consumeSeparator(UInt8(ascii: "/")),
              let version = sc.readToken(), sc.consumeSeparator(UInt8(ascii: "/")),
              let transport = sc.readToken() else { throw bad("bad sent-protocol") }
        guard sc.skipLWS() > 0 else { throw bad("missing LWS before sent-by") }
        // sent-by host
        let hostBytes: ArraySlice<UInt8>
        if sc.peek() == UInt8(ascii: "[") {
            hostBytes = sc.read { $0 != UInt8(ascii: "]") }
            guard sc.consume(UInt8(ascii: "]")) else { throw bad("unterminated IPv6 reference") }
        } else {
            hostBytes = sc.read { SIPChar.is($0, .host) }
        }
        var host = String(decoding: hostBytes, as: UTF8.self)
        if hostBytes.first == UInt8(ascii: "[") { host += "]" }
        guard SIPHost.kind(of: host) != nil else { throw bad("bad sent-by host") }
        var port: UInt16? = nil
        if sc.consumeSeparator(UInt8(ascii: ":")) {
            guard let p = sc.readDecimal(max: 65_535) else { throw bad("bad sent-by port") }
            port = UInt16(p)
        }
        let params = try SIPHeaderParameterParser.parse(&sc, header: "Via", limits: limits)
        try validate(params, bad: bad)
        return SIPVia(transport: transport, host: host, port: port, parameters: params,
                      protocolName: name, protocolVersion: version)
    }

    /// Checks the value syntax of the parameters RFC 3261/3581 define.
    private static func validate(_ params: SIPParameters, bad: (String) -> SIPParseError) throws(SIPParseError) {
        for p in params {
            switch p.name.sipLowercased {
            case "ttl":
                guard let v = p.value, SIPDecimal.parse(v, max: 255) != nil else { throw bad("bad ttl") }
            case "maddr":
                guard let v = p.value, SIPHost.kind(of: v) != nil else { throw bad("bad maddr") }
            case "received":
                guard let v = p.value, SIPHost.isIPv4Address(v) || SIPHost.isIPv6Address(v)
                        || SIPHost.kind(of: v) == .ipv6 else { throw bad("bad received") }
            case "branch":
                guard let v = p.value, !p.isQuoted, SIPChar.isTokenString(v.utf8) else { throw bad("bad branch") }
            case "rport":
                if let v = p.value, SIPDecimal.parse(v, max: 65_535) == nil { throw bad("bad rport") }
            default:
                break
            }
        }
    }

    /// `SIP/2.0/UDP host:port;params`.
    public var description: String {
        var s = "\(protocolName)/\(protocolVersion)/\(transport) \(host)"
        if let port { s += ":" + String(port) }
        return s + parameters.serialized()
    }
}
