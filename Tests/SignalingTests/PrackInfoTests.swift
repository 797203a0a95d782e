import Foundation
import SIPCore
@testable import SIPSession
import Testing
import Timebase
import Wire

/// 100rel/PRACK both ways (RFC 3262), DTMF by INFO both ways, and the UAS's CANCEL.
@Suite struct PrackInfoTests {
    @Test func aCallerRequiring100relGetsAReliable180ResentUntilItsPrack() throws {
        var h = Harness()
        let (_, alerted) = h.incoming(extra: "Require: 100rel\n")
        #expect(alerted.statuses == [100, 180])
        let ringing = try #require(alerted.responses.last)
        let rseq = try #require(ringing.firstValue("RSeq").flatMap { UInt32($0) })
        #expect(ringing.firstValue(.require) == "100rel")
        #expect(h.advance(by: .milliseconds(500)).responses == [ringing])
        #expect(h.timers[.reliableProvisional] == h.now + Duration.seconds(1), "resent at T1, 2T1, ...")
        let prack = peerRequest("PRACK", callID: h.callID, ourTag: h.ourTag, cseq: 2, extra: "RAck: \(rseq) 1 INVITE\n")
        #expect(h.receive(request: prack).statuses == [200] && h.timers[.reliableProvisional] == nil)
        let wrong = peerRequest("PRACK", callID: h.callID, ourTag: h.ourTag, cseq: 3, extra: "RAck: \(rseq &+ 1) 1 INVITE\n")
        #expect(h.receive(request: wrong).statuses == [481])
    }

    @Test func noPrackWithin64T1FailsTheCallWith504() {
        var h = Harness()
        h.incoming(extra: "Require: 100rel\n")
        let gaveUp = h.advance(by: .seconds(40))
        #expect(gaveUp.statuses.last == 504 && gaveUp.logs.last?.cause == "prack-timeout" && gaveUp.ended)
    }

    @Test func weprackAReliableProvisionalOnce() throws {
        var h = Harness()
        let dial = SigAPI.CallDial(call: CallID("a1"), to: "sip:bob@127.0.0.1:5062", media: MediaEndpoint(address: "127.0.0.1", port: 30000))
        let (session, actions) = InviteSession.dial(dial, preferences: nil, account: nil, reply: nil, now: h.now, context: &h.context)
        h.session = session
        let invite = try #require(actions.requests.first?.request)
        let reliable = response(to: invite, 180, extra: [("Require", "100rel"), ("RSeq", "7")])
        let pracked = h.receive(reliable, .invite)
        let (prack, purpose) = try #require(pracked.requests.first)
        #expect(purpose == .prack && prack.method == .prack && prack.firstValue("RAck") == "7 1 INVITE" && prack.cseqNumber == 2)
        #expect(h.receive(reliable, .invite).requests.isEmpty, "a retransmission is not PRACKed again")
    }

    @Test func dtmfInfoArrivesAsAnEventAndOtherBodiesGet415() {
        var h = Harness()
        h.connectIncoming()
        let digit = h.receive(request: peerRequest("INFO", callID: h.callID, ourTag: h.ourTag, cseq: 2, body: "Signal=5\nDuration=160\n",
                                                   contentType: "application/dtmf-relay"))
        #expect(digit.statuses == [200])
        #expect(digit.events == [.dtmf(DTMFReceivedEvent(call: CallID(h.session.id), digit: "5", method: .info, durationMs: 160))])
        let star = h.receive(request: peerRequest("INFO", callID: h.callID, ourTag: h.ourTag, cseq: 3, body: "10", contentType: "application/dtmf"))
        #expect(star.events == [.dtmf(DTMFReceivedEvent(call: CallID(h.session.id), digit: "*", method: .info))])
        let other = h.receive(request: peerRequest("INFO", callID: h.callID, ourTag: h.ourTag, cseq: 4, body: "{}", contentType: "application/json"))
        #expect(other.statuses == [415] && other.responses.first?.firstValue(.accept) == "application/dtmf-relay, application/dtmf")
    }

    @Test func dtmfDigitsGoOutOneInfoAtATime() throws {
        var h = Harness()
        h.connectOutgoing()
        let queued = h.command(.dtmfInfo(SigAPI.CallDTMFInfo(call: CallID("a1"), digits: "4#")))
        guard case .success(.dtmfInfo(let result))? = queued.replies.first else { Issue.record("no reply"); return }
        #expect(result.queued == 2 && queued.requests.count == 1)
        let first = try #require(queued.requests.first)
        #expect(first.purpose == .info && first.request.text == "Signal=4\r\nDuration=100\r\n")
        let next = h.receive(response(to: first.request, 200), .info)
        #expect(next.requests.first?.request.text == "Signal=#\r\nDuration=100\r\n")
        guard case .failure(let bad)? = h.command(.dtmfInfo(SigAPI.CallDTMFInfo(call: CallID("a1"), digits: "12x"))).replies.first else {
            Issue.record("no reply"); return
        }
        #expect(bad.message == "digits must be 0-9, *, #, A-D (got '12x')")
    }

    @Test func aCancelGets200AndTheInvite487() {
        var h = Harness()
        let (invite, _) = h.incoming()
        var cancel = invite
        cancel.startLine = .request(method: .cancel, uri: invite.requestURI!, version: "SIP/2.0")
        cancel.set(.cseq, "1 CANCEL")
        cancel.body = []
        let cancelled = h.record(h.session.receive(cancel: cancel, transaction: h.newServerTransaction(), now: h.now, context: &h.context))
        #expect(cancelled.statuses == [200, 487])
        #expect(cancelled.states.last?.reason == "cancelled by caller" && cancelled.ended)
    }

    @Test func anAnswerSlotAnswersInTheSamePassWithout100Or180() throws {
        var h = Harness()
        let (_, actions) = h.incoming(slot: AnswerSlot(slot: "s1", worker: "rtp-1", address: "127.0.0.1", port: 31000))
        #expect(actions.statuses == [200] && actions.responses.first?.text.contains("m=audio 31000") == true)
        guard case .incoming(let event)? = actions.events.first else { Issue.record("no call.incoming"); return }
        #expect(event.answered?.slot == "s1" && event.remoteMedia?.port == 40000)
        #expect(actions.states.map(\.state) == [.incoming, .connected])
    }
}
