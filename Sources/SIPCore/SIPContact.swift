/// One Contact header value (RFC 3261 §20.10): an address or the REGISTER wildcard `*`.
///
/// Why separate from `SIPAddress`: `*` is only legal here (§10.2.2 unregister-all),
/// and `expires`/`q` have registrar semantics that callers should not re-parse.
public enum SIPContact: Sendable, Hashable, CustomStringConvertible {
    case wildcard
    case address(SIPAddress)

    public var address: SIPAddress? {
        if case .address(let a) = self { return a }
        return nil
    }

    /// The `expires` contact parameter in seconds. nil when absent or out of the
    /// 32-bit delta-seconds range; RFC 4475 `scalar02` lets a registrar then use its default.
    public var expires: UInt32? {
        address?.parameters["expires"].flatMap { SIPDecimal.parse($0, max: UInt64(UInt32.max)) }.map(UInt32.init)
    }

    /// The `q` preference 0.0...1.0 (validated by `parseList`).
    public var q: Double? {
        guard let v = address?.parameters["q"] else { return nil }
        return SIPContact.qValue(v).map { Double($0) / 1000 }
    }

    /// Parses all values of one Contact field. `*` must stand alone.
    public static func parseList(_ value: String, limits: SIPParserLimits = .default) throws(SIPParseError) -> [SIPContact] {
        let items = try SIPHeaderSplitter.split(value, header: "Contact", limits: limits)
        if items.count == 1, items[0] == "*" { return [.wildcard] }
        var out: [SIPContact] = []
        for item in items {
            guard item != "*" else {
                throw SIPParseError(.badHeader, header: "Contact", detail: "'*' mixed with addresses")
            }
            guard !item.isEmpty else { throw SIPParseError(.badHeader, header: "Contact", detail: "empty value") }
            let a = try SIPAddress.parse(item, header: "Contact", limits: limits)
            if let q = a.parameters.parameter("q"), q.value.flatMap(qValue) == nil {
                throw SIPParseError(.badHeader, header: "Contact", detail: "bad q")
            }
            if let e = a.parameters.parameter("expires"),
               !(e.value.map { !$0.isEmpty && $0.utf8.allSatisfy(SIPChar.isDigit) } ?? false) {
                throw SIPParseError(.badHeader, header: "Contact", detail: "bad expires")
            }
            out.append(.address(a))
        }
        return out
    }

    /// `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )`, in thousandths.
    static func qValue(_ s: String) -> Int? {
        let b = Array(s.utf8)
        guard let first = b.first, first == UInt8(ascii: "0") || first == UInt8(ascii: "1") else { return nil }
        var value = Int(first - 0x30) * 1000
        if b.count == 1 { return value }
        guard b[1] == UInt8(ascii: "."), b.count <= 5 else { return nil }
        var scale = 100
        for d in b[2...] {
            guard SIPChar.isDigit(d) else { return nil }
            value += Int(d - 0x30) * scale
            scale /= 10
        }
        return value <= 1000 ? value : nil
    }

    public var description: String {
        switch self {
        case .wildcard: return "*"
        case .address(let a): return a.description
        }
    }
}

/// `type "/" subtype *( SEMI m-parameter )` (RFC 3261 §20.15 Content-Type, §20.1 Accept).
public struct SIPMediaType: Sendable, Hashable, CustomStringConvertible {
    public var type: String
    public var subtype: String
    public var parameters: SIPParameters

    public init(type: String, subtype: String, parameters: SIPParameters = []) {
        self.type = type
        self.subtype = subtype
        self.parameters = parameters
    }

    public static let sdp = SIPMediaType(type: "application", subtype: "sdp")

    /// `application/sdp`, lowercased, without parameters.
    public var essence: String { (type + "/" + subtype).sipLowercased }

    /// `boundary` parameter of multipart bodies.
    public var boundary: String? { parameters["boundary"] }

    public static func parse(_ text: String, header: String = "Content-Type",
                             limits: SIPParserLimits = .default) throws(SIPParseError) -> SIPMediaType {
        var sc = ByteScanner(text)
        sc.skipLWS()
        guard let t = sc.readToken(), sc.consumeSeparator(UInt8(ascii: "/")), let s = sc.readToken() else {
            throw SIPParseError(.badHeader, header: header, detail: "not type/subtype")
        }
        let params = try SIPHeaderParameterParser.parse(&sc, header: header, limits: limits)
        return SIPMediaType(type: t, subtype: s, parameters: params)
    }

    public var description: String { type + "/" + subtype + parameters.serialized() }
}
