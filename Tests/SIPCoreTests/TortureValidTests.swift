import Testing
@testable import SIPCore

/// RFC 4475 §3.1.1: syntactically valid messages. Each must parse, pass
/// `SIPMessageValidator`, and expose the fields the RFC describes.
@Suite("RFC 4475 valid messages")
struct TortureValidTests {
    @Test func wsinv() throws {
        let m = try Fixture.message("wsinv")
        #expect(m.method == .invite)
        let ruri = try #require(m.requestURI)
        #expect(ruri.user == "vivekg" && ruri.host == "chair-dnrc.example.com" && ruri.port == nil)
        #expect(ruri.parameters.contains("unknownparam") && ruri.parameters["unknownparam"] == nil)
        let to = try #require(try m.to())
        #expect(to.displayName == nil && to.tag == "1918181833n" && to.uri.user == "vivekg")
        let from = try #require(try m.from())
        #expect(from.displayName == #"J Rosenberg \""#)
        #expect(from.tag == "98asjd8" && from.uri.host == "example.com")
        #expect(try m.maxForwards() == 68)
        #expect(try m.callID() == "wsinv.ndaksdj@192.0.2.1")
        #expect(try m.contentLength() == 150)
        #expect(try m.cseq() == SIPCSeq(sequence: 9, method: .invite))
        let vias = try m.vias()
        #expect(vias.count == 3)
        #expect(vias[0].transport == "UDP" && vias[0].host == "192.0.2.2" && vias[0].branch == "390skdjuw")
        #expect(!vias[0].hasMagicCookie)
        #expect(vias[1].transport == "TCP" && vias[1].host == "spindle.example.com" && vias[1].branch == "z9hG4bK9ikj8")
        #expect(vias[2].transport == "UDP" && vias[2].host == "192.168.255.111" && vias[2].branch == "z9hG4bK30239")
        #expect(m.firstValue(.subject) == "")
        #expect(m.firstValue("NewFangledHeader") == "newfangled value continued newfangled value")
        #expect(m.firstValue("unknownheaderwithunusualvalue") == ";;,,;;,;")
        #expect(try m.contentType()?.essence == "application/sdp")
        let routes = try m.routes()
        #expect(routes.count == 1 && routes[0].uri.host == "services.example.com" && routes[0].uri.isLooseRouter)
        #expect(routes[0].uri.parameters["unknownwith"] == "value" && routes[0].uri.parameters.contains("unknown-no-value"))
        let contacts = try m.contacts()
        let c = try #require(contacts.first?.address)
        #expect(contacts.count == 1 && c.displayName == #"Quoted string """#)
        #expect(c.parameters["newparam"] == "newvalue" && c.parameters.contains("secondparam"))
        #expect(contacts[0].q == 0.33)
        #expect(m.body.count == 150)
        try SIPMessageValidator.validate(m)
        // Received names are remembered; lookups are case/compact insensitive.
        #expect(m.headers.contains { $0.receivedName == "MaX-fOrWaRdS" })
        #expect(m.fields(.via).map(\.receivedName) == ["Via", "v"])
    }

    @Test func intmeth() throws {
        let m = try Fixture.message("intmeth")
        let method = try #require(m.method)
        #expect(method.rawValue == "!interesting-Method0123456789_*+`.%indeed'~" && !method.isKnown)
        let ruri = try #require(m.requestURI)
        #expect(ruri.user == "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
        #expect(ruri.password == "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)")
        #expect(ruri.host == "example.com")
        let to = try #require(try m.to())
        #expect(to.displayName == "BEL:\u{07} NUL:\u{00} DEL:\u{7F}")
        let from = try #require(try m.from())
        #expect(from.displayName == "token1~` token2'+_ token3*%!.-")
        #expect(from.parameters["fromParam''~+*_!.-%"] == "работающий")
        #expect(from.tag == "_token~1'+`*%!-.")
        #expect(try m.callID() == #"intmeth.word%ZK-!.*_+'@word`~)(><:\/"][?}{"#)
        #expect(try m.cseq() == SIPCSeq(sequence: 139_122_385, method: method))
        #expect(try m.maxForwards() == 255)
        #expect(try m.topVia()?.branch == "z9hG4bK-.!%66*_+`'~")
        #expect(m.firstValue("extensionHeader-!.%*+_`'~") == "\u{FEFF}大停電")
        try SIPMessageValidator.validate(m)
    }

    @Test func esc01() throws {
        let m = try Fixture.message("esc01")
        let ruri = try #require(m.requestURI)
        #expect(ruri.user == "sips%3Auser%40example.com")
        #expect(ruri.decodedUser == Array("sips:user@example.com".utf8))
        #expect(try m.to()?.uri.decodedUser == Array("user".utf8))
        #expect(try m.from()?.uri.decodedUser == Array("I have spaces".utf8))
        #expect(try m.callID() == "esc01.239409asdfakjkn23onasd0-3234")
        #expect(try m.contentType()?.essence == "application/sdp")
        let c = try #require(try m.contacts().first?.address)
        #expect(c.uri.decodedUser == Array("caller".utf8))
        #expect(c.uri.parameters.contains("%6C%72"))
        let name = try #require(c.uri.parameters["n%61me"])
        #expect(name == "v%61lue%25%34%31")
        // Unescaping is never recursive: the value is "value%41", not "valueA".
        #expect(SIPPercentEncoding.decode(name) == Array("value%41".utf8))
        try SIPMessageValidator.validate(m)
    }

    @Test func escnull() throws {
        let m = try Fixture.message("escnull")
        #expect(m.method == .register)
        let to = try #require(try m.to())
        #expect(to.uri.decodedUser == Array("null-".utf8) + [0] + Array("-null".utf8))
        let contacts = try m.contacts()
        #expect(contacts.count == 2)
        #expect(contacts[0].address?.uri.decodedUser == [0])
        #expect(contacts[1].address?.uri.decodedUser == [0, 0])
        #expect(try m.contentLength() == 0)
        try SIPMessageValidator.validate(m)
    }

    @Test func esc02() throws {
        let m = try Fixture.message("esc02")
        #expect(m.method?.rawValue == "RE%47IST%45R" && m.method != .register)
        #expect(try m.to()?.displayName == "%Z%45")
        #expect(try m.topVia()?.branch == "z9hG4bK209%fzsnel234")
        let contacts = try m.contacts()
        #expect(contacts.compactMap { $0.address?.uri.user } == ["alias1", "alias3"])
        #expect(m.firstValue("C%6Fntact") == "<sip:alias2@host2.example.com>")
        try SIPMessageValidator.validate(m)
    }

    @Test func lwsdisp() throws {
        let m = try Fixture.message("lwsdisp")
        let from = try #require(try m.from())
        #expect(from.displayName == "caller" && from.tag == "323" && from.uri.user == "caller")
        try SIPMessageValidator.validate(m)
    }

    @Test func longreq() throws {
        let m = try Fixture.message("longreq")
        let to = try #require(try m.to())
        #expect(to.displayName == "I have a user name of " + String(repeating: "extreme", count: 10) + " proportion")
        #expect(to.uri.port == 6000 && to.uri.parameters.count == 3)
        #expect(to.uri.parameters["unknownparam1"] == "very" + String(repeating: "long", count: 20) + "value")
        let from = try #require(try m.from())
        #expect(from.tag == "12" + String(repeating: "982", count: 50) + "424")
        #expect(from.parameters.count == 3)
        let vias = try m.vias()
        #expect(vias.count == 34)
        #expect(vias[0].host == "sip33.example.com" && vias[32].host == "sip1.example.com")
        #expect(vias[33].received == "192.0.2.5")
        #expect(vias[33].branch == "very" + String(repeating: "long", count: 50) + "branchvalue")
        #expect(m.firstValue(SIPHeaderName("Unknown-" + String(repeating: "Long", count: 20) + "-Name"))?.hasPrefix("unknown-long") == true)
        #expect(m.body.count == 150)
        try SIPMessageValidator.validate(m)
    }

    @Test func dblreqKeepsOnlyFirstRequest() throws {
        let m = try Fixture.message("dblreq")
        #expect(m.method == .register && m.body.isEmpty)
        #expect(try m.callID() == "dblreq.0ha0isndaksdj99sdfafnl3lk233412")
        #expect(try m.contacts().first?.address?.uri.host == "host.example.com")
        try SIPMessageValidator.validate(m)
    }

    @Test func semiuri() throws {
        let m = try Fixture.message("semiuri")
        let ruri = try #require(m.requestURI)
        #expect(ruri.user == "user;par=u%40example.net" && ruri.host == "example.com" && ruri.parameters.isEmpty)
        #expect(ruri.decodedUser == Array("user;par=u@example.net".utf8))
        let accept = try m.accept()
        #expect(accept.map(\.essence) == ["application/sdp", "application/pkcs7-mime", "multipart/mixed",
                                          "multipart/signed", "message/sip", "message/sipfrag"])
        try SIPMessageValidator.validate(m)
    }

    @Test func transports() throws {
        let m = try Fixture.message("transports")
        #expect(try m.vias().map(\.transport) == ["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"])
        #expect(try m.callID() == "transports.kijh4akdnaqjkwendsasfdj")
        try SIPMessageValidator.validate(m)
    }

    @Test func mpart01() throws {
        let m = try Fixture.message("mpart01")
        let ct = try #require(try m.contentType())
        #expect(ct.essence == "multipart/mixed" && ct.boundary == "7a9cbec02ceef655")
        #expect(m.body.count == 553 && m.body.contains(0))
        let via = try #require(try m.topVia())
        #expect(via.port == 5070 && via.hasRport && via.rport == nil)
        let date = try #require(try m.date())
        #expect(date.day == 15 && date.month == 10 && date.year == 2005 && date.hour == 4 && date.second == 56)
        #expect(try m.routes().first?.uri.port == 5080)
        try SIPMessageValidator.validate(m)
    }

    @Test func unreason() throws {
        let m = try Fixture.message("unreason")
        #expect(m.statusCode == 200)
        #expect(m.reasonPhrase == "= 2**3 * 5**2 но сто девяносто девять - простое")
        #expect(try m.to()?.tag == "2229" && m.body.count == 154)
        try SIPMessageValidator.validate(m)
    }

    @Test func noreason() throws {
        let m = try Fixture.message("noreason")
        #expect(m.statusCode == 100 && m.reasonPhrase == "")
        try SIPMessageValidator.validate(m)
    }

    @Test func typicalInviteWithSDP() throws {
        let m = try Fixture.message("invite-sdp")
        #expect(try m.to()?.displayName == "Bob")
        #expect(try m.from()?.displayName == "Alice Liddell")
        let via = try #require(try m.topVia())
        #expect(via.hasRport && via.rport == nil && via.port == 5060 && via.hasMagicCookie)
        let contact = try #require(try m.contacts().first)
        #expect(contact.expires == 3600 && contact.q == 0.7 && contact.address?.uri.transport == "udp")
        #expect(try m.allow().contains(.update) && m.allow().count == 10)
        #expect(try m.supported() == ["replaces", "timer", "100rel"])
        #expect(String(decoding: m.body, as: UTF8.self).hasPrefix("v=0\r\no=alice"))
        #expect(try m.contentLength() == m.body.count)
        try SIPMessageValidator.validate(m)
    }
}
