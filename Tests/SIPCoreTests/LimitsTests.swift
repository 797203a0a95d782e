import Testing
@testable import SIPCore

/// Every `SIPParserLimits` ceiling produces its own typed error.
@Suite("Limits")
struct LimitsTests {
    func parseError(_ text: String, _ limits: SIPParserLimits = .default) -> SIPParseError? {
        caught { () throws(SIPParseError) in try SIPMessageParser(limits: limits).parse(text) }
    }

    @Test func oversizeMessage() {
        let body = String(repeating: "x", count: 70_000)
        let e = parseError("MESSAGE sip:a@b SIP/2.0\r\n\r\n" + body)
        #expect(e?.kind == .messageTooLarge && e?.suggestedStatusCode == 513)
        let raw = Array(("MESSAGE sip:a@b SIP/2.0\r\n\r\n" + body).utf8)
        let viaPointer = raw.withUnsafeBytes { p in
            caught { () throws(SIPParseError) in try SIPMessageParser().parseDatagram(p) }
        }
        #expect(viaPointer?.kind == .messageTooLarge)
    }

    @Test func bodyTooLarge() {
        let limits = SIPParserLimits(maxBodySize: 10)
        #expect(parseError("MESSAGE sip:a@b SIP/2.0\r\n\r\n" + String(repeating: "x", count: 11), limits)?.kind == .bodyTooLarge)
        #expect(parseError("MESSAGE sip:a@b SIP/2.0\r\nl: 11\r\n\r\n" + String(repeating: "x", count: 11), limits)?.kind == .bodyTooLarge)
    }

    @Test func tooManyHeaders() {
        let headers = String(repeating: "X-A: 1\r\n", count: 257)
        #expect(parseError("OPTIONS sip:a@b SIP/2.0\r\n" + headers + "\r\n")?.kind == .tooManyHeaders)
        let ok = String(repeating: "X-A: 1\r\n", count: 256)
        #expect(parseError("OPTIONS sip:a@b SIP/2.0\r\n" + ok + "\r\n") == nil)
    }

    @Test func longLines() {
        let long = String(repeating: "a", count: 8_200)
        let e = parseError("OPTIONS sip:a@b SIP/2.0\r\nX-Long: " + long + "\r\n\r\n")
        #expect(e?.kind == .lineTooLong)
        #expect(parseError("OPTIONS sip:" + long + "@b SIP/2.0\r\n\r\n")?.kind == .lineTooLong)
        // Folding cannot be used to get around the limit.
        let folded = String(repeating: " " + String(repeating: "b", count: 1000) + "\r\n", count: 10)
        let f = parseError("OPTIONS sip:a@b SIP/2.0\r\nX-Fold: a\r\n" + folded + "\r\n")
        #expect(f?.kind == .lineTooLong && f?.headerName == "X-Fold")
    }

    @Test func parameterLimits() throws {
        let limits = SIPParserLimits(maxHeaderParameters: 4)
        let via = "SIP/2.0/UDP h" + String(repeating: ";a=1", count: 5)
        #expect(caught { () throws(SIPParseError) in try SIPVia.parse(via, limits: limits) }?.kind == .tooManyParameters)
        #expect(caught { () throws(SIPParseError) in try SIPAddress.parse("<sip:a@b>;a;b;c;d;e", limits: limits) }?.kind == .tooManyParameters)
        let uriLimits = SIPParserLimits(maxURIHeaders: 2)
        #expect(caught { () throws(SIPParseError) in try SIPURI.parse("sip:a@b?a=1&b=2&c=3", limits: uriLimits) }?.kind == .tooManyParameters)
        let rl = SIPParserLimits(maxURIParameters: 2)
        let e = caught { () throws(SIPParseError) in try SIPMessageParser(limits: rl).parse("OPTIONS sip:a@b;x;y;z SIP/2.0\r\n\r\n") }
        #expect(e?.kind == .tooManyParameters)
    }

    @Test func reasonPhrasesArePrintableASCII() {
        let e = SIPParseError(.badHeader, header: "X-\u{7}Evil\r\nInjected: 1", detail: String(repeating: "d", count: 500))
        #expect(e.reasonPhrase == "Bad Header: X-EvilInjected:1")
        #expect((e.detail?.utf8.count ?? 0) < 110)
        #expect(SIPParseError(.contentLengthMismatch).reasonPhrase == "Content-Length mismatch")
        #expect(SIPParseError(.unsupportedVersion).suggestedStatusCode == 505)
    }
}
