import Foundation
import SIPCore
@testable import SIPSession
import Testing
import Timebase
import Wire

/// re-INVITE and UPDATE both ways: hold and resume, glare (RFC 3261 §14.1: 491 and the random wait), offers in 2xx.
@Suite struct ModifyTests {
    static let hold = SessionCommand.hold(SigAPI.CallHold(call: CallID("a1")))

    /// Both sides re-INVITE at once: the peer's gets 491 from us, ours gets 491 from the peer; we placed the call, so we
    /// wait 2.1-4 s (§14.1) and send the same offer again, which the peer accepts.
    @Test func glareIsAnswered491AndOurOfferIsRetriedAfterTheRandomWait() throws {
        var h = Harness()
        h.connectOutgoing()
        let sent = h.command(Self.hold, token: 5)
        let (reinvite, purpose) = try #require(sent.requests.first)
        #expect(purpose == .reinvite && reinvite.cseqNumber == 2 && reinvite.text.contains("a=sendonly"))
        #expect(sent.replies.isEmpty, "hold answers once the peer did")

        let crossing = h.receive(request: peerRequest("INVITE", callID: h.callID, ourTag: h.ourTag, cseq: 101, body: peerSDP()))
        let refused = try #require(crossing.responses.first)
        #expect(refused.statusCode == 491 && refused.firstValue("Retry-After") == "1")

        let glare = h.receive(response(to: reinvite, 491), .reinvite)
        #expect(glare.requests.isEmpty && glare.replies.isEmpty)
        let retryAt = try #require(h.timers[.glareRetry])
        let wait = retryAt - h.now
        #expect(wait >= .milliseconds(2100) && wait <= .milliseconds(4000), "the owner of the Call-ID waits 2.1-4 s, not \(wait)")
        #expect(h.advance(to: retryAt - Duration.milliseconds(1)).isEmpty)

        let retried = h.advance(to: retryAt)
        let again = try #require(retried.requests.first)
        #expect(again.purpose == .reinvite && again.request.cseqNumber == 3 && again.request.text.contains("a=sendonly"))

        let accepted = h.receive(response(to: again.request, 200, sdp: peerSDP("recvonly")), .reinvite)
        #expect(accepted.sent.first?.method == .ack && accepted.sent.first?.cseqNumber == 3)
        #expect(accepted.states.map(\.state) == [.held])
        guard case .success(.hold(let result))? = accepted.replies.first else { Issue.record("no hold reply"); return }
        #expect(result.state == .held && result.changed)
    }

    /// The side that did not place the call waits 0-2 s; the waits come from the injected generator, so the same seed
    /// gives the same wait.
    @Test func a491FromThePeerOfACallWeAnsweredWaitsUpToTwoSeconds() throws {
        var waits: [Duration] = []
        for _ in 0..<2 {
            var h = Harness()
            h.connectIncoming()
            let reinvite = try #require(h.command(Self.hold).requests.first?.request)
            _ = h.receive(response(to: reinvite, 491), .reinvite)
            waits.append(try #require(h.timers[.glareRetry]) - h.now)
        }
        #expect(waits[0] >= .zero && waits[0] <= .seconds(2) && waits[0] == waits[1])
    }

    @Test func afterThreeRetriesA491IsTheAnswer() throws {
        var h = Harness()
        h.connectOutgoing()
        var reinvite = try #require(h.command(Self.hold, token: 5).requests.first?.request)
        for _ in 0..<3 {
            _ = h.receive(response(to: reinvite, 491), .reinvite)
            reinvite = try #require(h.advance(by: .seconds(5)).requests.first?.request)
        }
        let final = h.receive(response(to: reinvite, 491), .reinvite)
        guard case .failure(let error)? = final.replies.first else { Issue.record("no failure reply"); return }
        #expect(error.message == "the peer refused the re-INVITE: 491 Request Pending; the call goes on as it was")
        #expect(h.session.wireState == .connected && h.timers[.glareRetry] == nil)
    }

    @Test func aSecondHoldWhileOneIsPendingIsRefused() throws {
        var h = Harness()
        h.connectOutgoing()
        _ = h.command(Self.hold, token: 5)
        guard case .failure(let error)? = h.command(.hold(SigAPI.CallHold(call: CallID("a1"), direction: .inactive)), token: 6).replies.first else {
            Issue.record("no reply"); return
        }
        #expect(error.code == .unavailable)
    }

    /// §14.2 / RFC 3264 §5: a re-INVITE without SDP gets our offer in the 200 (resent until the ACK), and the peer's
    /// answer comes in the ACK.
    @Test func aReInviteWithoutSDPGetsOurOfferAndItsAnswerComesInTheAck() throws {
        var h = Harness()
        h.connectIncoming()
        let asked = h.receive(request: peerRequest("INVITE", callID: h.callID, ourTag: h.ourTag, cseq: 2))
        let ok = try #require(asked.responses.first)
        #expect(ok.statusCode == 200 && ok.firstValue(.contentType) == "application/sdp")
        #expect(ok.text.contains("m=audio 30000") && ok.text.contains("a=sendrecv"))
        let due = try #require(h.timers[.retransmit2xx])
        #expect(due == h.now + Duration.milliseconds(500))
        #expect(h.advance(to: due).sent == [ok], "the 200 is resent until the ACK")

        let acked = h.ack(peerRequest("ACK", callID: h.callID, ourTag: h.ourTag, cseq: 2, body: peerSDP("sendonly", port: 42000)))
        #expect(h.timers[.retransmit2xx] == nil)
        let state = try #require(acked.states.first)
        #expect(state.state == .remoteHeld && state.remoteMedia?.port == 42000 && state.remoteMedia?.direction == .recvonly)
    }

    @Test func thePeerHoldsWithAReInviteAndWeAnswerRecvonly() throws {
        var h = Harness()
        h.connectOutgoing()
        let held = h.receive(request: peerRequest("INVITE", callID: h.callID, ourTag: h.ourTag, cseq: 1, body: peerSDP("sendonly")))
        let ok = try #require(held.responses.first)
        #expect(ok.statusCode == 200 && ok.text.contains("a=recvonly"))
        #expect(held.states.map(\.state) == [.remoteHeld])
    }

    @Test func anUpdateWithAnOfferIsAnsweredInIts200() throws {
        var h = Harness()
        h.connectIncoming()
        let updated = h.receive(request: peerRequest("UPDATE", callID: h.callID, ourTag: h.ourTag, cseq: 2, body: peerSDP("inactive")))
        let ok = try #require(updated.responses.first)
        #expect(ok.statusCode == 200 && ok.text.contains("a=inactive"))
        #expect(h.timers[.retransmit2xx] == nil && updated.states.map(\.state) == [.remoteHeld])
    }

    @Test func aRefusedReofferKeepsTheOldCodecs() throws {
        var h = Harness()
        h.connectOutgoing()
        let offer = try #require(h.command(.reoffer(SigAPI.CallReoffer(call: CallID("a1"), codecs: [CodecName("PCMA")])), token: 3).requests.first?.request)
        #expect(offer.text.contains("RTP/AVP 8 101"))
        let refused = h.receive(response(to: offer, 488), .reinvite)
        guard case .failure(let error)? = refused.replies.first else { Issue.record("no reply"); return }
        #expect(error.message.hasPrefix("the peer refused the re-INVITE: 488"))
        #expect(h.session.preferences == nil)
    }
}
