import Testing
import SIPCore
@testable import SIPDialog

@Suite("Requests within a dialog (RFC 3261 §12.2.1.1, §13.2.2.4)")
struct RequestTests {
    /// Bob's UAS dialog from an INVITE that went through the given Record-Route.
    func bobDialog(recordRoute: [String], aliceContact: String = "sip:user@remoteua") throws -> SIPDialog {
        let inv = try Wire.incomingInvite(recordRoute: recordRoute, contact: aliceContact)
        var d = try SIPDialog.uas(request: inv, localTag: "a6c85cf", localContact: SIPURI.parse("sip:bob@192.0.2.4"),
                                  initialLocalCSeq: 100)
        _ = try d.didSendResponse(Wire.response(200))
        return d
    }

    @Test func strictRoutingExampleOfSection12_2_1_1() throws {
        // RFC 3261 §12.2.1.1: route set <sip:proxy1>, <sip:proxy2>, <sip:proxy3;lr>, <sip:proxy4>,
        // remote target sip:user@remoteua.
        var d = try bobDialog(recordRoute: ["<sip:proxy1>", "<sip:proxy2>", "<sip:proxy3;lr>", "<sip:proxy4>"])
        #expect(d.usesStrictRouting)
        let out = try d.makeRequest(method: .bye)
        #expect(out.message.requestURI?.description == "sip:proxy1")
        #expect(try Wire.routeValues(out.message) == ["sip:proxy2", "sip:proxy3;lr", "sip:proxy4", "sip:user@remoteua"])
        // §8.1.2: with a strict router first, the Request-URI is the next hop.
        #expect(out.nextHop.description == "sip:proxy1")
        #expect(d.nextHop.description == "sip:proxy1")
    }

    @Test func strictRouterURIHeadersAndMethodAreStrippedFromRequestURI() throws {
        var d = try bobDialog(recordRoute: ["<sip:proxy1;transport=tcp;method=INVITE?Subject=x>", "<sip:proxy2;lr>"])
        let out = try d.makeRequest(method: .info)
        #expect(out.message.requestURI?.description == "sip:proxy1;transport=tcp")
        #expect(try Wire.routeValues(out.message) == ["sip:proxy2;lr", "sip:user@remoteua"])
    }

    @Test func looseRouting() throws {
        var d = try bobDialog(recordRoute: ["<sip:p2.biloxi.example.com;lr>", "<sip:p1.atlanta.example.com;lr>"],
                              aliceContact: "sip:alice@pc33.atlanta.example.com")
        #expect(!d.usesStrictRouting)
        let out = try d.makeRequest(method: .bye)
        let m = out.message
        #expect(m.requestURI?.description == "sip:alice@pc33.atlanta.example.com")
        #expect(try Wire.routeValues(m) == ["sip:p2.biloxi.example.com;lr", "sip:p1.atlanta.example.com;lr"])
        #expect(out.nextHop.description == "sip:p2.biloxi.example.com;lr")
        #expect(try m.to()?.tag == Wire.aliceTag)
        #expect(try m.from()?.tag == "a6c85cf")
        #expect(try m.callID() == Wire.callID)
        #expect(try m.cseq() == SIPCSeq(sequence: 100, method: .bye))
        #expect(try m.maxForwards() == 70)
        #expect(!m.contains(.contact))
        #expect(!m.contains(.via))
    }

    @Test func noRouteSetTargetsRemoteTargetDirectly() throws {
        var d = try Wire.aliceDialog()
        let out = try d.makeRequest(method: .options)
        #expect(out.message.requestURI?.description == "sip:bob@192.0.2.4")
        #expect(!out.message.contains(.route))
        #expect(out.nextHop.description == "sip:bob@192.0.2.4")
    }

    @Test func cseqIncrementsAndAckCancelReuse() throws {
        var d = try Wire.aliceDialog()
        let ack = d.makeAck(forInviteCSeq: Wire.inviteCSeq)
        #expect(try ack.message.cseq() == SIPCSeq(sequence: Wire.inviteCSeq, method: .ack))
        #expect(d.localCSeq == Wire.inviteCSeq)

        let reinvite = try d.makeRequest(method: .invite, body: Array("v=0\r\n".utf8), contentType: .sdp)
        #expect(try reinvite.message.cseq() == SIPCSeq(sequence: Wire.inviteCSeq + 1, method: .invite))
        #expect(try reinvite.message.contacts() == [.address(SIPAddress(uri: SIPURI.parse(Wire.aliceContact)))])
        #expect(try reinvite.message.contentType()?.essence == "application/sdp")

        // CANCEL of the pending re-INVITE: same number, same Request-URI, top Via copied (§9.1).
        var sent = reinvite.message
        sent.prepend(.via, "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKre1")
        let cancel = try d.makeCancel(for: sent)
        #expect(try cancel.message.cseq() == SIPCSeq(sequence: Wire.inviteCSeq + 1, method: .cancel))
        #expect(cancel.message.requestURI == sent.requestURI)
        #expect(try cancel.message.vias().map(\.branch) == ["z9hG4bKre1"])
        #expect(cancel.message.firstValue(.to) == sent.firstValue(.to))
        // Via makeRequest, ACK and CANCEL also reuse the last number.
        #expect(try d.makeRequest(method: .ack).message.cseq()?.sequence == Wire.inviteCSeq + 1)
        #expect(try d.makeRequest(method: .cancel).message.cseq()?.sequence == Wire.inviteCSeq + 1)

        let update = try d.makeRequest(method: .update)
        #expect(try update.message.cseq()?.sequence == Wire.inviteCSeq + 2)
        #expect(update.message.contains(.contact))
        let bye = try d.makeRequest(method: .bye)
        #expect(try bye.message.cseq()?.sequence == Wire.inviteCSeq + 3)
        #expect(!bye.message.contains(.contact))
        #expect(d.localCSeq == Wire.inviteCSeq + 3)
    }

    @Test func ackCarriesInviteCredentialsOnly() throws {
        let d = try Wire.aliceDialog(recordRoute: ["<sip:p1.example.com;lr>"])
        let invite = try Wire.invite()
        let creds = SIPDialog.credentials(of: invite)
        #expect(creds.count == 1)
        let junk = [SIPHeaderField(.subject, "not copied")]
        let ack = d.makeAck(forInviteCSeq: Wire.inviteCSeq, credentials: creds + junk)
        #expect(ack.message.firstValue(.proxyAuthorization) == invite.firstValue(.proxyAuthorization))
        #expect(!ack.message.contains(.subject))
        #expect(!ack.message.contains(.contact))
        #expect(ack.message.requestURI?.description == "sip:bob@192.0.2.4")
        #expect(try Wire.routeValues(ack.message) == ["sip:p1.example.com;lr"])
        #expect(ack.message.method == .ack)
    }

    @Test func uasFirstRequestUsesInitialCSeq() throws {
        var d = try bobDialog(recordRoute: [])
        #expect(d.localCSeq == nil)
        #expect(try d.makeRequest(method: .bye).message.cseq()?.sequence == 100)
        #expect(d.localCSeq == 100)
    }

    @Test func extraHeadersCannotOverrideDialogFields() throws {
        var d = try Wire.aliceDialog()
        let out = try d.makeRequest(method: .info, extraHeaders: [
            SIPHeaderField(.callID, "evil"), SIPHeaderField(.cseq, "1 INFO"),
            SIPHeaderField("X-Trace", "42"), SIPHeaderField(.maxForwards, "1"),
        ])
        #expect(out.message.fields(.callID).map(\.value) == [Wire.callID])
        #expect(out.message.fields(.cseq).count == 1)
        #expect(out.message.fields(.maxForwards).map(\.value) == ["70"])
        #expect(out.message.firstValue("X-Trace") == "42")
    }

    @Test func terminatedDialogRefusesRequestsAndCSeqCannotWrap() throws {
        var d = try Wire.aliceDialog()
        d.terminate()
        #expect(throws: SIPDialogError(.dialogTerminated)) { try d.makeRequest(method: .bye) }

        let inv = try Wire.incomingInvite(recordRoute: [])
        var e = try SIPDialog.uas(request: inv, localTag: "x", localContact: SIPURI.parse("sip:b@h"),
                                  initialLocalCSeq: UInt32.max)
        #expect(try e.makeRequest(method: .info).message.cseq()?.sequence == UInt32.max)
        #expect(throws: SIPDialogError(.cseqExhausted, header: "CSeq")) { try e.makeRequest(method: .info) }
    }

    @Test func serializedRequestParsesBack() throws {
        var d = try Wire.aliceDialog(recordRoute: ["<sip:p1.example.com;lr>"])
        var m = try d.makeRequest(method: .bye).message
        m.prepend(.via, "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKbye1")
        let text = SIPSerializer().serializeToString(m)
        #expect(text.hasPrefix("BYE sip:bob@192.0.2.4 SIP/2.0\r\nVia: "))
        let back = try SIPMessageParser().parse(text)
        #expect(back.startLine == m.startLine)
        #expect(back.headers.filter { $0.name != .contentLength } == m.headers)
    }
}
