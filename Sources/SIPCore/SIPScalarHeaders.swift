/// Single-valued headers with small grammars: CSeq, Call-ID, Max-Forwards,
/// Content-Length, Expires.
///
/// Why grouped: each is a few lines of grammar, and they share the same risk, which
/// is absurd numeric values (RFC 4475 `scalar02`, `scalarlg`, `ncl`). Every
/// number is parsed with overflow detection against its legal range.

/// `CSeq: 1*DIGIT LWS Method` (RFC 3261 §20.16); the number must fit 32 bits (§8.1.1.5).
public struct SIPCSeq: Sendable, Hashable, CustomStringConvertible {
    public var sequence: UInt32
    public var method: SIPMethod

    public init(sequence: UInt32, method: SIPMethod) {
        self.sequence = sequence
        self.method = method
    }

    public static func parse(_ text: String) throws(SIPParseError) -> SIPCSeq {
        func bad(_ d: String) -> SIPParseError { SIPParseError(.badHeader, header: "CSeq", detail: d) }
        var sc = ByteScanner(text)
        sc.skipLWS()
        guard let n = sc.readDecimal(max: UInt64(UInt32.max)) else { throw bad("sequence not a 32-bit number") }
        guard sc.skipLWS() > 0, let m = sc.readToken() else { throw bad("missing method") }
        sc.skipLWS()
        guard sc.isAtEnd else { throw bad("trailing characters") }
        return SIPCSeq(sequence: UInt32(n), method: SIPMethod(m))
    }

    public var description: String { "\(sequence) \(method)" }
}

public enum SIPScalar {
    /// `Call-ID: word [ "@" word ]` (RFC 3261 §20.8). Returns the value unchanged.
    public static func parseCallID(_ text: String) throws(SIPParseError) -> String {
        let b = Array(text.utf8)
        let isWord: (UInt8) -> Bool = { SIPChar.is($0, .word) }
        let parts = b.split(separator: UInt8(ascii: "@"), maxSplits: 1, omittingEmptySubsequences: false)
        guard !b.isEmpty, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(isWord) }) else {
            throw SIPParseError(.badHeader, header: "Call-ID", detail: "not word[@word]")
        }
        return text
    }

    /// `Max-Forwards: 1*DIGIT`, 0...255 (RFC 3261 §20.22, §25.1; leading zeros are fine).
    public static func parseMaxForwards(_ text: String) throws(SIPParseError) -> UInt8 {
        guard let v = SIPDecimal.parse(trimmed(text), max: 255) else {
            throw SIPParseError(.badHeader, header: "Max-Forwards", detail: "not 0...255")
        }
        return UInt8(v)
    }

    /// `Content-Length: 1*DIGIT` (RFC 3261 §20.14). Negative or non-numeric values are
    /// framing errors (RFC 4475 `ncl`); values above `max` are reported as too large.
    public static func parseContentLength(_ text: String, max: Int) throws(SIPParseError) -> Int {
        let t = trimmed(text)
        guard !t.isEmpty, t.allSatisfy(SIPChar.isDigit) else {
            throw SIPParseError(.badHeader, header: "Content-Length", detail: "not a non-negative integer")
        }
        guard let v = SIPDecimal.parse(t, max: UInt64(max)) else {
            throw SIPParseError(.bodyTooLarge, header: "Content-Length")
        }
        return Int(v)
    }

    /// `Expires: delta-seconds` within 0...2^32-1 (RFC 3261 §20.19). Out-of-range
    /// values throw; a registrar may then fall back to its default, as RFC 4475
    /// `scalar02` allows.
    public static func parseExpires(_ text: String) throws(SIPParseError) -> UInt32 {
        guard let v = SIPDecimal.parse(trimmed(text), max: UInt64(UInt32.max)) else {
            throw SIPParseError(.badHeader, header: "Expires", detail: "not delta-seconds")
        }
        return UInt32(v)
    }

    /// Parses a token list (Allow, Supported, Require, Proxy-Require, Unsupported).
    /// Empty elements are skipped, so `Supported:` (empty, legal) yields [].
    public static func parseTokenList(_ values: [String], header: String) throws(SIPParseError) -> [String] {
        var out: [String] = []
        for v in values where !v.isEmpty {
            guard SIPChar.isTokenString(v.utf8) else {
                throw SIPParseError(.badHeader, header: header, detail: "not a token")
            }
            out.append(v)
        }
        return out
    }

    static func trimmed(_ s: String) -> ArraySlice<UInt8> {
        let b = Array(s.utf8)
        var i = 0, j = b.count
        while i < j, SIPChar.isWSP(b[i]) { i += 1 }
        while j > i, SIPChar.isWSP(b[j - 1]) { j -= 1 }
        return b[i..<j]
    }
}
