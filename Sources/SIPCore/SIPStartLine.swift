/// Request-Line or Status-Line (RFC 3261 §7.1, §7.2).
///
/// Why strict: the start line decides everything downstream, and RFC 4475 shows
/// the liberal readings are ambiguous (`lwsruri`: `sip:user@example.com; lr`
/// could be a URI with LWS or a 4-token line). We require exactly one SP between
/// elements and none trailing, which RFC 4475 permits for `lwsstart` and `trws`.
public enum SIPStartLine: Sendable, Hashable, CustomStringConvertible {
    case request(method: SIPMethod, uri: SIPURI, version: String)
    case response(version: String, statusCode: Int, reasonPhrase: String)

    public var version: String {
        switch self {
        case .request(_, _, let v), .response(let v, _, _): return v
        }
    }

    public var description: String {
        switch self {
        case let .request(m, u, v): return "\(m) \(u) \(v)"
        case let .response(v, c, r): return "\(v) \(c) \(r)"
        }
    }

    /// Parses one line (without CRLF).
    static func parse(_ line: ArraySlice<UInt8>, limits: SIPParserLimits) throws(SIPParseError) -> SIPStartLine {
        guard !line.isEmpty else { throw SIPParseError(.emptyMessage) }
        if line.count >= 4, line.prefix(4).map(SIPChar.lower) == Array("sip/".utf8) {
            return try parseStatusLine(line)
        }
        let parts = line.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) else {
            throw SIPParseError(.badStartLine, detail: "Request-Line needs Method SP Request-URI SP SIP-Version")
        }
        guard SIPChar.isTokenString(parts[0]) else { throw SIPParseError(.badStartLine, detail: "bad method") }
        let version = try parseVersion(parts[2])
        guard !parts[1].contains(where: { $0 < 0x21 || $0 >= 0x7F }) else {
            throw SIPParseError(.badRequestURI, detail: "control or non-ASCII byte")
        }
        let uri: SIPURI
        do {
            uri = try SIPURIParser.parse(parts[1], limits: limits)
        } catch {
            if error.kind == .tooManyParameters { throw error }
            throw SIPParseError(.badRequestURI, detail: error.detail)
        }
        return .request(method: SIPMethod(String(decoding: parts[0], as: UTF8.self)), uri: uri, version: version)
    }

    /// `SIP-Version SP Status-Code SP Reason-Phrase`; a missing final SP after the code
    /// is tolerated (RFC 4475 `noreason` notes liberal receivers accept it).
    private static func parseStatusLine(_ line: ArraySlice<UInt8>) throws(SIPParseError) -> SIPStartLine {
        guard let sp1 = line.firstIndex(of: 0x20) else { throw SIPParseError(.badStartLine, detail: "no Status-Code") }
        let version = try parseVersion(line[line.startIndex..<sp1])
        let rest = line[(sp1 + 1)...]
        let sp2 = rest.firstIndex(of: 0x20) ?? rest.endIndex
        let code = rest[rest.startIndex..<sp2]
        guard code.count == 3, let v = SIPDecimal.parse(code, max: 699), v >= 100 else {
            throw SIPParseError(.badStatusCode)
        }
        let reason = sp2 < rest.endIndex ? rest[(sp2 + 1)...] : rest[rest.endIndex...]
        guard !reason.contains(where: { ($0 < 0x20 && $0 != 0x09) || $0 == 0x7F }) else {
            throw SIPParseError(.badStartLine, detail: "control byte in Reason-Phrase")
        }
        return .response(version: version, statusCode: Int(v), reasonPhrase: String(decoding: reason, as: UTF8.self))
    }

    /// `"SIP" "/" 1*DIGIT "." 1*DIGIT`; only 2.0 is supported (others are 505 material).
    static func parseVersion(_ b: ArraySlice<UInt8>) throws(SIPParseError) -> String {
        let v = String(decoding: b, as: UTF8.self)
        guard b.count >= 7, b.prefix(4).map(SIPChar.lower) == Array("sip/".utf8) else {
            throw SIPParseError(.badVersion, detail: v)
        }
        let nums = b.dropFirst(4).split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard nums.count == 2, nums.allSatisfy({ !$0.isEmpty && $0.count <= 4 && $0.allSatisfy(SIPChar.isDigit) }) else {
            throw SIPParseError(.badVersion, detail: v)
        }
        guard SIPDecimal.parse(nums[0], max: 9999) == 2, SIPDecimal.parse(nums[1], max: 9999) == 0 else {
            throw SIPParseError(.unsupportedVersion, detail: v)
        }
        return "SIP/2.0"
    }
}
