import Testing
@testable import SIPCore

@Suite("SIPURI and SIPAddress")
struct URITests {
    @Test func fullSIPURI() throws {
        let u = try SIPURI.parse("sips:alice:secret@example.com:5061;transport=tls;lr;maddr=239.255.255.1?Subject=hi&Priority=urgent")
        #expect(u.scheme == .sips && u.user == "alice" && u.password == "secret")
        #expect(u.host == "example.com" && u.port == 5061 && u.hostKind == .hostname)
        #expect(u.transport == "tls" && u.isLooseRouter && u.parameters["maddr"] == "239.255.255.1")
        #expect(u.headers.map(\.name) == ["Subject", "Priority"])
        #expect(u.description == "sips:alice:secret@example.com:5061;transport=tls;lr;maddr=239.255.255.1?Subject=hi&Priority=urgent")
    }

    @Test func hostKindsAndIPv6() throws {
        let v6 = try SIPURI.parse("sip:bob@[2001:db8::10]:5070;transport=tcp")
        #expect(v6.host == "[2001:db8::10]" && v6.port == 5070 && v6.hostKind == .ipv6)
        #expect(SIPHost.unbracketed(v6.host) == "2001:db8::10")
        #expect(try SIPURI.parse("sip:[::1]").hostKind == .ipv6)
        #expect(try SIPURI.parse("sip:[::ffff:192.0.2.1]:5060").port == 5060)
        #expect(try SIPURI.parse("sip:192.0.2.1").hostKind == .ipv4)
        #expect(try SIPURI.parse("SIP:User@Example.COM").scheme == .sip)
        #expect(try SIPURI.parse("sip:example.com").portOrDefault == 5060)
        #expect(try SIPURI.parse("sips:example.com").portOrDefault == 5061)
        for bad in ["sip:[2001:db8::10", "sip:[2001:db8:::1]", "sip:[1:2:3:4:5:6:7:8:9]", "sip:256.1.1.1",
                    "sip:host:99999", "sip:host:", "sip:@host", "sip:a b@host", "sip:host;", "sip:host;=x",
                    "sip:user@", "sip:", "<sip:x@y>", "sip:u@h?x", "sip:%zz@host", "1sip:x"] {
            #expect(caught { () throws(SIPParseError) in try SIPURI.parse(bad) }?.kind == .badURI, "\(bad)")
        }
    }

    @Test func telAndOpaqueURIs() throws {
        let t = try SIPURI.parse("tel:+1-201-555-0123;phone-context=example.com")
        #expect(t.scheme == .tel && t.user == "+1-201-555-0123" && t.parameters["phone-context"] == "example.com")
        #expect(t.description == "tel:+1-201-555-0123;phone-context=example.com")
        let o = try SIPURI.parse("urn:service:sos")
        #expect(o.scheme == .other("urn") && o.opaque == "service:sos" && o.description == "urn:service:sos")
        #expect(caught { () throws(SIPParseError) in try SIPURI.parse("tel:") } != nil)
    }

    @Test func escapesAreKeptAndDecodable() throws {
        let u = try SIPURI.parse("sip:%61lice%00x@example.com")
        #expect(u.user == "%61lice%00x" && u.decodedUser == Array("alice".utf8) + [0] + Array("x".utf8))
        #expect(u.description == "sip:%61lice%00x@example.com")
        #expect(SIPPercentEncoding.decode("%4") == nil)
        #expect(SIPPercentEncoding.encode(Array("a b@c".utf8), allowed: .unreserved) == "a%20b%40c")
    }

    @Test func uriParameterLimit() throws {
        let many = "sip:h" + String(repeating: ";p", count: 40)
        let limits = SIPParserLimits(maxURIParameters: 8)
        #expect(caught { () throws(SIPParseError) in try SIPURI.parse(many, limits: limits) }?.kind == .tooManyParameters)
        #expect(try SIPURI.parse("sip:h" + String(repeating: ";p", count: 20)).parameters.count == 20)
        #expect(caught { () throws(SIPParseError) in try SIPURI.parse(many) }?.kind == .tooManyParameters)
    }

    @Test func nameAddrAndAddrSpec() throws {
        let a = try SIPAddress.parse(#""Display \"Q\" Name" <sip:u@h;transport=tcp>;tag=x;expires=5"#, header: "To")
        #expect(a.displayName == #"Display "Q" Name"# && a.uri.transport == "tcp")
        #expect(a.tag == "x" && a.parameters["expires"] == "5")
        #expect(a.description == #""Display \"Q\" Name" <sip:u@h;transport=tcp>;tag=x;expires=5"#)
        // addr-spec: parameters after the URI belong to the header.
        let b = try SIPAddress.parse("sip:u@h;tag=y", header: "From")
        #expect(b.uri.parameters.isEmpty && b.tag == "y" && b.displayName == nil)
        #expect(b.description == "<sip:u@h>;tag=y")
        let c = try SIPAddress.parse("Alice Smith <sip:a@h>")
        #expect(c.displayName == "Alice Smith")
        let d = try SIPAddress.parse("<sip:a@h> ; tag = z ; flag")
        #expect(d.tag == "z" && d.parameters.contains("flag"))
        var e = d
        e.tag = "new"
        #expect(e.tag == "new")
        e.tag = nil
        #expect(!e.parameters.contains("tag"))
    }

    @Test func badAddresses() {
        for bad in [#""unterminated <sip:a@h>"#, "<sip:a@h", "< sip:a@h>", "Bell, Al <sip:a@h>", "sip:a@h?x=y",
                    "<sip:a@h>;", "<sip:a@h>;;tag=1", "<sip:a@h>;tag=", "<>", "", #""x" sip:a@h"#, "<sip:a@h> junk"] {
            #expect(caught { () throws(SIPParseError) in try SIPAddress.parse(bad, header: "To") }?.headerName == "To", "\(bad)")
        }
    }

    @Test func quotingRoundTripsControlBytes() throws {
        let name = "a\"b\\c\u{07}\u{00}d\te"
        let text = SIPQuoting.quote(name) + " <sip:x@y>"
        #expect(try SIPAddress.parse(text).displayName == name)
    }
}
