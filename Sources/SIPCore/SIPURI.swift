/// URI scheme of a `SIPURI`.
public enum SIPURIScheme: Sendable, Hashable, CustomStringConvertible {
    case sip
    case sips
    /// RFC 3966 telephone number.
    case tel
    /// Any other absoluteURI scheme (RFC 4475 `unkscm`, `novelsc`, `unksm2`); spelling as received.
    case other(String)

    public var description: String {
        switch self {
        case .sip: return "sip"
        case .sips: return "sips"
        case .tel: return "tel"
        case .other(let s): return s
        }
    }

    public static func == (a: Self, b: Self) -> Bool {
        switch (a, b) {
        case (.sip, .sip), (.sips, .sips), (.tel, .tel): return true
        case (.other(let x), .other(let y)): return x.sipCaseInsensitiveEquals(y)
        default: return false
        }
    }

    public func hash(into h: inout Hasher) { h.combine(description.sipLowercased) }
}

/// One `?hname=hvalue` URI header (RFC 3261 §19.1.1), escapes kept as received.
public struct SIPURIHeader: Sendable, Hashable {
    public var name: String
    public var value: String
    public init(name: String, value: String) { self.name = name; self.value = value }
}

/// A SIP, SIPS, tel or other absolute URI (RFC 3261 §19.1, RFC 3966).
///
/// Why components are stored escaped: RFC 3261 §19.1.4 compares URIs after
/// unescaping, but a proxy or UA must forward what it received byte for byte, and
/// unescaping is only meaningful per component (RFC 4475 `esc01`: `%25%34%31` is
/// `%41`, never `A`). So the stored strings are exactly what was on the wire and
/// `decodedUser` / `SIPPercentEncoding.decode` give the unescaped bytes.
public struct SIPURI: Sendable, Hashable, CustomStringConvertible {
    public var scheme: SIPURIScheme
    /// sip/sips: the userinfo user, escapes intact. tel: the telephone-subscriber number.
    public var user: String?
    /// sip/sips only; discouraged by RFC 3261 but legal (RFC 4475 `intmeth`).
    public var password: String?
    /// sip/sips: hostname, IPv4 or bracketed IPv6 (`[::1]`). Empty for tel and other schemes.
    public var host: String
    public var port: UInt16?
    /// URI parameters (`;transport=tcp;lr`), values escaped as received.
    public var parameters: SIPParameters
    /// URI headers (`?Subject=x&Priority=urgent`).
    public var headers: [SIPURIHeader]
    /// For `.other` schemes: everything after the first colon, verbatim.
    public var opaque: String?

    public init(scheme: SIPURIScheme = .sip, user: String? = nil, password: String? = nil,
                host: String = "", port: UInt16? = nil, parameters: SIPParameters = [],
                headers: [SIPURIHeader] = [], opaque: String? = nil) {
        self.scheme = scheme
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.parameters = parameters
        self.headers = headers
        self.opaque = opaque
    }

    /// Parses any URI allowed as a Request-URI or inside `<...>` (RFC 3261 §25.1
    /// `SIP-URI / SIPS-URI / absoluteURI`). Throws `.badURI`.
    public static func parse(_ text: String, limits: SIPParserLimits = .default) throws(SIPParseError) -> SIPURI {
        try SIPURIParser.parse(Array(text.utf8)[...], limits: limits)
    }

    /// True for sip: and sips:.
    public var isSIP: Bool { scheme == .sip || scheme == .sips }

    /// Classification of `host` (nil for tel/other).
    public var hostKind: SIPHostKind? { isSIP ? SIPHost.kind(of: host) : nil }

    /// The user part with `%HH` escapes decoded; may contain NUL (RFC 4475 `escnull`).
    public var decodedUser: [UInt8]? { user.flatMap(SIPPercentEncoding.decode) }

    /// The `transport` URI parameter, if any.
    public var transport: String? { parameters["transport"] }

    /// `;lr` present: a loose router (RFC 3261 §16.12).
    public var isLooseRouter: Bool { parameters.contains("lr") }

    /// The port to use when none is given: 5061 for sips, 5060 otherwise (RFC 3261 §19.1.2).
    public var portOrDefault: UInt16 { port ?? (scheme == .sips ? 5061 : 5060) }

    /// Serialized form, e.g. `sip:alice@[2001:db8::1]:5070;transport=tcp?Subject=hi`.
    public var description: String {
        var s = scheme.description + ":"
        switch scheme {
        case .other:
            s += opaque ?? ""
            return s
        case .tel:
            s += user ?? ""
            s += parameters.serialized()
            return s
        case .sip, .sips:
            if let user {
                s += user
                if let password { s += ":" + password }
                s += "@"
            }
            s += host
            if let port { s += ":" + String(port) }
            s += parameters.serialized()
            if !headers.isEmpty {
                s += "?" + headers.map { $0.name + "=" + $0.value }.joined(separator: "&")
            }
            return s
        }
    }
}
