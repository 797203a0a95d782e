import Testing
import SIPCore
@testable import SIPTransaction

@Suite("Server non-INVITE transaction (RFC 3261 §17.2.2)")
struct ServerNonInviteTransactionTests {
    @Test func retransmissionsGetTheLastResponseAndTimerJEndsIt() throws {
        var layer = SIPTransactionLayer()
        let options = makeRequest(.options, branch: "z9hG4bKopt")
        let (request, id) = try deliver(options, into: &layer)
        // Trying: a retransmission is absorbed; nothing to resend yet, nothing sent automatically.
        #expect(layer.receive(options, from: udpPeer, now: at(0.5)).isEmpty)
        #expect(runTimers(&layer, until: at(1)).isEmpty)

        let trying = SIPResponseBuilder.response(to: request, status: 100, toTag: nil)
        #expect(layer.sendResponse(trying, transaction: id, now: at(1)) == [.send(trying, to: udpPeer)])
        #expect(layer.receive(options, from: udpPeer, now: at(1.5)) == [.send(trying, to: udpPeer)])

        let ok = SIPResponseBuilder.response(to: request, status: 200, toTag: "uas")
        #expect(layer.sendResponse(ok, transaction: id, now: at(2)) == [.send(ok, to: udpPeer)])
        #expect(!layer.isAwaitingFinalResponse(id))
        #expect(layer.receive(options, from: udpPeer, now: at(3)) == [.send(ok, to: udpPeer)])
        // A second final response from the TU is ignored.
        #expect(layer.sendResponse(ok, transaction: id, now: at(3)).isEmpty)

        let timeline = runTimers(&layer, until: at(100))
        #expect(timeline.map(\.time) == [at(34)])   // J = 64*T1 after the final response
        #expect(timeline.actions == [.terminated(.server(id))])
        #expect(layer.count == 0)
    }

    @Test func tcpTimerJIsZero() throws {
        var layer = SIPTransactionLayer()
        let (request, id) = try deliver(makeRequest(.bye, via: "SIP/2.0/TCP 192.0.2.10:5060", toTag: "t"),
                                        into: &layer, from: tcpPeer)
        let ok = SIPResponseBuilder.response(to: request, status: 200, toTag: nil)
        #expect(layer.sendResponse(ok, transaction: id, now: .zero) == [.send(ok, to: tcpPeer),
                                                                         .terminated(.server(id))])
        #expect(layer.count == 0)
    }

    @Test func machineAloneFollowsFigure8() {
        var m = SIPServerNonInviteTransaction(request: makeRequest(.options), reliable: false)
        #expect(m.state == .trying)
        _ = m.send(response: makeResponse(180, to: m.request), now: .zero)
        #expect(m.state == .proceeding)
        _ = m.send(response: makeResponse(404, to: m.request), now: at(1))
        #expect(m.state == .completed && m.nextDeadline == at(33))
        #expect(m.advance(to: at(32.9)).isEmpty)
        #expect(m.advance(to: at(33)) == [.terminated])
    }
}
