import Testing
@testable import SIPCore

/// parse → serialize → parse must be stable for every fixture that parses.
@Suite("Serializer and round trips")
struct RoundTripTests {
    let parser = SIPMessageParser()

    func withoutLength(_ m: SIPMessage) -> [SIPHeaderField] { m.headers.filter { $0.name != .contentLength } }

    @Test(arguments: Fixture.all)
    func roundTrip(_ name: String) throws {
        guard let m1 = try? Fixture.message(name) else { return }   // rejected fixtures are covered elsewhere
        let s1 = m1.serialized()
        let m2 = try parser.parseDatagram(s1)
        #expect(m2.startLine == m1.startLine)
        #expect(withoutLength(m2) == withoutLength(m1))
        #expect(m2.body == m1.body)
        #expect(try m2.contentLength() == m1.body.count)
        #expect(m2.serialized() == s1, "serializer must be idempotent")
        // Typed views survive too.
        #expect((try? m2.vias()) == (try? m1.vias()))
        #expect((try? m2.from()) == (try? m1.from()))
        #expect((try? m2.contacts()) == (try? m1.contacts()))
        #expect(SIPMessageValidator.isValid(m2) == SIPMessageValidator.isValid(m1))
        // Compact and preserved-name forms parse back to the same message.
        let compact = try parser.parseDatagram(m1.serialized(options: .init(useCompactNames: true)))
        #expect(withoutLength(compact) == withoutLength(m1))
        let preserved = try parser.parseDatagram(m1.serialized(options: .init(preserveReceivedNames: true)))
        #expect(withoutLength(preserved).map(\.receivedName) == withoutLength(m1).map(\.receivedName))
    }

    @Test func contentLengthIsRecomputed() throws {
        var m = SIPMessage.request(.message, uri: try SIPURI.parse("sip:bob@example.com"))
        m.append(.via, "SIP/2.0/UDP h;branch=z9hG4bK1")
        m.append(.contentLength, "999")
        m.append(.contentLength, "5")
        m.append("l", "7")
        m.append(.contentType, "text/plain")
        m.body = Array("hello world".utf8)
        let text = String(decoding: m.serialized(), as: UTF8.self)
        #expect(text == "MESSAGE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nContent-Length: 11\r\nContent-Type: text/plain\r\n\r\nhello world")
        var r = SIPMessage.response(180, reasonPhrase: "Ringing")
        r.append(.to, "<sip:a@b>;tag=1")
        #expect(String(decoding: r.serialized(options: .init(useCompactNames: true)), as: UTF8.self)
                == "SIP/2.0 180 Ringing\r\nt: <sip:a@b>;tag=1\r\nl: 0\r\n\r\n")
    }

    @Test func typedValuesSerializeAndReparse() throws {
        let addr = SIPAddress(displayName: "A \"B\"", uri: try SIPURI.parse("sip:a@[::1]:5070;transport=tcp"),
                              parameters: [SIPParameter(name: "tag", value: "t1")])
        #expect(try SIPAddress.parse(addr.description) == addr)
        let via = try SIPVia.parse("SIP/2.0/TLS [2001:db8::1]:5061;branch=z9hG4bKq;rport=1;received=2001:db8::2")
        #expect(try SIPVia.parse(via.description) == via)
        let cseq = SIPCSeq(sequence: 42, method: .bye)
        #expect(try SIPCSeq.parse(cseq.description) == cseq)
        let date = try SIPDate.parse("Mon, 01 Jan 2024 00:00:00 GMT")
        #expect(try SIPDate.parse(date.description) == date)
    }
}
