/// Grammar-checked URI parsing (RFC 3261 §19.1.1 and §25.1, RFC 3966 loosely).
///
/// Why strict character checks: a URI with LWS, `<` or bad escapes is a sign the
/// peer mis-framed something (RFC 4475 `lwsruri`, `ltgtruri`, `badaspec`), and
/// accepting it would make us forward garbage. Errors are `.badURI`; callers
/// rethrow them with the header or Request-URI they came from.
enum SIPURIParser {
    static func fail(_ detail: String) -> SIPParseError { SIPParseError(.badURI, detail: detail) }

    static func parse(_ b: ArraySlice<UInt8>, limits: SIPParserLimits) throws(SIPParseError) -> SIPURI {
        guard let colon = b.firstIndex(of: UInt8(ascii: ":")) else { throw fail("no scheme") }
        let schemeBytes = b[b.startIndex..<colon]
        guard let f = schemeBytes.first, SIPChar.isAlpha(f),
              schemeBytes.allSatisfy({ SIPChar.is($0, .schemeChar) }) else { throw fail("bad scheme") }
        let scheme = String(decoding: schemeBytes, as: UTF8.self)
        let rest = b[(colon + 1)...]
        switch scheme.sipLowercased {
        case "sip": return try parseSIP(rest, scheme: .sip, limits: limits)
        case "sips": return try parseSIP(rest, scheme: .sips, limits: limits)
        case "tel": return try parseTel(rest, limits: limits)
        default:
            guard !rest.isEmpty, rest.allSatisfy({ SIPChar.is($0, .uric) }),
                  SIPChar.matches(rest, .uric, escapes: true) else { throw fail("bad absoluteURI") }
            return SIPURI(scheme: .other(scheme), opaque: String(decoding: rest, as: UTF8.self))
        }
    }

    private static func parseSIP(_ b: ArraySlice<UInt8>, scheme: SIPURIScheme,
                                 limits: SIPParserLimits) throws(SIPParseError) -> SIPURI {
        var uri = SIPURI(scheme: scheme)
        var p = b.startIndex
        // userinfo: '@' cannot appear unescaped anywhere else in a SIP URI.
        if let at = b.firstIndex(of: UInt8(ascii: "@")) {
            let userinfo = b[p..<at]
            let colon = userinfo.firstIndex(of: UInt8(ascii: ":"))
            let userBytes = userinfo[userinfo.startIndex..<(colon ?? userinfo.endIndex)]
            guard !userBytes.isEmpty,
                  SIPChar.matches(userBytes, [.unreserved, .userExtra], escapes: true) else {
                throw fail("bad user")
            }
            uri.user = String(decoding: userBytes, as: UTF8.self)
            if let colon {
                let pw = userinfo[(colon + 1)...]
                guard SIPChar.matches(pw, [.unreserved, .passwordExtra], escapes: true) else {
                    throw fail("bad password")
                }
                uri.password = String(decoding: pw, as: UTF8.self)
            }
            p = at + 1
        }
        // host
        let hostStart = p
        if p < b.endIndex, b[p] == UInt8(ascii: "[") {
            guard let close = b[p...].firstIndex(of: UInt8(ascii: "]")) else { throw fail("unterminated IPv6") }
            p = close + 1
        } else {
            while p < b.endIndex, b[p] != UInt8(ascii: ":"), b[p] != UInt8(ascii: ";"), b[p] != UInt8(ascii: "?") { p += 1 }
        }
        let hostBytes = b[hostStart..<p]
        guard SIPHost.kind(of: hostBytes) != nil else { throw fail("bad host") }
        uri.host = String(decoding: hostBytes, as: UTF8.self)
        // port
        if p < b.endIndex, b[p] == UInt8(ascii: ":") {
            p += 1
            let ps = p
            while p < b.endIndex, SIPChar.isDigit(b[p]) { p += 1 }
            guard let port = SIPDecimal.parse(b[ps..<p], max: 65_535) else { throw fail("bad port") }
            uri.port = UInt16(port)
        }
        // parameters
        if p < b.endIndex, b[p] == UInt8(ascii: ";") {
            let end = b[p...].firstIndex(of: UInt8(ascii: "?")) ?? b.endIndex
            uri.parameters = try parseURIParams(b[(p + 1)..<end], limits: limits)
            p = end
        }
        // headers
        if p < b.endIndex, b[p] == UInt8(ascii: "?") {
            uri.headers = try parseURIHeaders(b[(p + 1)...], limits: limits)
            p = b.endIndex
        }
        guard p == b.endIndex else { throw fail("trailing characters") }
        return uri
    }

    /// `pname [ "=" pvalue ]` separated by ';', each 1*paramchar.
    static func parseURIParams(_ b: ArraySlice<UInt8>, limits: SIPParserLimits) throws(SIPParseError) -> SIPParameters {
        var params = SIPParameters()
        for piece in b.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: false) {
            guard params.items.count < limits.maxURIParameters else {
                throw SIPParseError(.tooManyParameters, detail: "URI parameters")
            }
            let eq = piece.firstIndex(of: UInt8(ascii: "="))
            let name = piece[piece.startIndex..<(eq ?? piece.endIndex)]
            guard !name.isEmpty, SIPChar.matches(name, [.unreserved, .paramExtra], escapes: true) else {
                throw fail("bad uri-parameter")
            }
            var value: String? = nil
            if let eq {
                let v = piece[(eq + 1)...]
                guard !v.isEmpty, SIPChar.matches(v, [.unreserved, .paramExtra], escapes: true) else {
                    throw fail("bad uri-parameter value")
                }
                value = String(decoding: v, as: UTF8.self)
            }
            params.items.append(SIPParameter(name: String(decoding: name, as: UTF8.self), value: value))
        }
        return params
    }

    private static func parseURIHeaders(_ b: ArraySlice<UInt8>, limits: SIPParserLimits) throws(SIPParseError) -> [SIPURIHeader] {
        var out: [SIPURIHeader] = []
        for piece in b.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false) {
            guard out.count < limits.maxURIHeaders else {
                throw SIPParseError(.tooManyParameters, detail: "URI headers")
            }
            guard let eq = piece.firstIndex(of: UInt8(ascii: "=")) else { throw fail("bad uri-header") }
            let n = piece[piece.startIndex..<eq], v = piece[(eq + 1)...]
            guard !n.isEmpty, SIPChar.matches(n, [.unreserved, .hnvExtra], escapes: true),
                  SIPChar.matches(v, [.unreserved, .hnvExtra], escapes: true) else { throw fail("bad uri-header") }
            out.append(SIPURIHeader(name: String(decoding: n, as: UTF8.self), value: String(decoding: v, as: UTF8.self)))
        }
        return out
    }

    /// RFC 3966, liberally: a number of digits, hex digits and visual separators, then
    /// `;name[=value]` parameters.
    private static func parseTel(_ b: ArraySlice<UInt8>, limits: SIPParserLimits) throws(SIPParseError) -> SIPURI {
        let semi = b.firstIndex(of: UInt8(ascii: ";")) ?? b.endIndex
        let number = b[b.startIndex..<semi]
        let allowed: (UInt8) -> Bool = { c in
            SIPChar.isHex(c) || "*#+-.()pPwW".utf8.contains(c)
        }
        guard !number.isEmpty, number.allSatisfy(allowed) else { throw fail("bad telephone-subscriber") }
        var uri = SIPURI(scheme: .tel, user: String(decoding: number, as: UTF8.self))
        if semi < b.endIndex {
            uri.parameters = try parseURIParams(b[(semi + 1)...], limits: limits)
        }
        return uri
    }
}
