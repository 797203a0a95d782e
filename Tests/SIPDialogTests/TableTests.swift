import Testing
import SIPCore
@testable import SIPDialog

@Suite("Dialog table, forking and limits (RFC 3261 §12.2.2, §13.2.2.4)")
struct TableTests {
    func ringing(_ tag: String, contact: String) throws -> SIPMessage {
        try Wire.response(180, reason: "Ringing", toTag: tag, contact: contact)
    }

    @Test func unknownDialogGets481WithCopiedHeaders() throws {
        var t = SIPDialogTable()
        let req = try Wire.fromBob("INFO", cseq: 7)
        guard case .unknownDialog(let response?) = t.receiveRequest(req) else {
            Issue.record("expected 481"); return
        }
        #expect(response.statusCode == 481)
        #expect(response.reasonPhrase == "Call/Transaction Does Not Exist")
        #expect(response.fields(.via).map(\.value) == req.fields(.via).map(\.value))
        #expect(response.firstValue(.from) == req.firstValue(.from))
        #expect(response.firstValue(.to) == req.firstValue(.to))
        #expect(response.firstValue(.callID) == Wire.callID)
        #expect(response.firstValue(.cseq) == "7 INFO")
        #expect(response.headers.map(\.name) == [.via, .from, .to, .callID, .cseq])

        var ack = req
        ack.startLine = .request(method: .ack, uri: try SIPURI.parse(Wire.aliceContact), version: "SIP/2.0")
        ack.set(.cseq, "7 ACK")
        #expect(t.receiveRequest(ack) == .unknownDialog(response: nil))
    }

    @Test func outOfDialogAndMalformedRequests() throws {
        var t = SIPDialogTable()
        #expect(t.receiveRequest(try Wire.incomingInvite(recordRoute: [])) == .outOfDialog)
        var bad = try Wire.fromBob("INFO", cseq: 1)
        bad.set(.from, "<<garbage")
        guard case .malformed(let e, let r?) = t.receiveRequest(bad) else { Issue.record("expected 400"); return }
        #expect(e.kind == .malformedHeader)
        #expect(r.statusCode == 400)
    }

    @Test func dispatchesAndDropsOnBye() throws {
        var t = SIPDialogTable()
        let d = try Wire.aliceDialog()
        try t.insert(d)
        #expect(t.receiveRequest(try Wire.fromBob("INFO", cseq: 3)) == .dispatched(d.id, .accept([])))
        #expect(t[d.id]?.remoteCSeq == 3)
        let late = try Wire.fromBob("INFO", cseq: 2)
        #expect(t.receiveRequest(late) == .dispatched(d.id, .reject(statusCode: 500, reasonPhrase: "Server Internal Error")))
        #expect(t.receiveRequest(try Wire.fromBob("BYE", cseq: 4)) == .dispatched(d.id, .accept(.terminated)))
        #expect(t.isEmpty)
    }

    @Test func forkingCreatesEarlyDialogsAndSecond2xxGetsAckAndBye() throws {
        var t = SIPDialogTable()
        let invite = try Wire.invite()
        #expect(try t.receiveResponse(Wire.response(100, reason: "Trying", toTag: nil), to: invite) == .noDialog)
        let idA = SIPDialogID(callID: Wire.callID, localTag: Wire.aliceTag, remoteTag: "forkA")
        let idB = SIPDialogID(callID: Wire.callID, localTag: Wire.aliceTag, remoteTag: "forkB")
        let idC = SIPDialogID(callID: Wire.callID, localTag: Wire.aliceTag, remoteTag: "forkC")
        #expect(try t.receiveResponse(ringing("forkA", contact: "sip:bob@192.0.2.10"), to: invite) == .created(idA))
        #expect(try t.receiveResponse(ringing("forkB", contact: "sip:bob@192.0.2.11"), to: invite) == .created(idB))
        #expect(try t.receiveResponse(ringing("forkA", contact: "sip:bob@192.0.2.10"), to: invite) == .updated(idA, []))
        #expect(t.dialogs(forCall: idA.callKey).map(\.state) == [.early, .early])

        // Fork A answers first.
        let okA = try Wire.response(200, toTag: "forkA", contact: "sip:bob@192.0.2.10")
        #expect(try t.receiveResponse(okA, to: invite) == .updated(idA, .confirmed))
        // Fork C answers too, never having sent a 1xx: a new, extra dialog.
        let okC = try Wire.response(200, toTag: "forkC", recordRoute: ["<sip:pc.example.com;lr>"],
                                    contact: "sip:carol@[2001:db8::c]")
        #expect(try t.receiveResponse(okC, to: invite) == .forkedAnswer(idC))
        // Fork B, early until now, answers as well.
        let okB = try Wire.response(200, toTag: "forkB", contact: "sip:bob@192.0.2.11")
        #expect(try t.receiveResponse(okB, to: invite) == .forkedAnswer(idB))

        let actions = try t.forkedAnswerActions(for: idC, credentials: SIPDialog.credentials(of: invite))
        #expect(actions.ack.method == .ack)
        #expect(actions.ack.requestURI?.description == "sip:carol@[2001:db8::c]")
        #expect(try actions.ack.to()?.tag == "forkC")
        #expect(try actions.ack.from()?.tag == Wire.aliceTag)
        #expect(try actions.ack.cseq() == SIPCSeq(sequence: Wire.inviteCSeq, method: .ack))
        #expect(actions.ack.firstValue(.proxyAuthorization) == invite.firstValue(.proxyAuthorization))
        #expect(try Wire.routeValues(actions.ack) == ["sip:pc.example.com;lr"])
        #expect(actions.bye.method == .bye)
        #expect(actions.bye.requestURI?.description == "sip:carol@[2001:db8::c]")
        #expect(try actions.bye.to()?.tag == "forkC")
        #expect(try actions.bye.cseq() == SIPCSeq(sequence: Wire.inviteCSeq + 1, method: .bye))
        #expect(try actions.bye.callID() == Wire.callID)
        #expect(actions.nextHop.description == "sip:pc.example.com;lr")
        #expect(t[idC]?.localCSeq == Wire.inviteCSeq + 1)
        // The fork's 200 to BYE removes its dialog; A stays.
        let byeOK = try Wire.response(200, toTag: "forkC", contact: nil, cseq: "\(Wire.inviteCSeq + 1) BYE")
        #expect(try t.receiveResponse(byeOK, to: actions.bye) == .updated(idC, .terminated))
        #expect(t[idC] == nil)
        #expect(t[idA]?.state == .confirmed)
    }

    @Test func non2xxFinalEndsAllEarlyDialogsOfTheInvite() throws {
        var t = SIPDialogTable()
        let invite = try Wire.invite()
        _ = try t.receiveResponse(ringing("forkA", contact: "sip:a@192.0.2.10"), to: invite)
        _ = try t.receiveResponse(ringing("forkB", contact: "sip:b@192.0.2.11"), to: invite)
        #expect(t.count == 2)
        guard case .terminated(let ended) = try t.receiveResponse(Wire.response(486, reason: "Busy Here", toTag: "forkB"),
                                                                  to: invite) else {
            Issue.record("expected termination"); return
        }
        #expect(Set(ended.map(\.remoteTag)) == ["forkA", "forkB"])
        #expect(t.isEmpty)
        // A final response with a tag nobody has seen (e.g. a proxy's 408) also ends them.
        _ = try t.receiveResponse(ringing("forkA", contact: "sip:a@192.0.2.10"), to: invite)
        guard case .terminated(let ended2) = try t.receiveResponse(Wire.response(408, reason: "Request Timeout",
                                                                                 toTag: "proxy"), to: invite) else {
            Issue.record("expected termination"); return
        }
        #expect(ended2.map(\.remoteTag) == ["forkA"])
        #expect(t.isEmpty)
    }

    @Test func limitsAreEnforced() throws {
        var t = SIPDialogTable(limits: SIPDialogLimits(maxDialogs: 3, maxDialogsPerCall: 2))
        let invite = try Wire.invite()
        _ = try t.receiveResponse(ringing("f1", contact: "sip:a@192.0.2.1"), to: invite)
        _ = try t.receiveResponse(ringing("f2", contact: "sip:a@192.0.2.2"), to: invite)
        #expect(throws: SIPDialogError(.tooManyDialogsForCall)) {
            try t.receiveResponse(ringing("f3", contact: "sip:a@192.0.2.3"), to: invite)
        }
        #expect(t.count == 2)
        // Another call fills the table.
        let inv2 = try Wire.incomingInvite(recordRoute: [])
        try t.insert(SIPDialog.uas(request: inv2, localTag: "u1", localContact: SIPURI.parse("sip:me@h")))
        #expect(throws: SIPDialogError(.tableFull)) {
            try t.insert(SIPDialog.uas(request: inv2, localTag: "u2", localContact: SIPURI.parse("sip:me@h")))
        }
        // Replacing an existing entry is always allowed; removal frees room.
        let u1 = SIPDialogID(callID: Wire.callID, localTag: "u1", remoteTag: Wire.aliceTag)
        try t.insert(#require(t[u1]))
        #expect(t.remove(u1) != nil)
        try t.insert(SIPDialog.uas(request: inv2, localTag: "u2", localContact: SIPURI.parse("sip:me@h")))
        #expect(t.count == 3)
    }

    @Test func routeSetLengthIsCapped() throws {
        let many = (0..<5).map { "<sip:p\($0).example.com;lr>" }
        #expect(throws: SIPDialogError(.routeSetTooLong, header: "Record-Route")) {
            try SIPDialog.uac(request: Wire.invite(), response: Wire.response(200, recordRoute: many),
                              limits: SIPDialogLimits(maxRouteSetSize: 4))
        }
    }

    @Test func withDialogMutatesInPlace() throws {
        var t = SIPDialogTable()
        let d = try Wire.aliceDialog()
        try t.insert(d)
        let out = try t.withDialog(d.id) { (x: inout SIPDialog) throws(SIPDialogError) in try x.makeRequest(method: .info) }
        #expect(try out?.message.cseq()?.sequence == Wire.inviteCSeq + 1)
        #expect(t[d.id]?.localCSeq == Wire.inviteCSeq + 1)
        _ = t.withDialog(d.id) { $0.terminate() }
        #expect(t[d.id] == nil)
    }
}
