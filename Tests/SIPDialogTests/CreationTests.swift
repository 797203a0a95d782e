import Testing
import SIPCore
@testable import SIPDialog

@Suite("Dialog creation (RFC 3261 §12.1)")
struct CreationTests {
    @Test func uacFrom2xxReversesRecordRoute() throws {
        let d = try Wire.aliceDialog(recordRoute: ["<sip:p2.biloxi.example.com;lr>", "<sip:p1.atlanta.example.com;lr>"])
        #expect(d.state == .confirmed)
        #expect(d.role == .uac)
        #expect(d.id == SIPDialogID(callID: Wire.callID, localTag: Wire.aliceTag, remoteTag: "a6c85cf"))
        #expect(d.routeSet.map(\.description) == ["sip:p1.atlanta.example.com;lr", "sip:p2.biloxi.example.com;lr"])
        #expect(d.remoteTarget.description == "sip:bob@192.0.2.4")
        #expect(d.localCSeq == Wire.inviteCSeq)
        #expect(d.remoteCSeq == nil)
        #expect(d.localAddress.tag == Wire.aliceTag)
        #expect(d.remoteAddress.tag == "a6c85cf")
        #expect(d.localContact.description == Wire.aliceContact)
        #expect(!d.isSecure)
    }

    @Test func uacRecordRouteInOneCommaSeparatedField() throws {
        let d = try Wire.aliceDialog(recordRoute: ["<sip:p3.example.com;lr>, <sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"])
        #expect(d.routeSet.map(\.host) == ["p1.example.com", "p2.example.com", "p3.example.com"])
    }

    @Test func uasKeepsRecordRouteOrder() throws {
        let inv = try Wire.incomingInvite(recordRoute: ["<sip:p2.biloxi.example.com;lr>", "<sip:p1.atlanta.example.com;lr>"])
        let contact = try SIPURI.parse("sip:bob@192.0.2.4")
        let d = try SIPDialog.uas(request: inv, localTag: "a6c85cf", localContact: contact)
        #expect(d.state == .early)
        #expect(d.role == .uas)
        #expect(d.id == SIPDialogID(callID: Wire.callID, localTag: "a6c85cf", remoteTag: Wire.aliceTag))
        #expect(d.routeSet.map(\.host) == ["p2.biloxi.example.com", "p1.atlanta.example.com"])
        #expect(d.remoteTarget.description == Wire.aliceContact)
        #expect(d.remoteCSeq == Wire.inviteCSeq)
        #expect(d.localCSeq == nil)
        #expect(d.localAddress.tag == "a6c85cf")
        #expect(d.remoteAddress.tag == Wire.aliceTag)
    }

    @Test func uasConfirmsOn2xxAndDiesOnFinalError() throws {
        let inv = try Wire.incomingInvite(recordRoute: [])
        let contact = try SIPURI.parse("sip:bob@192.0.2.4")
        var ok = try SIPDialog.uas(request: inv, localTag: "t1", localContact: contact)
        #expect(try ok.didSendResponse(Wire.response(180, reason: "Ringing", toTag: "t1")) == [])
        #expect(ok.state == .early)
        #expect(try ok.didSendResponse(Wire.response(200, toTag: "t1")) == .confirmed)
        #expect(ok.state == .confirmed)

        var busy = try SIPDialog.uas(request: inv, localTag: "t2", localContact: contact)
        #expect(try busy.didSendResponse(Wire.response(486, reason: "Busy Here", toTag: "t2")) == .terminated)
        #expect(busy.state == .terminated)
    }

    @Test func earlyFrom1xxThenConfirmedBy2xx() throws {
        var d = try SIPDialog.uac(request: Wire.invite(),
                                  response: Wire.response(180, reason: "Ringing", recordRoute: ["<sip:p1.example.com;lr>"]))
        #expect(d.state == .early)
        #expect(d.routeSet.map(\.host) == ["p1.example.com"])
        // The 2xx recomputes the route set and target (§13.2.2.4).
        let ok = try Wire.response(200, recordRoute: ["<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"],
                                   contact: "sip:bob@192.0.2.99")
        let changes = try d.receiveResponse(ok)
        #expect(changes == [.confirmed, .routeSetUpdated, .targetRefreshed])
        #expect(d.state == .confirmed)
        #expect(d.routeSet.map(\.host) == ["p1.example.com", "p2.example.com"])
        #expect(d.remoteTarget.description == "sip:bob@192.0.2.99")
    }

    @Test func non2xxFinalKillsEarlyDialog() throws {
        var d = try SIPDialog.uac(request: Wire.invite(), response: Wire.response(183, reason: "Session Progress"))
        #expect(try d.receiveResponse(Wire.response(486, reason: "Busy Here")) == .terminated)
        #expect(d.state == .terminated)
        // Later messages are ignored.
        #expect(try d.receiveResponse(Wire.response(200)) == [])
        #expect(d.state == .terminated)
    }

    @Test func provisionalWithoutContactFallsBackToRequestURI() throws {
        let d = try SIPDialog.uac(request: Wire.invite(), response: Wire.response(180, reason: "Ringing", contact: nil))
        #expect(d.remoteTarget.description == "sip:bob@biloxi.example.com")
    }

    @Test func missingPiecesAreTypedErrors() throws {
        func kind(_ body: () throws(SIPDialogError) -> SIPDialog) -> SIPDialogError.Kind? {
            do { _ = try body(); return nil } catch { return error.kind }
        }
        let inv = try Wire.invite()
        let noContact = try Wire.response(200, contact: nil)
        #expect(kind { () throws(SIPDialogError) in try SIPDialog.uac(request: inv, response: noContact) } == .missingContact)
        let noTag = try Wire.response(200, toTag: nil)
        #expect(kind { () throws(SIPDialogError) in try SIPDialog.uac(request: inv, response: noTag) } == .missingTag)
        let trying = try Wire.response(100, reason: "Trying", toTag: nil)
        #expect(kind { () throws(SIPDialogError) in try SIPDialog.uac(request: inv, response: trying) } == .notDialogCreating)
        let busy = try Wire.response(486, reason: "Busy Here")
        #expect(kind { () throws(SIPDialogError) in try SIPDialog.uac(request: inv, response: busy) } == .notDialogCreating)
        let otherCSeq = try Wire.response(200, cseq: "1 INVITE")
        #expect(kind { () throws(SIPDialogError) in try SIPDialog.uac(request: inv, response: otherCSeq) } == .notDialogCreating)
        #expect(kind { () throws(SIPDialogError) in try SIPDialog.uac(request: noContact, response: inv) } == .notARequest)

        let c = try SIPURI.parse("sip:bob@192.0.2.4")
        let incomingNoContact = try Wire.incomingInvite(recordRoute: [], contact: nil)
        #expect(kind { () throws(SIPDialogError) in
            try SIPDialog.uas(request: incomingNoContact, localTag: "x", localContact: c) } == .missingContact)
        let inDialog = try Wire.fromBob("INVITE", cseq: 5, contact: "sip:bob@192.0.2.4")
        #expect(kind { () throws(SIPDialogError) in
            try SIPDialog.uas(request: inDialog, localTag: "x", localContact: c) } == .notDialogCreating)
        #expect(kind { () throws(SIPDialogError) in
            try SIPDialog.uas(request: inv, localTag: "", localContact: c) } == .missingTag)
    }

    @Test func ipv6ContactsAndRoutes() throws {
        let d = try Wire.aliceDialog(recordRoute: ["<sip:[2001:db8::10]:5070;lr>"], contact: "sip:bob@[2001:db8::4]:5062;transport=tcp")
        #expect(d.remoteTarget.host == "[2001:db8::4]")
        #expect(d.remoteTarget.port == 5062)
        var dd = d
        let bye = try dd.makeRequest(method: .bye)
        #expect(bye.message.requestURI?.description == "sip:bob@[2001:db8::4]:5062;transport=tcp")
        #expect(try Wire.routeValues(bye.message) == ["sip:[2001:db8::10]:5070;lr"])
        #expect(bye.nextHop.host == "[2001:db8::10]")
        #expect(bye.nextHop.port == 5070)
        // Survives serialize + parse.
        let reparsed = try SIPMessageParser().parseDatagram(bye.message.serialized())
        #expect(reparsed.requestURI == bye.message.requestURI)
    }

    @Test func secureFlagNeedsSipsAndTLS() throws {
        let inv = try Wire.invite(uri: "sips:bob@biloxi.example.com")
        let ok = try Wire.response(200, contact: "sips:bob@192.0.2.4")
        #expect(try SIPDialog.uac(request: inv, response: ok, transport: .tls).isSecure)
        #expect(try !SIPDialog.uac(request: inv, response: ok, transport: .udp).isSecure)
        #expect(try !SIPDialog.uac(request: Wire.invite(), response: ok, transport: .tls).isSecure)
    }
}
