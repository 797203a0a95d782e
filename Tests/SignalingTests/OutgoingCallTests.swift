import Foundation
import SIPCore
@testable import SIPSession
import Testing
import Timebase
import Wire

/// The UAC side of an INVITE session, driven with no sockets: the INVITE, provisional and final answers, forked 2xx,
/// digest challenges and CANCEL.
@Suite struct OutgoingCallTests {
    @Test func theInviteCarriesOurOfferAndTheSessionTimerAndThe2xxIsAcked() {
        var h = Harness()
        let dial = SigAPI.CallDial(call: CallID("a1"), to: "bob@127.0.0.1:5062", media: MediaEndpoint(address: "127.0.0.1", port: 30000))
        let (session, actions) = InviteSession.dial(dial, preferences: nil, account: nil, reply: ReplyToken(9), now: h.now, context: &h.context)
        h.session = try! #require(session)
        let (invite, purpose) = try! #require(actions.requests.first)
        #expect(purpose == .invite && invite.method == .invite && invite.requestURI?.description == "sip:bob@127.0.0.1:5062")
        #expect(invite.firstValue(.supported) == "100rel, timer, replaces")
        #expect(invite.firstValue("Session-Expires") == "1800" && invite.firstValue("Min-SE") == "90")
        #expect(invite.text.contains("m=audio 30000 RTP/AVP 0 8 101") && invite.text.contains("a=sendrecv"))
        #expect(try! invite.topVia()?.branch?.hasPrefix("z9hG4bK") == true)
        #expect(actions.states.map(\.state) == [.dialing])
        guard case .success(.dialed(let result))? = actions.replies.first else { Issue.record("no dial reply"); return }
        #expect(result.sipCallID == h.callID)

        let ringing = h.receive(response(to: invite, 180), .invite)
        #expect(ringing.states.map(\.state) == [.ringing] && ringing.states.first?.code == 180)
        let ok = h.receive(response(to: invite, 200, sdp: peerSDP()), .invite)
        let ack = try! #require(ok.sent.first)
        #expect(ack.method == .ack && ack.cseqNumber == 1 && ack.requestURI?.description == "sip:bob@127.0.0.1:5062")
        #expect(try! ack.to()?.tag == "peer")
        #expect(ok.states.map(\.state) == [.connected] && ok.states.first?.remoteMedia?.port == 40000)
        #expect(h.session.stateEvent().signaling?.dialog?.remoteTag == "peer")
    }

    /// §13.2.2.4: a 2xx from a second fork is ACKed and then ended with BYE; the first answer is the call. A
    /// retransmitted 2xx of the first fork gets the same ACK again.
    @Test func forkedAnswersAreAckedAndTheSecondIsByed() {
        var h = Harness()
        let invite = h.connectOutgoing()
        let firstAck = try! #require(h.session.lastAck?.message)

        let fork = h.record(h.session.receive(strayResponse: response(to: invite, 200, tag: "fork2", sdp: peerSDP(port: 41000)), now: h.now,
                                               context: &h.context))
        let ack = try! #require(fork.sent.first)
        #expect(ack.method == .ack && (try! ack.to()?.tag) == "fork2")
        let (bye, purpose) = try! #require(fork.requests.first)
        #expect(bye.method == .bye && purpose == .forkBye && (try! bye.to()?.tag) == "fork2")
        #expect(fork.logs.first?.cause == "fork")
        #expect(fork.states.isEmpty && h.session.wireState == .connected && h.session.remoteMedia?.port == 40000)

        let again = h.record(h.session.receive(strayResponse: response(to: invite, 200, sdp: peerSDP()), now: h.now, context: &h.context))
        #expect(again.sent == [firstAck] && again.requests.isEmpty)
    }

    @Test func aChallengeIsAnsweredWithCredentialsInANewInvite() {
        var h = Harness()
        let dial = SigAPI.CallDial(call: CallID("a1"), to: "sip:bob@127.0.0.1:5062", media: MediaEndpoint(address: "127.0.0.1", port: 30000),
                                   authUser: "alice", password: "secret")
        let (session, actions) = InviteSession.dial(dial, preferences: nil, account: nil, reply: nil, now: h.now, context: &h.context)
        h.session = session
        let invite = try! #require(actions.requests.first?.request)
        let challenge = response(to: invite, 401, extra: [("WWW-Authenticate", #"Digest realm="test", nonce="abc", algorithm=MD5"#)])
        let retry = h.receive(challenge, .invite)
        let second = try! #require(retry.requests.first?.request)
        #expect(second.cseqNumber == 2 && second.firstValue(.authorization)?.contains(#"username="alice""#) == true)
        #expect(try! second.topVia()?.branch != (try! invite.topVia()?.branch))
        // The same challenge again: the password is wrong.
        let rejected = h.receive(response(to: second, 401, extra: [("WWW-Authenticate", #"Digest realm="test", nonce="abc", algorithm=MD5"#)]), .invite)
        #expect(rejected.states.last?.state == .terminated && rejected.states.last?.reason == "401 after credentials: wrong password?")
    }

    /// §9.1: no CANCEL before a provisional answer; once one came, CANCEL, and the 487 ends the call normally.
    @Test func hangupBeforeAnAnswerCancelsOnceAProvisionalCame() {
        var h = Harness()
        let dial = SigAPI.CallDial(call: CallID("a1"), to: "sip:bob@127.0.0.1:5062", media: MediaEndpoint(address: "127.0.0.1", port: 30000))
        let (session, actions) = InviteSession.dial(dial, preferences: nil, account: nil, reply: nil, now: h.now, context: &h.context)
        h.session = session
        let invite = try! #require(actions.requests.first?.request)
        let early = h.command(.hangup(SigAPI.CallHangup(call: CallID("a1"))))
        #expect(early.requests.isEmpty && !early.ended)
        let ringing = h.receive(response(to: invite, 180), .invite)
        let (cancel, purpose) = try! #require(ringing.requests.first)
        #expect(cancel.method == .cancel && purpose == .cancel && (try! cancel.topVia()?.branch) == (try! invite.topVia()?.branch))
        #expect(h.timers[.cancelDeadline] == h.now + Duration.seconds(32))
        let terminated = h.receive(response(to: invite, 487), .invite)
        #expect(terminated.states.last?.reason == "cancelled" && terminated.states.last?.normal == true && terminated.ended)
    }

    @Test func aCancelWithoutFinalResponseEndsTheCallAfter64T1() {
        var h = Harness()
        let dial = SigAPI.CallDial(call: CallID("a1"), to: "sip:bob@127.0.0.1:5062", media: MediaEndpoint(address: "127.0.0.1", port: 30000))
        let (session, actions) = InviteSession.dial(dial, preferences: nil, account: nil, reply: nil, now: h.now, context: &h.context)
        h.session = session
        _ = h.receive(response(to: actions.requests[0].request, 180), .invite)
        _ = h.command(.hangup(SigAPI.CallHangup(call: CallID("a1"))))
        let expired = h.advance(by: .seconds(33))
        #expect(expired.states.last?.code == 408 && expired.states.last?.reason == "no final response to the INVITE within 64*T1 of our CANCEL")
        #expect(expired.logs.first?.cause == "cancel-timeout")
    }

    @Test func aTargetThatIsNoSIPURIIsRefusedWithoutACall() {
        var context = Harness().context
        let dial = SigAPI.CallDial(call: CallID("a1"), to: "tel:+123", media: MediaEndpoint(address: "127.0.0.1", port: 30000))
        let (session, actions) = InviteSession.dial(dial, preferences: nil, account: nil, reply: ReplyToken(1), now: .zero, context: &context)
        #expect(session == nil)
        guard case .failure(let error)? = actions.replies.first else { Issue.record("no reply"); return }
        #expect(error.code == .badArgs && error.message.contains("is not a SIP URI"))
    }
}
