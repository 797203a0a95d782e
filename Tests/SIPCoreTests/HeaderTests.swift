import Testing
@testable import SIPCore

@Suite("Headers: names, folding, splitting, typed values")
struct HeaderTests {
    let parser = SIPMessageParser()

    func msg(_ headers: String, body: String = "") throws -> SIPMessage {
        try parser.parse(("OPTIONS sip:bob@example.com SIP/2.0\n" + headers + "\n\n").crlf + body)
    }

    @Test func compactFormsNormalize() throws {
        let m = try msg("""
            v: SIP/2.0/UDP a.example.com;branch=z9hG4bK1
            f: <sip:a@example.com>;tag=1
            t: <sip:b@example.com>
            i: abc@host
            m: <sip:a@10.0.0.1>
            l: 0
            c: text/plain
            k: timer
            e: gzip
            s: hello
            o: presence
            u: dialog
            r: <sip:c@example.com>
            b: <sip:d@example.com>
            x: 1800
            y: sig
            CSeq: 1 OPTIONS
            """)
        let expected = ["Via", "From", "To", "Call-ID", "Contact", "Content-Length", "Content-Type", "Supported",
                        "Content-Encoding", "Subject", "Event", "Allow-Events", "Refer-To", "Referred-By",
                        "Session-Expires", "Identity", "CSeq"]
        #expect(m.headers.map(\.name.canonical) == expected)
        #expect(m.headers.first?.receivedName == "v")
        #expect(try m.callID() == "abc@host" && m.supported() == ["timer"])
        #expect(SIPHeaderName("VIA") == .via && SIPHeaderName("v") == .via && SIPHeaderName("call-id").canonical == "Call-ID")
        #expect(SIPHeaderName("X-Custom").canonical == "X-Custom" && SIPHeaderName("x-custom") == SIPHeaderName("X-CUSTOM"))
        #expect(SIPHeaderName.via.compactForm == "v" && SIPHeaderName.cseq.compactForm == nil)
    }

    @Test func foldingIsUnfolded() throws {
        let m = try msg("Subject: first\n  second\n\tthird\nCSeq:\n 7\n  OPTIONS\nVia: SIP/2.0/UDP h;branch=z9hG4bKx")
        #expect(m.firstValue(.subject) == "first  second\tthird")
        #expect(try m.cseq() == SIPCSeq(sequence: 7, method: .options))
        let e = caught { () throws(SIPParseError) in try parser.parse("OPTIONS sip:a@b SIP/2.0\r\n folded\r\n\r\n") }
        #expect(e?.kind == .malformedHeaderLine)
        // LF-only line ends are tolerated.
        let lf = try parser.parse("OPTIONS sip:a@b SIP/2.0\nCall-ID: x\n\n")
        #expect(lf.firstValue(.callID) == "x")
    }

    @Test func malformedHeaderLines() {
        for bad in ["NoColonHere", ": empty name", "Bad Name: x", "Bäd: x"] {
            let e = caught { () throws(SIPParseError) in try parser.parse("OPTIONS sip:a@b SIP/2.0\r\n\(bad)\r\n\r\n") }
            #expect(e?.kind == .malformedHeaderLine, "\(bad)")
        }
        let invalid: [UInt8] = Array("OPTIONS sip:a@b SIP/2.0\r\nX-A: ".utf8) + [0xFF, 0xFE] + Array("\r\n\r\n".utf8)
        #expect(caught { () throws(SIPParseError) in try parser.parseDatagram(invalid) }?.kind == .invalidUTF8)
    }

    @Test func listSplittingRespectsQuotesAndBrackets() throws {
        let m = try msg("""
            Contact: "Bell, Alexander" <sip:a,b@h;x=1>;q=0.5, <sip:b@h>
            Contact: sip:c@h
            Route: <sip:p1;lr>,<sip:p2;lr>
            Route: <sip:p3;lr>
            WWW-Authenticate: Digest realm="a,b", nonce="n"
            Date: Sat, 13 Nov 2010 23:29:00 GMT
            Allow: INVITE,ACK , BYE,,OPTIONS
            """)
        let contacts = try m.contacts()
        #expect(contacts.count == 3 && contacts[0].address?.displayName == "Bell, Alexander")
        #expect(contacts[0].address?.uri.user == "a,b" && contacts[0].q == 0.5)
        #expect(try m.routes().map(\.uri.host) == ["p1", "p2", "p3"])
        #expect(try m.values(.wwwAuthenticate).count == 1)
        #expect(try m.values(.date) == ["Sat, 13 Nov 2010 23:29:00 GMT"])
        #expect(try m.allow() == [.invite, .ack, .bye, .options])
        #expect(try SIPHeaderSplitter.split(#"a, "b,c", <d,e>, f"#) == ["a", #""b,c""#, "<d,e>", "f"])
        #expect(caught { () throws(SIPParseError) in try SIPHeaderSplitter.split(#"a, "open"#) }?.kind == .badHeader)
        let few = SIPParserLimits(maxValuesPerHeader: 2)
        #expect(caught { () throws(SIPParseError) in try SIPHeaderSplitter.split("a,b,c", limits: few) }?.kind == .tooManyValues)
    }

    @Test func viaIPv6AndRport() throws {
        let m = try Fixture.message("invite-ipv6")
        let vias = try m.vias()
        #expect(vias.count == 2)
        #expect(vias[0].host == "[2001:db8::9:1]" && vias[0].port == 5062 && vias[0].transport == "TCP")
        #expect(vias[0].received == "2001:db8::9:255" && vias[0].rport == 5062 && vias[0].hasRport)
        #expect(vias[1].host == "[2001:db8::1]" && vias[1].port == nil && vias[1].hasRport && vias[1].rport == nil)
        #expect(vias[1].maddr == "[ff05::1]" && vias[1].ttl == 16)
        #expect(try m.requestURI?.hostKind == .ipv6 && m.to()?.uri.port == 5070)
        #expect(try m.recordRoutes().map(\.uri.host) == ["[2001:db8::2]", "proxy.example.com"])
        try SIPMessageValidator.validate(m)
    }

    @Test func viaGrammar() throws {
        let v = try SIPVia.parse("SIP / 2.0 / UDP host.example.com : 5080 ; branch = z9hG4bKabc ; rport = 1234 ; received=1.2.3.4")
        #expect(v.port == 5080 && v.branch == "z9hG4bKabc" && v.rport == 1234 && v.received == "1.2.3.4")
        #expect(v.description == "SIP/2.0/UDP host.example.com:5080;branch=z9hG4bKabc;rport=1234;received=1.2.3.4")
        var built = SIPVia(transport: "TCP", host: "[::1]", port: 5060)
        built.parameters.set("branch", "z9hG4bK1")
        built.parameters.set("rport", nil)
        #expect(built.description == "SIP/2.0/TCP [::1]:5060;branch=z9hG4bK1;rport")
        #expect(try SIPVia.parse(built.description) == built)
        for bad in ["SIP/2.0/UDP", "SIP/2.0 host", "SIP/2.0/UDPhost", "SIP/2.0/UDP h;ttl=256", "SIP/2.0/UDP h;rport=x",
                    "SIP/2.0/UDP h;received=host.name", "SIP/2.0/UDP [::1", "SIP/2.0/UDP h:99999", "SIP/2.0/UDP h;branch=\"q\"",
                    "SIP/2.0/UDP h;maddr=bad_host!", "SIP/2.0/UDP h extra"] {
            #expect(caught { () throws(SIPParseError) in try SIPVia.parse(bad) }?.headerName == "Via", "\(bad)")
        }
    }

    @Test func scalarRanges() throws {
        #expect(try SIPCSeq.parse("4294967295 INVITE").sequence == UInt32.max)
        #expect(caught { () throws(SIPParseError) in try SIPCSeq.parse("4294967296 INVITE") }?.headerName == "CSeq")
        #expect(caught { () throws(SIPParseError) in try SIPCSeq.parse("1INVITE") } != nil)
        #expect(caught { () throws(SIPParseError) in try SIPCSeq.parse("1 INVITE x") } != nil)
        #expect(try SIPScalar.parseMaxForwards("0070") == 70)
        #expect(caught { () throws(SIPParseError) in try SIPScalar.parseMaxForwards("256") } != nil)
        #expect(try SIPScalar.parseExpires("4294967295") == UInt32.max)
        #expect(caught { () throws(SIPParseError) in try SIPScalar.parseContentLength("five", max: 10) }?.kind == .badHeader)
        #expect(caught { () throws(SIPParseError) in try SIPScalar.parseContentLength("11", max: 10) }?.kind == .bodyTooLarge)
        #expect(caught { () throws(SIPParseError) in try SIPScalar.parseCallID("a b") } != nil)
        #expect(caught { () throws(SIPParseError) in try SIPScalar.parseCallID("a@b@c") } != nil)
    }

    @Test func contactWildcardAndParams() throws {
        #expect(try SIPContact.parseList("*") == [.wildcard])
        #expect(caught { () throws(SIPParseError) in try SIPContact.parseList("*, <sip:a@b>") } != nil)
        #expect(caught { () throws(SIPParseError) in try SIPContact.parseList("<sip:a@b>;q=1.5") } != nil)
        #expect(caught { () throws(SIPParseError) in try SIPContact.parseList("<sip:a@b>;expires=soon") } != nil)
        let c = try SIPContact.parseList("<sip:a@b>;q=1.000;expires=60, <sip:c@d>;q=0")
        #expect(c[0].q == 1.0 && c[0].expires == 60 && c[1].q == 0)
    }

    @Test func authChallengesAndCredentials() throws {
        let m = try Fixture.message("challenge-401")
        let ch = try m.wwwAuthenticate()
        #expect(ch.count == 2)
        #expect(ch[0].isDigest && ch[0].realm == "example.com" && ch[0].nonce == "ea9c8e88df84f1cec4341ae6cbe5a359")
        #expect(ch[0].qopOptions == ["auth", "auth-int"] && ch[0].opaque == "" && !ch[0].isStale && ch[0].algorithm == "MD5")
        #expect(ch[1].nonce == "x,y" && ch[1].algorithm == "SHA-256")
        let cred = try SIPAuthHeader.parse(#"Digest username="alice", realm="example.com", nonce="n", uri="sip:example.com", response="0123abcd", qop=auth, nc=00000001, cnonce="c1""#)
        #expect(cred.username == "alice" && cred.uri == "sip:example.com" && cred.nonceCount == "00000001")
        #expect(cred.cnonce == "c1" && cred.response == "0123abcd" && cred.qopOptions == ["auth"])
        #expect(try SIPAuthHeader.parse(cred.description) == cred)
        #expect(try SIPAuthHeader.parse("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==").token68 == "QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
        #expect(try SIPAuthHeader.parse("Digest realm=\"x\", stale=TRUE").isStale)
        for bad in ["", "Digest realm=\"x", "Digest realm=\"x\" nonce=\"y\"", "Digest ,", "Digest realm=x y"] {
            #expect(caught { () throws(SIPParseError) in try SIPAuthHeader.parse(bad, header: "WWW-Authenticate") } != nil, "\(bad)")
        }
    }

    @Test func mediaTypeAndDate() throws {
        let t = try SIPMediaType.parse("multipart/mixed ; boundary=\"b1\"")
        #expect(t.essence == "multipart/mixed" && t.boundary == "b1" && t.description == "multipart/mixed;boundary=\"b1\"")
        #expect(caught { () throws(SIPParseError) in try SIPMediaType.parse("text") } != nil)
        let d = try SIPDate.parse("Sat, 13 Nov 2010 23:29:00 GMT")
        #expect(d.description == "Sat, 13 Nov 2010 23:29:00 GMT")
        for bad in ["Sat, 13 Nov 2010 23:29:00 UTC", "13 Nov 2010 23:29:00 GMT", "Sat, 13 Foo 2010 23:29:00 GMT",
                    "Sat, 13 Nov 2010 24:00:00 GMT"] {
            #expect(caught { () throws(SIPParseError) in try SIPDate.parse(bad) }?.headerName == "Date", "\(bad)")
        }
    }

    @Test func headerMutation() throws {
        var m = try Fixture.message("invite-sdp")
        m.prepend(.via, "SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp")
        #expect(try m.topVia()?.host == "proxy.example.com" && m.vias().count == 2)
        try m.removeFirstValue(.via)
        #expect(try m.topVia()?.host == "pc33.atlanta.example.com")
        m.set(.maxForwards, "69")
        #expect(try m.maxForwards() == 69 && m.fields(.maxForwards).count == 1)
        m.append("X-Injected", "a\r\nEvil: 1")
        #expect(m.firstValue("X-Injected") == "a  Evil: 1" && !m.contains("Evil"))
        m.removeAll(.contact)
        #expect(try m.contacts().isEmpty)
        var two = SIPMessage.request(.options, uri: try SIPURI.parse("sip:a@b"))
        two.append(.via, "SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2")
        try two.removeFirstValue(.via)
        #expect(two.firstValue(.via) == "SIP/2.0/UDP b;branch=z9hG4bK2")
    }
}
