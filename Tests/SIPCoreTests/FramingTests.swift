import Testing
@testable import SIPCore

/// Datagram and stream framing (RFC 3261 §18.3), in the spirit of NIO's
/// ByteToMessageDecoderVerifier: the same input fed whole and byte by byte.
@Suite("Framing")
struct FramingTests {
    let parser = SIPMessageParser()

    /// Feeds `input` to a fresh framer in chunks of `chunk` bytes, collecting messages.
    func frame(_ input: [UInt8], chunk: Int, limits: SIPParserLimits = .default) throws(SIPParseError) -> ([SIPMessage], [UInt8]) {
        var framer = SIPStreamFramer(limits: limits)
        var buffer: [UInt8] = []
        var out: [SIPMessage] = []
        var i = 0
        while i < input.count {
            buffer += input[i..<min(input.count, i + chunk)]
            i += chunk
            while case .message(let m) = try framer.decode(buffer: &buffer) { out.append(m) }
        }
        return (out, buffer)
    }

    @Test func datagramBodyRules() throws {
        // Absent Content-Length on UDP: body is the rest.
        let noCL = try parser.parse("MESSAGE sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\nhello")
        #expect(noCL.body == Array("hello".utf8))
        // Shorter Content-Length: truncate.
        let short = try parser.parse("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 3\r\n\r\nhello")
        #expect(short.body == Array("hel".utf8))
        // Longer: error.
        let e = caught { () throws(SIPParseError) in try parser.parse("MESSAGE sip:a@b SIP/2.0\r\nl: 9\r\n\r\nhello") }
        #expect(e?.kind == .contentLengthMismatch && e?.reasonPhrase == "Content-Length mismatch")
        // Leading keep-alive CRLFs are skipped; a pure keep-alive is recognized.
        #expect(try parser.parse("\r\n\r\nOPTIONS sip:a@b SIP/2.0\r\n\r\n").method == .options)
        #expect(SIPMessageParser.isKeepAlive(Array("\r\n\r\n".utf8)))
        #expect(caught { () throws(SIPParseError) in try parser.parse("\r\n\r\n") }?.kind == .emptyMessage)
        #expect(caught { () throws(SIPParseError) in try parser.parse("OPTIONS sip:a@b SIP/2.0\r\nVia: x") }?.kind == .truncated)
    }

    @Test func streamWholeAndByteByByteAgree() throws {
        let one = try Fixture.bytes("invite-sdp")
        let two = try Fixture.bytes("wsinv")
        let three = try Fixture.bytes("mpart01")
        let input = Array("\r\n\r\n".utf8) + one + Array("\r\n".utf8) + two + three + Array("\r\n\r\n".utf8)
        let expected = try [one, two, three].map { b throws in try parser.parseDatagram(b) }
        for chunk in [1, 2, 7, 64, input.count] {
            let (msgs, rest) = try frame(input, chunk: chunk)
            #expect(msgs == expected, "chunk \(chunk)")
            #expect(rest.isEmpty, "chunk \(chunk)")
        }
    }

    @Test func sliceVariantConsumesInPlace() throws {
        let one = try Fixture.bytes("zeromf"), two = try Fixture.bytes("bext01")
        var slice = (one + two)[...]
        var framer = SIPStreamFramer()
        guard case .message(let m1) = try framer.decode(buffer: &slice) else { Issue.record("no first"); return }
        #expect(slice.startIndex == one.count && m1.firstValue(.callID)?.hasPrefix("zeromf") == true)
        guard case .message(let m2) = try framer.decode(buffer: &slice) else { Issue.record("no second"); return }
        #expect(slice.isEmpty && m2.firstValue(.callID)?.hasPrefix("bext01") == true)
        #expect(try framer.decode(buffer: &slice) == .needMoreData)
    }

    @Test func dblreqOnAStreamYieldsBothRequests() throws {
        // Over TCP the second request in dblreq is a real message. Its SDP is 153 bytes
        // while Content-Length says 150, so "C\r\n" is left waiting as the start of a
        // next message (RFC 4475 notes a stream receiver can only wait or close).
        let (msgs, rest) = try frame(try Fixture.bytes("dblreq"), chunk: 5)
        #expect(msgs.map(\.method) == [.register, .invite] && msgs[1].body.count == 150)
        #expect(rest == Array("C\r\n".utf8))
    }

    @Test func streamErrors() throws {
        let noCL = Array("OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n".utf8)
        #expect(caught { () throws(SIPParseError) in try frame(noCL, chunk: 3) }?.kind == .missingContentLength)
        let mcl = try Fixture.bytes("mcl01")
        #expect(caught { () throws(SIPParseError) in try frame(mcl, chunk: 1) }?.kind == .multipleContentLength)
        // A peer that never ends its headers is cut off at the message limit...
        let small = SIPParserLimits(maxMessageSize: 256)
        let endless = Array("OPTIONS sip:a@b SIP/2.0\r\n".utf8) + Array(repeating: Array("X-A: b\r\n".utf8), count: 100).flatMap { $0 }
        #expect(caught { () throws(SIPParseError) in try frame(endless, chunk: 16, limits: small) }?.kind == .messageTooLarge)
        // ...and one that never sends LF, at the line limit.
        let noLF = Array(repeating: UInt8(ascii: "A"), count: 10_000)
        #expect(caught { () throws(SIPParseError) in try frame(noLF, chunk: 100) }?.kind == .lineTooLong)
        // A declared body beyond the limits is refused before buffering it.
        let big = Array("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 60000\r\n\r\n".utf8)
        #expect(caught { () throws(SIPParseError) in try frame(big, chunk: 8, limits: small) }?.kind == .messageTooLarge)
        let huge = Array("MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 70000\r\n\r\n".utf8)
        #expect(caught { () throws(SIPParseError) in try frame(huge, chunk: 8) }?.kind == .bodyTooLarge)
    }

    @Test func keepAlivesAreCounted() throws {
        var framer = SIPStreamFramer()
        var buf = Array("\r\n\r\n".utf8)
        #expect(try framer.decode(buffer: &buf) == .needMoreData)
        #expect(buf.isEmpty && framer.skippedKeepAliveBytes == 4)
    }
}
