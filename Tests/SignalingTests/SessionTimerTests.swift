import Foundation
import SIPCore
@testable import SIPSession
import Testing
import Timebase
import Wire

/// RFC 4028 session timers on a virtual clock: the refresher re-INVITEs at half the interval; the other side ends a
/// session nobody refreshed.
@Suite struct SessionTimerTests {
    @Test func weRefreshAtHalfTheIntervalWeWereGiven() throws {
        var h = Harness()
        h.connectOutgoing(answerExtra: [("Session-Expires", "90;refresher=uac"), ("Require", "timer")])
        let connectedAt = h.now
        #expect(h.timers[.sessionTimer] == connectedAt + Duration.seconds(45))
        #expect(h.advance(to: connectedAt + Duration.seconds(44)).requests.isEmpty)
        let refresh = try #require(h.advance(to: connectedAt + Duration.seconds(45)).requests.first)
        #expect(refresh.purpose == .reinvite && refresh.request.cseqNumber == 2)
        #expect(refresh.request.firstValue("Session-Expires") == "90;refresher=uac" && refresh.request.firstValue("Min-SE") == "90")
        #expect(refresh.request.text.contains("a=sendrecv"))
        let ok = h.receive(response(to: refresh.request, 200, extra: [("Session-Expires", "90;refresher=uac")], sdp: peerSDP()), .reinvite)
        #expect(ok.sent.first?.method == .ack)
        #expect(h.timers[.sessionTimer] == h.now + Duration.seconds(45), "the refresh starts the interval again")
        #expect(h.session.wireState == .connected)
    }

    @Test func aSessionThePeerDoesNotRefreshIsEndedWithBye() throws {
        var h = Harness()
        let answered = h.connectIncoming(extra: "Session-Expires: 90;refresher=uac\nSupported: timer\n")
        let ok = try #require(answered.responses.first { $0.statusCode == 200 })
        #expect(ok.firstValue("Session-Expires") == "90;refresher=uac" && ok.firstValue(.require) == "timer")
        let answeredAt = h.now
        // 90 s minus min(32, 90/3): the peer should have refreshed within 60 s.
        #expect(h.timers[.sessionTimer] == answeredAt + Duration.seconds(60))
        let expired = h.advance(to: answeredAt + Duration.seconds(60))
        #expect(expired.requests.first?.request.method == .bye)
        let end = try #require(expired.states.last)
        #expect(end.state == .terminated && end.reason == "session timer expired (RFC 4028)" && end.normal == false)
        #expect(expired.logs.first?.cause == "session-expired" && expired.ended)
    }

    @Test func aRefreshFromThePeerPostponesTheExpiry() throws {
        var h = Harness()
        h.connectIncoming(extra: "Session-Expires: 90;refresher=uac\nSupported: timer\n")
        _ = h.advance(by: .seconds(40))
        let refreshed = h.receive(request: peerRequest("UPDATE", callID: h.callID, ourTag: h.ourTag, cseq: 2,
                                                       extra: "Session-Expires: 90;refresher=uac\nSupported: timer\n"))
        #expect(refreshed.statuses == [200] && refreshed.responses.first?.body.isEmpty == true)
        #expect(h.timers[.sessionTimer] == h.now + Duration.seconds(60))
        #expect(h.advance(by: .seconds(59)).states.isEmpty)
    }

    @Test func aSessionIntervalBelowMinSEGets422() {
        var h = Harness()
        let (_, actions) = h.incoming(extra: "Session-Expires: 30\n")
        #expect(h.session == nil)
        #expect(actions.statuses == [422] && actions.responses.first?.firstValue("Min-SE") == "90")
    }

    /// A restarted sig that is the refresher refreshes at once: the previous one may have died just before its refresh.
    @Test func aRestoredCallWeRefreshIsRefreshedAtOnce() throws {
        var h = Harness()
        h.connectOutgoing(answerExtra: [("Session-Expires", "90;refresher=uac")])
        let snapshot = try #require(h.session.stateEvent().signaling)
        var restored = Harness()
        restored.now = h.now + Duration.seconds(10)
        let (session, actions) = InviteSession.restore(id: "a1", snapshot: snapshot, reply: ReplyToken(1), now: restored.now, context: &restored.context)
        restored.session = try #require(session)
        restored.record(actions)
        #expect(restored.timers[.sessionTimer] == restored.now)
        #expect(actions.logs.first?.message == "restored a call")
        let refresh = try #require(restored.advance(by: .zero).requests.first?.request)
        #expect(refresh.method == .invite && refresh.cseqNumber == 102, "a restored dialog's CSeq goes on 100 past the snapshot's")
        #expect(refresh.firstValue("Session-Expires") == "90;refresher=uac")
    }
}
