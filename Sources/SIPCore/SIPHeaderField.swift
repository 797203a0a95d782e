/// One header field as it appeared in the message, after unfolding.
///
/// Why keep it as text: a softphone must forward and echo headers it does not
/// understand verbatim (RFC 3261 §8.2.6.2, §16.6), and typed parsing of every
/// header up front would reject messages over headers nobody reads. Typed views
/// (`SIPVia`, `SIPAddress`, ...) are parsed on demand from `value`.
public struct SIPHeaderField: Sendable, Hashable {
    /// Normalized name used for lookup; compact forms are expanded here.
    public var name: SIPHeaderName
    /// The name exactly as received (e.g. "v", "MaX-fOrWaRdS"); equal to
    /// `name.canonical` for fields built in code.
    public var receivedName: String
    /// Field value with folding removed and surrounding whitespace trimmed.
    public var value: String

    /// Builds a field in code. CR and LF in `value` are replaced by SP so a caller
    /// cannot inject extra header lines.
    public init(_ name: SIPHeaderName, _ value: String) {
        self.name = name
        self.receivedName = name.canonical
        self.value = Self.sanitized(value)
    }

    /// Builds a field from the raw received name (compact forms allowed).
    public init(receivedName: String, value: String) {
        self.name = SIPHeaderName(receivedName)
        self.receivedName = receivedName
        self.value = Self.sanitized(value)
    }

    static func sanitized(_ v: String) -> String {
        guard v.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) else { return v }
        return String(decoding: v.utf8.map { ($0 == 0x0D || $0 == 0x0A) ? 0x20 : $0 }, as: UTF8.self)
    }

    /// Equality ignores `receivedName`: "v: x" and "Via: x" carry the same field.
    public static func == (a: Self, b: Self) -> Bool { a.name == b.name && a.value == b.value }
    public func hash(into h: inout Hasher) { h.combine(name); h.combine(value) }
}

/// Splits comma-separated header values (RFC 3261 §7.3.1 `#element`).
///
/// Why a dedicated splitter: commas inside quoted strings (`"Bell, Alexander"`) and
/// inside `<...>` URIs (`<sip:a@b;x=1,2>` is legal in name-addr) are not
/// separators. Only headers whose `SIPHeaderName.isList` is true are split.
public enum SIPHeaderSplitter {
    /// Splits `value` at top-level commas and trims LWS around each element. Empty
    /// elements are kept so typed parsers can reject them (RFC 4475 `badinv01`).
    public static func split(_ value: String, header: String? = nil,
                             limits: SIPParserLimits = .default) throws(SIPParseError) -> [String] {
        let bytes = Array(value.utf8)
        var out: [String] = []
        var start = 0
        var i = 0
        var inQuote = false
        var angle = 0
        func emit(_ end: Int) throws(SIPParseError) {
            guard out.count < limits.maxValuesPerHeader else {
                throw SIPParseError(.tooManyValues, header: header)
            }
            var s = start, e = end
            while s < e, SIPChar.isWSP(bytes[s]) { s += 1 }
            while e > s, SIPChar.isWSP(bytes[e - 1]) { e -= 1 }
            out.append(String(decoding: bytes[s..<e], as: UTF8.self))
        }
        while i < bytes.count {
            let b = bytes[i]
            if inQuote {
                if b == UInt8(ascii: "\\") { i += 2; continue }
                if b == UInt8(ascii: "\"") { inQuote = false }
            } else {
                switch b {
                case UInt8(ascii: "\""): inQuote = true
                case UInt8(ascii: "<"): angle += 1
                case UInt8(ascii: ">"): if angle > 0 { angle -= 1 }
                case UInt8(ascii: ","):
                    if angle == 0 { try emit(i); start = i + 1 }
                default: break
                }
            }
            i += 1
        }
        if inQuote { throw SIPParseError(.badHeader, header: header, detail: "unterminated quoted-string") }
        try emit(min(i, bytes.count))
        return out
    }
}
