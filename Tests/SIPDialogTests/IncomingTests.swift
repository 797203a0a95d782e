import Testing
import SIPCore
@testable import SIPDialog

@Suite("Requests received in a dialog (RFC 3261 §12.2.2)")
struct IncomingTests {
    @Test func firstRemoteCSeqIsRecordedThenLowerGets500() throws {
        var d = try Wire.aliceDialog()
        #expect(d.remoteCSeq == nil)
        #expect(d.receiveRequest(try Wire.fromBob("INFO", cseq: 10)) == .accept([]))
        #expect(d.remoteCSeq == 10)
        #expect(d.receiveRequest(try Wire.fromBob("INFO", cseq: 10)) == .accept([]))
        let late = try Wire.fromBob("INFO", cseq: 9)
        let verdict = d.receiveRequest(late)
        #expect(verdict == .reject(statusCode: 500, reasonPhrase: "Server Internal Error"))
        #expect(d.remoteCSeq == 10)
        let resp = try #require(verdict.response(to: late))
        #expect(resp.statusCode == 500)
        #expect(resp.firstValue(.cseq) == "9 INFO")
        #expect(d.receiveRequest(try Wire.fromBob("INFO", cseq: 11)) == .accept([]))
        #expect(d.remoteCSeq == 11)
    }

    @Test func ackAndCancelAreExemptFromOrdering() throws {
        let inv = try Wire.incomingInvite(recordRoute: [])
        var d = try SIPDialog.uas(request: inv, localTag: "a6c85cf", localContact: SIPURI.parse("sip:bob@192.0.2.4"))
        _ = try d.didSendResponse(Wire.response(200))
        // Alice sends UPDATE (314160) before her ACK (314159) arrives.
        let update = try Wire.parse([
            "UPDATE sip:bob@192.0.2.4 SIP/2.0", "Via: SIP/2.0/UDP h;branch=z9hG4bK1",
            "From: <sip:alice@atlanta.example.com>;tag=\(Wire.aliceTag)", "To: <sip:bob@biloxi.example.com>;tag=a6c85cf",
            "Call-ID: \(Wire.callID)", "CSeq: 314160 UPDATE", "Contact: <sip:alice@198.51.100.7>"])
        #expect(d.receiveRequest(update) == .accept(.targetRefreshed))
        #expect(d.remoteTarget.description == "sip:alice@198.51.100.7")
        var ack = update
        ack.startLine = .request(method: .ack, uri: try SIPURI.parse("sip:bob@192.0.2.4"), version: "SIP/2.0")
        ack.set(.cseq, "314159 ACK")
        #expect(d.receiveRequest(ack) == .accept([]))
        #expect(d.remoteCSeq == 314160)
    }

    @Test func reinviteRefreshesTargetOnRequest() throws {
        var d = try Wire.aliceDialog()
        let v = d.receiveRequest(try Wire.fromBob("INVITE", cseq: 20, contact: "sip:bob@[2001:db8::99]:5080"))
        #expect(v == .accept(.targetRefreshed))
        #expect(d.remoteTarget.host == "[2001:db8::99]")
        // Same Contact again: no change reported. Non-refresh methods never touch the target.
        #expect(d.receiveRequest(try Wire.fromBob("INVITE", cseq: 21, contact: "sip:bob@[2001:db8::99]:5080")) == .accept([]))
        #expect(d.receiveRequest(try Wire.fromBob("INFO", cseq: 22, contact: "sip:elsewhere@192.0.2.200")) == .accept([]))
        #expect(d.remoteTarget.host == "[2001:db8::99]")
    }

    @Test func byeTerminates() throws {
        var d = try Wire.aliceDialog()
        #expect(d.receiveRequest(try Wire.fromBob("BYE", cseq: 30)) == .accept(.terminated))
        #expect(d.state == .terminated)
        #expect(d.receiveRequest(try Wire.fromBob("INFO", cseq: 31)) ==
                .reject(statusCode: 481, reasonPhrase: "Call/Transaction Does Not Exist"))
    }

    @Test func foreignTagsAre481AndGarbageIs400() throws {
        var d = try Wire.aliceDialog()
        #expect(d.receiveRequest(try Wire.fromBob("INFO", cseq: 1, fromTag: "other")) ==
                .reject(statusCode: 481, reasonPhrase: SIPDialogResponse.reason481))
        var bad = try Wire.fromBob("INFO", cseq: 1)
        bad.set(.cseq, "x INFO")
        guard case .reject(400, let reason) = d.receiveRequest(bad) else {
            Issue.record("expected 400"); return
        }
        #expect(reason == "Bad Header: CSeq")
        #expect(d.remoteCSeq == nil)
    }
}
