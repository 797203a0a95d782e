/// A SIP request or response: start line, ordered header fields, body bytes.
///
/// Why this shape: headers stay an ordered list of text fields (unknown ones kept
/// verbatim, order preserved as RFC 3261 §7.3.1 requires for same-named fields),
/// and typed views are parsed on demand (`SIPMessage+Headers.swift`). The body is
/// raw bytes because it may be binary (RFC 4475 `mpart01` has NULs).
public struct SIPMessage: Sendable, Hashable {
    public var startLine: SIPStartLine
    public var headers: [SIPHeaderField]
    public var body: [UInt8]

    public init(startLine: SIPStartLine, headers: [SIPHeaderField] = [], body: [UInt8] = []) {
        self.startLine = startLine
        self.headers = headers
        self.body = body
    }

    /// A request with the given method and Request-URI.
    public static func request(_ method: SIPMethod, uri: SIPURI, headers: [SIPHeaderField] = [],
                               body: [UInt8] = []) -> SIPMessage {
        SIPMessage(startLine: .request(method: method, uri: uri, version: "SIP/2.0"), headers: headers, body: body)
    }

    /// A response with the given code and reason.
    public static func response(_ statusCode: Int, reasonPhrase: String, headers: [SIPHeaderField] = [],
                                body: [UInt8] = []) -> SIPMessage {
        SIPMessage(startLine: .response(version: "SIP/2.0", statusCode: statusCode, reasonPhrase: reasonPhrase),
                   headers: headers, body: body)
    }

    public var isRequest: Bool {
        if case .request = startLine { return true }
        return false
    }

    public var isResponse: Bool { !isRequest }

    /// Request method, nil for responses.
    public var method: SIPMethod? {
        if case .request(let m, _, _) = startLine { return m }
        return nil
    }

    /// Request-URI, nil for responses.
    public var requestURI: SIPURI? {
        if case .request(_, let u, _) = startLine { return u }
        return nil
    }

    /// Status code, nil for requests.
    public var statusCode: Int? {
        if case .response(_, let c, _) = startLine { return c }
        return nil
    }

    /// Reason phrase, nil for requests.
    public var reasonPhrase: String? {
        if case .response(_, _, let r) = startLine { return r }
        return nil
    }

    // MARK: - Header access by name

    /// All fields with this name, in order (compact and long forms alike).
    public func fields(_ name: SIPHeaderName) -> [SIPHeaderField] {
        headers.filter { $0.name == name }
    }

    /// Value of the first field with this name.
    public func firstValue(_ name: SIPHeaderName) -> String? {
        headers.first { $0.name == name }?.value
    }

    /// True when at least one field with this name exists.
    public func contains(_ name: SIPHeaderName) -> Bool {
        headers.contains { $0.name == name }
    }

    /// All values of a header across every field, in order. List headers
    /// (`SIPHeaderName.isList`) are split at top-level commas; all others, notably
    /// WWW-Authenticate, Authorization, Date, Call-ID and unknown headers, yield one
    /// value per field.
    public func values(_ name: SIPHeaderName, limits: SIPParserLimits = .default) throws(SIPParseError) -> [String] {
        var out: [String] = []
        for f in headers where f.name == name {
            if name.isList {
                out += try SIPHeaderSplitter.split(f.value, header: name.canonical, limits: limits)
            } else {
                out.append(f.value)
            }
        }
        return out
    }

    /// Appends a field at the end.
    public mutating func append(_ name: SIPHeaderName, _ value: String) {
        headers.append(SIPHeaderField(name, value))
    }

    /// Inserts a field before all others (e.g. a new top Via or Record-Route).
    public mutating func prepend(_ name: SIPHeaderName, _ value: String) {
        headers.insert(SIPHeaderField(name, value), at: 0)
    }

    /// Removes every field with this name.
    public mutating func removeAll(_ name: SIPHeaderName) {
        headers.removeAll { $0.name == name }
    }

    /// Replaces all fields of this name by one field, keeping the position of the first.
    public mutating func set(_ name: SIPHeaderName, _ value: String) {
        if let i = headers.firstIndex(where: { $0.name == name }) {
            headers[i] = SIPHeaderField(name, value)
            var j = headers.count - 1
            while j > i {
                if headers[j].name == name { headers.remove(at: j) }
                j -= 1
            }
        } else {
            append(name, value)
        }
    }

    /// Removes the first value of a list header (e.g. popping the top Via on a
    /// response at a proxy, or a Route entry). Other values of that field stay.
    public mutating func removeFirstValue(_ name: SIPHeaderName, limits: SIPParserLimits = .default) throws(SIPParseError) {
        guard let i = headers.firstIndex(where: { $0.name == name }) else { return }
        var parts = name.isList ? try SIPHeaderSplitter.split(headers[i].value, header: name.canonical, limits: limits) : []
        if parts.count > 1 {
            parts.removeFirst()
            headers[i].value = parts.joined(separator: ", ")
        } else {
            headers.remove(at: i)
        }
    }
}
