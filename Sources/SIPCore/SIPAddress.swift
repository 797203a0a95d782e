/// A `(name-addr / addr-spec) *( SEMI param )` value: From, To, Contact, Route,
/// Record-Route, Reply-To, Refer-To, P-Asserted-Identity, ...
///
/// Why one type: all of these share RFC 3261 §20.10's rule that in the addr-spec
/// form (no angle brackets) everything after the first `;` is a *header*
/// parameter, while inside `<...>` it belongs to the URI. Getting that wrong puts
/// the From tag into the URI, which breaks dialog matching.
public struct SIPAddress: Sendable, Hashable, CustomStringConvertible {
    /// Display name with quoted-pairs resolved, or the token sequence as received;
    /// nil when absent.
    public var displayName: String?
    public var uri: SIPURI
    /// Header parameters (`tag`, `expires`, `q`, `lr` on Route is a URI parameter, not this).
    public var parameters: SIPParameters

    public init(displayName: String? = nil, uri: SIPURI, parameters: SIPParameters = []) {
        self.displayName = displayName
        self.uri = uri
        self.parameters = parameters
    }

    /// The `tag` header parameter (RFC 3261 §19.3).
    public var tag: String? {
        get { parameters["tag"] }
        set { if let newValue { parameters.set("tag", newValue) } else { parameters.remove("tag") } }
    }

    /// Parses one address value. `header` names the field in thrown errors.
    public static func parse(_ text: String, header: String = "Address",
                             limits: SIPParserLimits = .default) throws(SIPParseError) -> SIPAddress {
        var sc = ByteScanner(text)
        return try parse(&sc, header: header, limits: limits)
    }

    static func parse(_ sc: inout ByteScanner, header: String,
                      limits: SIPParserLimits) throws(SIPParseError) -> SIPAddress {
        func bad(_ d: String) -> SIPParseError { SIPParseError(.badHeader, header: header, detail: d) }
        sc.skipLWS()
        var display: String? = nil
        var uriBytes: ArraySlice<UInt8>
        if sc.peek() == UInt8(ascii: "\"") {
            // quoted display-name, then LAQUOT
            guard let q = sc.readQuotedString() else { throw bad("unterminated quoted-string") }
            display = q
            sc.skipLWS()
            guard sc.peek() == UInt8(ascii: "<") else { throw bad("expected '<' after display-name") }
            uriBytes = try readBracketed(&sc, bad: bad)
        } else if let lt = firstAngleBeforeParams(sc.remaining) {
            // token display-name: *(token LWS). RFC 4475 lwsdisp allows no LWS before '<'.
            let nameBytes = sc.remaining[sc.remaining.startIndex..<lt]
            var words: [String] = []
            for w in nameBytes.split(whereSeparator: SIPChar.isWSP) {
                guard SIPChar.isTokenString(w) else { throw bad("display-name must be quoted") }
                words.append(String(decoding: w, as: UTF8.self))
            }
            display = words.isEmpty ? nil : words.joined(separator: " ")
            sc.advance(nameBytes.count)
            uriBytes = try readBracketed(&sc, bad: bad)
        } else {
            // addr-spec: the URI ends at ';' or LWS; it may not contain ',', '?' or ';' (§20).
            uriBytes = sc.read { !SIPChar.isWSP($0) && $0 != UInt8(ascii: ";") }
            guard !uriBytes.isEmpty else { throw bad("missing URI") }
            if uriBytes.contains(UInt8(ascii: "?")) || uriBytes.contains(UInt8(ascii: ",")) {
                throw bad("URI with '?' or ',' must be in <>")
            }
        }
        let uri: SIPURI
        do {
            uri = try SIPURIParser.parse(uriBytes, limits: limits)
        } catch {
            if error.kind == .tooManyParameters { throw SIPParseError(.tooManyParameters, header: header) }
            throw bad(error.detail ?? "bad URI")
        }
        let params = try SIPHeaderParameterParser.parse(&sc, header: header, limits: limits)
        return SIPAddress(displayName: display, uri: uri, parameters: params)
    }

    /// Position of a '<' that starts name-addr, if it comes before any ';' or '"'.
    private static func firstAngleBeforeParams(_ b: ArraySlice<UInt8>) -> Int? {
        for i in b.indices {
            switch b[i] {
            case UInt8(ascii: "<"): return i
            case UInt8(ascii: ";"), UInt8(ascii: "\""): return nil
            default: continue
            }
        }
        return nil
    }

    /// Reads `<uri>`; no LWS is allowed inside the brackets (RFC 4475 `badaspec`).
    private static func readBracketed(_ sc: inout ByteScanner,
                                      bad: (String) -> SIPParseError) throws(SIPParseError) -> ArraySlice<UInt8> {
        guard sc.consume(UInt8(ascii: "<")) else { throw bad("expected '<'") }
        let inner = sc.read { $0 != UInt8(ascii: ">") }
        guard sc.consume(UInt8(ascii: ">")) else { throw bad("missing '>'") }
        guard !inner.isEmpty else { throw bad("empty <>") }
        if inner.contains(where: { SIPChar.isWSP($0) || $0 == UInt8(ascii: "<") }) {
            throw bad("whitespace inside <>")
        }
        return inner
    }

    /// Always serializes in name-addr form (`"Name" <uri>;params`), which is valid for every
    /// URI; the display name is re-quoted so special characters survive.
    public var description: String {
        var s = ""
        if let displayName, !displayName.isEmpty { s += SIPQuoting.quote(displayName) + " " }
        s += "<" + uri.description + ">"
        s += parameters.serialized()
        return s
    }
}
