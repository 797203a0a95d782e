/// A header field name normalized for lookup.
///
/// Why: RFC 3261 §7.3.1 makes names case-insensitive and §7.3.3 gives compact
/// one-letter forms ("v" is Via). Lookups must treat "v", "VIA" and "Via" alike
/// while the message still remembers what the peer sent. `canonical` is the long
/// form with conventional capitalization for known names ("Call-ID", "CSeq",
/// "WWW-Authenticate"), or the received spelling for unknown extension headers.
public struct SIPHeaderName: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// Long-form name with conventional capitalization.
    public let canonical: String
    /// ASCII-lowercased long form; the identity used for comparison.
    public let key: String

    /// Normalizes any received spelling: compact forms expand, known names get canonical case.
    public init(_ raw: String) {
        var lower = raw.sipLowercased
        if lower.utf8.count == 1, let long = Self.compactForms[lower] { lower = long }
        key = lower
        canonical = Self.canonicalByKey[lower] ?? raw
    }

    public init(stringLiteral value: String) { self.init(value) }

    public static func == (a: Self, b: Self) -> Bool { a.key == b.key }
    public func hash(into h: inout Hasher) { h.combine(key) }
    public var description: String { canonical }

    /// The one-letter compact form, if the name has one.
    public var compactForm: String? { Self.compactByKey[key] }

    /// True for headers whose grammar is a comma-separated list (`#element`), so that
    /// several values may share one field or be spread over several fields
    /// (RFC 3261 §7.3.1). Everything else, including unknown headers and the
    /// authentication headers whose parameters contain commas, is never split.
    public var isList: Bool { Self.listKeys.contains(key) }

    /// RFC 3261 §7.3.3 plus compact forms registered by later RFCs.
    static let compactForms: [String: String] = [
        "i": "call-id", "m": "contact", "e": "content-encoding", "l": "content-length",
        "c": "content-type", "f": "from", "s": "subject", "k": "supported", "t": "to",
        "v": "via", "o": "event", "u": "allow-events", "r": "refer-to", "b": "referred-by",
        "x": "session-expires", "y": "identity", "a": "accept-contact", "j": "reject-contact",
        "d": "request-disposition", "n": "identity-info",
    ]

    static let compactByKey: [String: String] = {
        var d: [String: String] = [:]
        for (k, v) in compactForms { d[v] = k }
        return d
    }()

    static let knownNames: [String] = [
        "Accept", "Accept-Contact", "Accept-Encoding", "Accept-Language", "Alert-Info", "Allow",
        "Allow-Events", "Authentication-Info", "Authorization", "Call-ID", "Call-Info", "Contact",
        "Content-Disposition", "Content-Encoding", "Content-Language", "Content-Length",
        "Content-Type", "CSeq", "Date", "Error-Info", "Event", "Expires", "From", "History-Info",
        "Identity", "Identity-Info", "In-Reply-To", "Max-Forwards", "Min-Expires", "Min-SE",
        "MIME-Version", "Organization", "P-Asserted-Identity", "P-Preferred-Identity", "Path",
        "Priority", "Privacy", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Require", "RAck",
        "Reason", "Record-Route", "Refer-To", "Referred-By", "Reject-Contact", "Replaces",
        "Reply-To", "Request-Disposition", "Require", "Retry-After", "Route", "RSeq",
        "Security-Client", "Security-Server", "Security-Verify", "Server", "Service-Route",
        "Session-Expires", "SIP-ETag", "SIP-If-Match", "Subject", "Subscription-State", "Supported",
        "Timestamp", "To", "Unsupported", "User-Agent", "Via", "Warning", "WWW-Authenticate",
    ]

    static let canonicalByKey: [String: String] = {
        var d: [String: String] = [:]
        for n in knownNames { d[n.sipLowercased] = n }
        return d
    }()

    static let listKeys: Set<String> = [
        "accept", "accept-contact", "accept-encoding", "accept-language", "alert-info", "allow",
        "allow-events", "call-info", "contact", "content-encoding", "content-language",
        "error-info", "history-info", "in-reply-to", "p-asserted-identity",
        "p-preferred-identity", "path", "proxy-require", "reason", "record-route",
        "reject-contact", "request-disposition", "require", "route", "security-client",
        "security-server", "security-verify", "service-route", "supported", "unsupported",
        "via", "warning",
    ]
}

extension SIPHeaderName {
    public static let via: SIPHeaderName = "Via"
    public static let from: SIPHeaderName = "From"
    public static let to: SIPHeaderName = "To"
    public static let callID: SIPHeaderName = "Call-ID"
    public static let cseq: SIPHeaderName = "CSeq"
    public static let maxForwards: SIPHeaderName = "Max-Forwards"
    public static let contact: SIPHeaderName = "Contact"
    public static let route: SIPHeaderName = "Route"
    public static let recordRoute: SIPHeaderName = "Record-Route"
    public static let contentLength: SIPHeaderName = "Content-Length"
    public static let contentType: SIPHeaderName = "Content-Type"
    public static let expires: SIPHeaderName = "Expires"
    public static let allow: SIPHeaderName = "Allow"
    public static let supported: SIPHeaderName = "Supported"
    public static let require: SIPHeaderName = "Require"
    public static let proxyRequire: SIPHeaderName = "Proxy-Require"
    public static let unsupported: SIPHeaderName = "Unsupported"
    public static let wwwAuthenticate: SIPHeaderName = "WWW-Authenticate"
    public static let proxyAuthenticate: SIPHeaderName = "Proxy-Authenticate"
    public static let authorization: SIPHeaderName = "Authorization"
    public static let proxyAuthorization: SIPHeaderName = "Proxy-Authorization"
    public static let date: SIPHeaderName = "Date"
    public static let accept: SIPHeaderName = "Accept"
    public static let subject: SIPHeaderName = "Subject"
}
