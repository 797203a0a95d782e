import Testing
@testable import SIPCore

/// RFC 4475 §3.1.2 (invalid), §3.2-§3.5 (transaction/application semantics,
/// backward compatibility). For each: where the defect is caught (parser or
/// validator), with which reason phrase, and whether a 400 can be built.
///
/// Deliberate choices, all permitted by the RFC text:
/// - lwsstart, trws: rejected (strict single-SP start line) rather than repaired.
/// - badaspec: LWS inside `<...>` is rejected rather than ignored.
/// - mismatch02: reported as "CSeq Method Mismatch" (400); a UAS that wants the
///   RFC's preferred 501 checks `method.isKnown` before validating.
/// - inv2543: fails strict validation (no Max-Forwards); accepted with
///   `requireMaxForwards: false`, the RFC 2543 compatibility switch.
/// - bcast, bext01, invut, sdp01, regescrt, cparam01/02, unksm2, zeromf: valid
///   syntax; the policy answers (drop, 420, 415, 406, 400, ...) belong to
///   the transport/UA layers, so here we check they parse and expose the fields
///   those layers need.
@Suite("RFC 4475 invalid and semantic messages")
struct TortureInvalidTests {
    /// Expects parsing to succeed and validation to fail with `kind`/`header`; returns the error.
    @discardableResult
    func expectInvalid(_ name: String, _ kind: SIPParseError.Kind, header: String? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation) throws -> SIPParseError {
        let e = try #require(try validationError(name), "\(name) should fail validation", sourceLocation: sourceLocation)
        #expect(e.kind == kind, "\(name): \(e)", sourceLocation: sourceLocation)
        if let header { #expect(e.headerName == header, "\(name): \(e)", sourceLocation: sourceLocation) }
        return e
    }

    /// Expects the datagram parser itself to reject the fixture.
    @discardableResult
    func expectUnparseable(_ name: String, _ kind: SIPParseError.Kind,
                           sourceLocation: SourceLocation = #_sourceLocation) throws -> SIPParseError {
        let e = try #require(try datagramError(name), "\(name) should not parse", sourceLocation: sourceLocation)
        #expect(e.kind == kind, "\(name): \(e)", sourceLocation: sourceLocation)
        return e
    }

    /// The 400 built from a parsed-but-invalid request.
    func answer(_ name: String, _ e: SIPParseError) throws -> SIPMessage? {
        SIPErrorResponse.make(for: try Fixture.message(name), error: e, toTag: "srv1")
    }

    @Test func badinv01() throws {
        let e = try expectInvalid("badinv01", .badHeader, header: "Via")
        let r = try #require(try answer("badinv01", e))
        #expect(r.statusCode == 400 && r.reasonPhrase == "Bad Header: Via")
        #expect(try r.to()?.tag == "srv1" && r.firstValue(.callID) == "badinv01.0ha0isndaksdjasdf3234nas")
    }

    @Test func clerrOverUDPAndTCP() throws {
        let e = try expectUnparseable("clerr", .contentLengthMismatch)
        #expect(e.reasonPhrase == "Content-Length mismatch")
        let raw = try Fixture.bytes("clerr")
        let r = try #require(SIPErrorResponse.make(forRawRequest: raw, error: e))
        #expect(r.statusCode == 400 && r.reasonPhrase == "Content-Length mismatch")
        #expect(r.fields(.via).count == 1 && r.firstValue(.cseq) == "8 INVITE")
        // On a stream the framer just waits for the rest of the 9999 bytes.
        var framer = SIPStreamFramer()
        var buf = raw
        #expect(try framer.decode(buffer: &buf) == .needMoreData)
        #expect(buf.count == raw.count)
    }

    @Test func ncl() throws {
        let e = try expectUnparseable("ncl", .badHeader)
        #expect(e.reasonPhrase == "Bad Header: Content-Length")
        var framer = SIPStreamFramer()
        var buf = try Fixture.bytes("ncl")
        #expect(caught { () throws(SIPParseError) in try framer.decode(buffer: &buf) }?.headerName == "Content-Length")
    }

    @Test func scalar02() throws {
        let e = try expectInvalid("scalar02", .badHeader, header: "CSeq")
        #expect(e.reasonPhrase == "Bad Header: CSeq")
        let m = try Fixture.message("scalar02")
        #expect(caught { () throws(SIPParseError) in try m.maxForwards() }?.headerName == "Max-Forwards")
        #expect(caught { () throws(SIPParseError) in try m.expires() }?.headerName == "Expires")
        // The contact expiry is out of range: nil means "use the registrar default".
        #expect(try m.contacts().first?.expires == nil)
    }

    @Test func scalarlgResponseIsDiscarded() throws {
        try expectInvalid("scalarlg", .badHeader, header: "CSeq")
        let raw = try Fixture.bytes("scalarlg")
        #expect(SIPErrorResponse.make(forRawRequest: raw, error: SIPParseError(.badHeader, header: "CSeq")) == nil)
        #expect(SIPErrorResponse.make(for: try Fixture.message("scalarlg"), error: SIPParseError(.badHeader)) == nil)
    }

    @Test func quotbal() throws { try expectInvalid("quotbal", .badHeader, header: "To") }

    @Test func ltgtruri() throws {
        let e = try expectUnparseable("ltgtruri", .badRequestURI)
        let r = try #require(SIPErrorResponse.make(forRawRequest: try Fixture.bytes("ltgtruri"), error: e))
        #expect(r.reasonPhrase == "Bad Request-URI" && r.statusCode == 400)
    }

    @Test func lwsruri() throws { try expectUnparseable("lwsruri", .badStartLine) }
    @Test func lwsstart() throws { try expectUnparseable("lwsstart", .badStartLine) }
    @Test func trws() throws { try expectUnparseable("trws", .badStartLine) }
    @Test func escruri() throws { try expectInvalid("escruri", .badRequestURI) }
    @Test func baddate() throws {
        try expectInvalid("baddate", .badHeader, header: "Date")
        #expect(try validationError("baddate", options: .init(validateDate: false)) == nil)
    }
    @Test func regbadct() throws { try expectInvalid("regbadct", .badHeader, header: "Contact") }
    @Test func badaspec() throws { try expectInvalid("badaspec", .badHeader, header: "To") }
    @Test func baddn() throws { try expectInvalid("baddn", .badHeader, header: "From") }

    @Test func badversGets505() throws {
        let e = try expectUnparseable("badvers", .unsupportedVersion)
        #expect(e.suggestedStatusCode == 505)
        let r = try #require(SIPErrorResponse.make(forRawRequest: try Fixture.bytes("badvers"), error: e))
        #expect(r.statusCode == 505 && r.firstValue(.via) == "SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw")
    }

    @Test func mismatch01() throws {
        let e = try expectInvalid("mismatch01", .cseqMethodMismatch)
        #expect(try answer("mismatch01", e)?.reasonPhrase == "CSeq Method Mismatch")
    }

    @Test func mismatch02() throws {
        try expectInvalid("mismatch02", .cseqMethodMismatch)
        #expect(try Fixture.message("mismatch02").method?.isKnown == false)
    }

    @Test func bigcode() throws { try expectUnparseable("bigcode", .badStatusCode) }

    @Test func badbranchParses() throws {
        let m = try Fixture.message("badbranch")
        #expect(try m.topVia()?.branch == "z9hG4bK" && m.topVia()?.hasMagicCookie == true)
        try SIPMessageValidator.validate(m)
    }

    @Test func bcastParses() throws {
        let m = try Fixture.message("bcast")
        #expect(try m.vias()[1].host == "255.255.255.255")
        try SIPMessageValidator.validate(m)
    }

    @Test func bext01() throws {
        let m = try Fixture.message("bext01")
        #expect(try m.require() == ["nothingSupportsThis", "nothingSupportsThisEither"])
        #expect(try m.proxyRequire() == ["noProxiesSupportThis", "norDoAnyProxiesSupportThis"])
        try SIPMessageValidator.validate(m)
    }

    @Test func cparamHeaderVersusURIParameter() throws {
        let c1 = try #require(try Fixture.message("cparam01").contacts().first?.address)
        #expect(c1.parameters.contains("unknownparam") && c1.uri.parameters.isEmpty)
        let c2 = try #require(try Fixture.message("cparam02").contacts().first?.address)
        #expect(c2.uri.parameters.contains("unknownparam") && c2.parameters.isEmpty)
        #expect(c1.uri.user == "+19725552222")
    }

    @Test func insufIsAnsweredWithWhatIsThere() throws {
        let e = try expectInvalid("insuf", .missingHeader, header: "Call-ID")
        let r = try #require(try answer("insuf", e))
        #expect(r.reasonPhrase == "Missing Header: Call-ID" && r.fields(.via).count == 1 && !r.contains(.callID))
    }

    @Test func inv2543() throws {
        try expectInvalid("inv2543", .missingHeader, header: "Max-Forwards")
        #expect(try validationError("inv2543", options: .init(requireMaxForwards: false)) == nil)
        let m = try Fixture.message("inv2543")
        #expect(m.body.count == 105)   // no Content-Length on UDP: the rest of the datagram
        #expect(try m.topVia()?.branch == nil)
        // addr-spec form: ";user=phone" is a header parameter here (RFC 3261 §20.10).
        #expect(try m.to()?.parameters["user"] == "phone")
        #expect(try m.from()?.uri.parameters["user"] == "phone")
    }

    @Test func invut() throws {
        let m = try Fixture.message("invut")
        #expect(try m.contentType()?.essence == "application/unknownformat")
        try SIPMessageValidator.validate(m)
    }

    @Test func mcl01() throws { try expectUnparseable("mcl01", .multipleContentLength) }

    @Test func multi01() throws {
        let e = try expectInvalid("multi01", .duplicateHeader, header: "CSeq")
        #expect(e.reasonPhrase == "Duplicate Header: CSeq")
    }

    @Test func novelAndUnknownSchemes() throws {
        let n = try #require(try Fixture.message("novelsc").requestURI)
        #expect(n.scheme == .other("soap.beep") && n.opaque == "//192.0.2.103:3002")
        let u = try #require(try Fixture.message("unkscm").requestURI)
        #expect(u.scheme == .other("nobodyknowsthisscheme") && u.description == "nobodyKnowsThisScheme:totallyopaquecontent")
        let m = try Fixture.message("unksm2")
        #expect(try m.to()?.uri.scheme == .other("isbn") && m.to()?.uri.opaque == "2983792873")
        #expect(try m.from()?.uri.scheme == .other("http"))
        #expect(try m.contacts().first?.address?.uri.opaque == "John_Smith")
        for name in ["novelsc", "unkscm", "unksm2"] { #expect(try validationError(name) == nil, "\(name)") }
    }

    @Test func regaut01() throws {
        let m = try Fixture.message("regaut01")
        let cred = try #require(try m.authorization().first)
        #expect(cred.scheme == "NoOneKnowsThisScheme" && cred["opaque-data"] == "here" && !cred.isDigest)
        try SIPMessageValidator.validate(m)
    }

    @Test func regescrtParsesWithURIHeaders() throws {
        let m = try Fixture.message("regescrt")
        let c = try #require(try m.contacts().first?.address)
        #expect(c.uri.headers == [SIPURIHeader(name: "Route", value: "%3Csip:sip.example.com%3E")])
        try SIPMessageValidator.validate(m)
    }

    @Test func sdp01AndZeromf() throws {
        #expect(try Fixture.message("sdp01").accept().map(\.essence) == ["text/nobodyknowsthis"])
        #expect(try Fixture.message("zeromf").maxForwards() == 0)
        #expect(try validationError("sdp01") == nil && validationError("zeromf") == nil)
    }
}
