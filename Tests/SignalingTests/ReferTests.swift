import Foundation
import SIPCore
@testable import SIPSession
import Testing
import Timebase
import Wire

/// REFER and NOTIFY in both roles (RFC 3515, RFC 5589): the outcomes orch sees as `call.transfer` and `call.referred`.
@Suite struct ReferTests {
    static let blind = SessionCommand.transfer(SigAPI.CallTransfer(call: CallID("a1"), target: "sip:carol@127.0.0.1:5064"), partner: nil)

    func notify(_ h: Harness, cseq: Int, sipfrag: String, state: String) -> SIPMessage {
        peerRequest("NOTIFY", callID: h.callID, ourTag: h.ourTag, cseq: cseq, extra: "Event: refer\nSubscription-State: \(state)\n",
                    body: sipfrag + "\n", contentType: "message/sipfrag;version=2.0")
    }

    @Test func aTransferThatSucceedsEndsOurCall() throws {
        var h = Harness()
        h.connectOutgoing()
        let sent = h.command(Self.blind, token: 4)
        let (refer, purpose) = try #require(sent.requests.first)
        #expect(purpose == .refer && refer.method == .refer && refer.firstValue("Refer-To") == "<sip:carol@127.0.0.1:5064>")
        #expect(refer.firstValue("Referred-By")?.contains("sip-client@127.0.0.1") == true && sent.replies.isEmpty)

        let accepted = h.receive(response(to: refer, 202), .refer)
        #expect(accepted.events == [.transfer(CallTransferEvent(call: CallID("a1"), code: 202, reason: "REFER accepted", final: false))])
        guard case .success(.transfer(let result))? = accepted.replies.first else { Issue.record("no reply"); return }
        #expect(result.call == CallID("a1"))

        let trying = h.receive(request: notify(h, cseq: 1, sipfrag: "SIP/2.0 100 Trying", state: "active;expires=60"))
        #expect(trying.statuses == [200] && trying.events.first == .transfer(CallTransferEvent(call: CallID("a1"), code: 100, reason: "Trying", final: false)))
        let done = h.receive(request: notify(h, cseq: 2, sipfrag: "SIP/2.0 200 OK", state: "terminated;reason=noresource"))
        #expect(done.statuses == [200])
        #expect(done.events.first == .transfer(CallTransferEvent(call: CallID("a1"), code: 200, reason: "OK", final: true, success: true)))
        #expect(done.requests.first?.request.method == .bye && done.states.last?.reason == "transferred" && done.ended)
    }

    @Test func aTransferThatFailsLeavesTheCallUp() throws {
        var h = Harness()
        h.connectOutgoing()
        let refer = try #require(h.command(Self.blind).requests.first?.request)
        _ = h.receive(response(to: refer, 202), .refer)
        let failed = h.receive(request: notify(h, cseq: 1, sipfrag: "SIP/2.0 486 Busy Here", state: "terminated;reason=noresource"))
        #expect(failed.events.first == .transfer(CallTransferEvent(call: CallID("a1"), code: 486, reason: "Busy Here", final: true, success: false)))
        #expect(failed.requests.isEmpty && !failed.ended && h.session.wireState == .connected)
        // Over: another NOTIFY finds no transfer (481), and a new transfer may start.
        #expect(h.receive(request: notify(h, cseq: 2, sipfrag: "SIP/2.0 200 OK", state: "terminated")).statuses == [481])
        #expect(h.command(Self.blind, token: 7).requests.first?.request.method == .refer)
    }

    @Test func aRefusedReferIsTheCommandsAnswer() throws {
        var h = Harness()
        h.connectOutgoing()
        let refer = try #require(h.command(Self.blind).requests.first?.request)
        let refused = h.receive(response(to: refer, 603), .refer)
        #expect(refused.events.first == .transfer(CallTransferEvent(call: CallID("a1"), code: 603, reason: "603 Decline", final: true, success: false)))
        guard case .failure(let error)? = refused.replies.first else { Issue.record("no reply"); return }
        #expect(error.message == "the peer refused the transfer: 603 Decline")
    }

    @Test func anAttendedTransferNeedsAnotherAnsweredCall() throws {
        var h = Harness()
        h.connectOutgoing()
        let command = SessionCommand.transfer(SigAPI.CallTransfer(call: CallID("a1"), replaces: CallID("b2")),
                                              partner: TransferPartner(call: "b2", referTo: nil))
        guard case .failure(let error)? = h.command(command).replies.first else { Issue.record("no reply"); return }
        #expect(error.code == .badArgs && error.message == "attended transfer needs another answered call; 'b2' is not one")
        var other = Harness()
        other.connectIncoming()
        let referTo = try #require(other.session.referToReplacingThis)
        #expect(referTo.hasPrefix("<sip:bob@127.0.0.1:5062?Replaces=incoming-1%40127.0.0.1%3Bto-tag%3Dpeer%3Bfrom-tag%3Dours>"))
        let attended = h.command(.transfer(SigAPI.CallTransfer(call: CallID("a1"), replaces: CallID("b2")), partner: TransferPartner(call: "b2", referTo: referTo)))
        #expect(attended.requests.first?.request.firstValue("Refer-To") == referTo)
    }

    /// As transferee: 202, a NOTIFY 100 Trying at once, `call.referred` for orch; orch's progress goes back as NOTIFYs,
    /// the final one ending the implicit subscription.
    @Test func aPeersReferIsAcceptedAndOrchsOutcomeGoesBackAsNotify() throws {
        var h = Harness()
        h.connectIncoming()
        let refer = peerRequest("REFER", callID: h.callID, ourTag: h.ourTag, cseq: 2,
                                extra: "Refer-To: <sip:carol@127.0.0.1:5064>\nReferred-By: <sip:bob@127.0.0.1:5062>\n")
        let got = h.receive(request: refer)
        #expect(got.statuses == [202])
        let trying = try #require(got.requests.first)
        #expect(trying.purpose == .notify && trying.request.firstValue("Event") == "refer")
        #expect(trying.request.firstValue("Subscription-State") == "active;expires=60" && trying.request.text == "SIP/2.0 100 Trying\r\n")
        #expect(got.events.contains(.referred(CallReferredEvent(call: CallID(h.session.id), target: "sip:carol@127.0.0.1:5064",
                                                                 referredBy: "<sip:bob@127.0.0.1:5062>"))))
        #expect(h.receive(request: refer).statuses == [491], "one REFER at a time")

        let final = h.command(.referNotify(SigAPI.CallReferNotify(call: CallID(h.session.id), code: 200)))
        let notify = try #require(final.requests.first?.request)
        #expect(notify.text == "SIP/2.0 200 OK\r\n" && notify.firstValue("Subscription-State") == "terminated;reason=noresource")
        guard case .failure(let error)? = h.command(.referNotify(SigAPI.CallReferNotify(call: CallID(h.session.id), code: 200))).replies.first else {
            Issue.record("no reply"); return
        }
        #expect(error.code == .notFound)
    }
}
