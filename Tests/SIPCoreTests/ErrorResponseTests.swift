import Testing
@testable import SIPCore

@Suite("Error responses and validation")
struct ErrorResponseTests {
    let raw = """
        INVITE sip:bob@example.com SIP/2.0
        v: SIP/2.0/UDP a.example.com;branch=z9hG4bK1
        Via: SIP/2.0/UDP b.example.com;branch=z9hG4bK2,
         SIP/2.0/UDP c.example.com;branch=z9hG4bK3
        f: <sip:alice@example.com>;tag=9
        t: <sip:bob@example.com>
        i: call-1
        CSeq: 1 INVITE
        Max-Forwards: 70
        Content-Length: 5000

        short
        """.crlf

    @Test func rawRequestGetsA400CopyingTheRightHeaders() throws {
        let bytes = Array(raw.utf8)
        let e = try #require(caught { () throws(SIPParseError) in try SIPMessageParser().parseDatagram(bytes) })
        #expect(e.kind == .contentLengthMismatch)
        let r = try #require(SIPErrorResponse.make(forRawRequest: bytes, error: e, toTag: "abc"))
        #expect(r.statusCode == 400 && r.reasonPhrase == "Content-Length mismatch")
        #expect(r.fields(.via).count == 2)
        #expect(try r.vias().count == 3)
        #expect(try r.to()?.tag == "abc" && r.from()?.tag == "9" && r.callID() == "call-1")
        #expect(try r.cseq() == SIPCSeq(sequence: 1, method: .invite))
        // The response itself is well-formed and validates.
        let wire = r.serialized()
        try SIPMessageValidator.validate(try SIPMessageParser().parseDatagram(wire))
        #expect(String(decoding: wire, as: UTF8.self).hasPrefix("SIP/2.0 400 Content-Length mismatch\r\n"))
    }

    @Test func unanswerableInputs() {
        let e = SIPParseError(.badHeader)
        // A response, an ACK, no Via, no CSeq, garbage: nothing to answer.
        for text in ["SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h\r\nCSeq: 1 INVITE\r\n\r\n",
                     "ACK sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nCSeq: 1 ACK\r\n\r\n",
                     "INVITE sip:a@b SIP/2.0\r\nCSeq: 1 INVITE\r\n\r\n",
                     "INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n\r\n",
                     "\u{1}\u{2}garbage", ""] {
            #expect(SIPErrorResponse.make(forRawRequest: Array(text.utf8), error: e) == nil, "\(text)")
        }
        #expect(SIPErrorResponse.make(for: .response(200, reasonPhrase: "OK"), error: e) == nil)
    }

    @Test func existingToTagIsKept() throws {
        let text = "BYE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\nTo: <sip:a@b>;tag=old\r\nCSeq: 2 BYE\r\n\r\n"
        let r = try #require(SIPErrorResponse.make(forRawRequest: Array(text.utf8), error: SIPParseError(.missingHeader, header: "Call-ID"), toTag: "new"))
        #expect(try r.to()?.tag == "old" && r.reasonPhrase == "Missing Header: Call-ID")
    }

    @Test func validatorChecksRequestsAndResponses() throws {
        let base = """
            OPTIONS sip:a@b SIP/2.0
            Via: SIP/2.0/UDP h;branch=z9hG4bKx
            From: <sip:x@y>;tag=1
            To: <sip:a@b>
            Call-ID: c1
            CSeq: 5 OPTIONS
            Max-Forwards: 70
            """
        func check(_ text: String) -> SIPParseError? {
            guard let m = try? SIPMessageParser().parse((text + "\n\n").crlf) else { return SIPParseError(.truncated) }
            return caught { () throws(SIPParseError) in try SIPMessageValidator.validate(m) }
        }
        #expect(check(base) == nil)
        #expect(check(base.replacingOccurrences(of: "Via: SIP/2.0/UDP h;branch=z9hG4bKx\n", with: ""))?.headerName == "Via")
        #expect(check(base + "\nMax-Forwards: 1")?.kind == .duplicateHeader)
        #expect(check(base + "\nRoute: junk")?.headerName == "Route")
        #expect(check(base + "\nContact: *")  == nil)
        #expect(check(base + "\nContent-Type: nonsense")?.headerName == "Content-Type")
        #expect(check(base.replacingOccurrences(of: "Call-ID: c1", with: "Call-ID: a b"))?.headerName == "Call-ID")
        let resp = base.replacingOccurrences(of: "OPTIONS sip:a@b SIP/2.0", with: "SIP/2.0 200 OK")
            .replacingOccurrences(of: "Max-Forwards: 70", with: "")
        #expect(check(resp) == nil)
    }
}
