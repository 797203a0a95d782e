/// A forward-only cursor over the UTF-8 bytes of one header value.
///
/// Why: header grammars (Via, name-addr, CSeq, auth params) are all "token, LWS,
/// separator, token" shapes. One small cursor with bounds-checked `peek` keeps
/// every parser free of index arithmetic, and it never traps: reading past the
/// end yields `nil`. Header values reach it already unfolded, so LWS here means
/// SP / HTAB only.
struct ByteScanner {
    let bytes: [UInt8]
    private(set) var pos: Int

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.pos = 0
    }

    init(_ string: String) { self.init(Array(string.utf8)) }

    var isAtEnd: Bool { pos >= bytes.count }
    var remaining: ArraySlice<UInt8> { bytes[min(pos, bytes.count)...] }

    func peek(_ offset: Int = 0) -> UInt8? {
        let i = pos + offset
        return i < bytes.count ? bytes[i] : nil
    }

    mutating func advance(_ n: Int = 1) { pos = min(bytes.count, pos + n) }

    /// Skips SP / HTAB; returns how many were skipped.
    @discardableResult
    mutating func skipLWS() -> Int {
        let start = pos
        while pos < bytes.count, SIPChar.isWSP(bytes[pos]) { pos += 1 }
        return pos - start
    }

    /// Consumes `b` if it is next.
    mutating func consume(_ b: UInt8) -> Bool {
        guard pos < bytes.count, bytes[pos] == b else { return false }
        pos += 1
        return true
    }

    /// Consumes LWS, `b`, LWS (the RFC's SEMI, COLON, EQUAL, SLASH, COMMA shapes).
    /// Leaves the position unchanged when `b` is not there.
    mutating func consumeSeparator(_ b: UInt8) -> Bool {
        let save = pos
        skipLWS()
        if consume(b) { skipLWS(); return true }
        pos = save
        return false
    }

    /// Reads the longest run of bytes satisfying `pred`.
    mutating func read(while pred: (UInt8) -> Bool) -> ArraySlice<UInt8> {
        let start = pos
        while pos < bytes.count, pred(bytes[pos]) { pos += 1 }
        return bytes[start..<pos]
    }

    /// Reads a token (RFC 3261 `token`), or nil if none is there.
    mutating func readToken() -> String? {
        let run = read(while: SIPChar.isToken)
        return run.isEmpty ? nil : String(decoding: run, as: UTF8.self)
    }

    /// Reads a quoted-string starting at the opening DQUOTE and returns its content with
    /// quoted-pairs resolved. Returns nil (position unchanged) when unterminated or when a
    /// quoted-pair escapes CR/LF, which RFC 3261 forbids.
    mutating func readQuotedString() -> String? {
        guard peek() == UInt8(ascii: "\"") else { return nil }
        let save = pos
        pos += 1
        var out: [UInt8] = []
        while pos < bytes.count {
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") {
                pos += 1
                return String(decoding: out, as: UTF8.self)
            }
            if b == UInt8(ascii: "\\") {
                guard pos + 1 < bytes.count else { break }
                let e = bytes[pos + 1]
                guard e != 0x0A, e != 0x0D else { break }
                out.append(e)
                pos += 2
                continue
            }
            guard b != 0x0A, b != 0x0D else { break }
            out.append(b)
            pos += 1
        }
        pos = save
        return nil
    }

    /// Parses an unsigned decimal with overflow detection; nil when there are no digits
    /// or the value exceeds `max`.
    mutating func readDecimal(max: UInt64) -> UInt64? {
        let run = read(while: SIPChar.isDigit)
        return SIPDecimal.parse(run, max: max)
    }
}

/// Overflow-safe decimal conversion for header scalars (CSeq, Content-Length, ...).
/// RFC 4475 `scalar02`/`scalarlg`/`ncl` send absurd values on purpose.
enum SIPDecimal {
    static func parse<C: Collection>(_ digits: C, max: UInt64) -> UInt64? where C.Element == UInt8 {
        guard !digits.isEmpty else { return nil }
        var v: UInt64 = 0
        for b in digits {
            guard SIPChar.isDigit(b) else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(b - 0x30))
            guard !o1, !o2, s <= max else { return nil }
            v = s
        }
        return v
    }

    static func parse(_ s: String, max: UInt64) -> UInt64? { parse(s.utf8, max: max) }
}
