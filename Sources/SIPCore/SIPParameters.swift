/// One `;name[=value]` parameter, on a URI or on a header value.
public struct SIPParameter: Sendable, Hashable {
    /// Name as received; compare with `sipCaseInsensitiveEquals` (RFC 3261 §19.1.4, §7.3.1).
    public var name: String
    /// Value: nil for a flag parameter (`;lr`, `;rport`). For header parameters that were
    /// quoted-strings this is the content with quoted-pairs resolved; URI parameters keep
    /// their `%HH` escapes as received (RFC 4475 `esc01` wants `v%61lue%25%34%31` intact).
    public var value: String?
    /// The value was a quoted-string; the serializer quotes it again.
    public var isQuoted: Bool

    public init(name: String, value: String? = nil, isQuoted: Bool = false) {
        self.name = name
        self.value = value
        self.isQuoted = isQuoted
    }
}

/// An ordered parameter list with case-insensitive lookup.
///
/// Why ordered: serializing must reproduce the order received, and some stacks
/// (and humans reading traces) care. Lookup is linear; lists are capped by
/// `SIPParserLimits` so that is cheap.
public struct SIPParameters: Sendable, Hashable, RandomAccessCollection, ExpressibleByArrayLiteral {
    public var items: [SIPParameter]

    public init(_ items: [SIPParameter] = []) { self.items = items }
    public init(arrayLiteral elements: SIPParameter...) { self.items = elements }

    public var startIndex: Int { items.startIndex }
    public var endIndex: Int { items.endIndex }
    public subscript(position: Int) -> SIPParameter { items[position] }

    /// The first parameter with this name (case-insensitive).
    public func parameter(_ name: String) -> SIPParameter? {
        items.first { $0.name.sipCaseInsensitiveEquals(name) }
    }

    /// True when the parameter is present, with or without a value.
    public func contains(_ name: String) -> Bool { parameter(name) != nil }

    /// The parameter's value; nil when absent or valueless (use `contains` to tell apart).
    public subscript(name: String) -> String? { parameter(name)?.value }

    /// Replaces the first parameter of that name, or appends.
    public mutating func set(_ name: String, _ value: String?, quoted: Bool = false) {
        let p = SIPParameter(name: name, value: value, isQuoted: quoted)
        if let i = items.firstIndex(where: { $0.name.sipCaseInsensitiveEquals(name) }) {
            items[i] = p
        } else {
            items.append(p)
        }
    }

    public mutating func remove(_ name: String) {
        items.removeAll { $0.name.sipCaseInsensitiveEquals(name) }
    }

    /// `;a=b;c` form. Quoted values are re-quoted with `"` and `\` escaped.
    public func serialized() -> String {
        var s = ""
        for p in items {
            s += ";" + p.name
            if let v = p.value {
                s += "=" + (p.isQuoted ? SIPQuoting.quote(v) : v)
            }
        }
        return s
    }
}

/// Parses header parameters: `*( SEMI generic-param )` with LWS allowed around
/// `;` and `=` (RFC 3261 §25.1 SEMI/EQUAL). Shared by Via, name-addr, Contact,
/// Content-Type and friends.
enum SIPHeaderParameterParser {
    /// Parses from the current position to the end of the scanner. Throws with
    /// `header` named when a parameter is empty (`;;`) or malformed.
    static func parse(_ sc: inout ByteScanner, header: String,
                      limits: SIPParserLimits) throws(SIPParseError) -> SIPParameters {
        var params = SIPParameters()
        while true {
            sc.skipLWS()
            if sc.isAtEnd { return params }
            guard sc.consume(UInt8(ascii: ";")) else {
                throw SIPParseError(.badHeader, header: header, detail: "expected ';'")
            }
            sc.skipLWS()
            guard let name = sc.readToken() else {
                throw SIPParseError(.badHeader, header: header, detail: "empty parameter")
            }
            guard params.items.count < limits.maxHeaderParameters else {
                throw SIPParseError(.tooManyParameters, header: header)
            }
            if sc.consumeSeparator(UInt8(ascii: "=")) {
                if sc.peek() == UInt8(ascii: "\"") {
                    guard let v = sc.readQuotedString() else {
                        throw SIPParseError(.badHeader, header: header, detail: "unterminated quoted-string")
                    }
                    params.items.append(SIPParameter(name: name, value: v, isQuoted: true))
                } else {
                    // token / host (IPv4, hostname, [IPv6] or bare IPv6 as RFC 5118 allows).
                    let run = sc.read { SIPChar.isToken($0) || $0 == UInt8(ascii: ":")
                        || $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "]") }
                    guard !run.isEmpty else {
                        throw SIPParseError(.badHeader, header: header, detail: "empty value for \(name)")
                    }
                    params.items.append(SIPParameter(name: name, value: String(decoding: run, as: UTF8.self)))
                }
            } else {
                params.items.append(SIPParameter(name: name))
            }
        }
    }
}

/// quoted-string encoding (RFC 3261 §25.1 `quoted-string`, `quoted-pair`).
public enum SIPQuoting {
    /// Wraps `s` in DQUOTEs, escaping `"`, `\` and control bytes (except HTAB) as quoted-pairs.
    /// CR and LF cannot be quoted-pairs and are dropped.
    public static func quote(_ s: String) -> String {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        out.reserveCapacity(s.utf8.count + 2)
        for b in s.utf8 {
            switch b {
            case 0x0A, 0x0D: continue
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), 0x00...0x08, 0x0B, 0x0C, 0x0E...0x1F, 0x7F:
                out.append(UInt8(ascii: "\\")); out.append(b)
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }
}
