import Testing
import SIPCore
@testable import SIPTransaction

@Suite("Client INVITE transaction (RFC 3261 §17.1.1)")
struct ClientInviteTransactionTests {
    @Test func udpRetransmitsWithTimerADoublingThenTimerBTimesOut() throws {
        var layer = SIPTransactionLayer()
        let invite = makeOutgoing()
        let (id, first) = try layer.sendRequest(invite, to: udpPeer, now: .zero)
        #expect(first == [.send(invite, to: udpPeer)])

        let timeline = runTimers(&layer, until: at(100))
        // A: 0.5, 1, 2, 4, 8, 16 s intervals, never capped; B = 64*T1 = 32 s ends it.
        #expect(timeline.sendTimes == [0.5, 1.5, 3.5, 7.5, 15.5, 31.5])
        #expect(timeline.actions.sent.allSatisfy { $0 == invite })
        let tail = timeline.filter { $0.action.sentMessage == nil }
        #expect(tail.map(\.time) == [at(32), at(32)])
        #expect(tail.actions == [.timeout(id), .terminated(.client(id))])
        #expect(layer.count == 0)
        #expect(layer.nextDeadline == nil)
    }

    @Test func provisionalStopsRetransmissionsAndTimerB() throws {
        var layer = SIPTransactionLayer()
        let invite = makeOutgoing()
        let (id, _) = try layer.sendRequest(invite, to: udpPeer, now: .zero)
        let early = runTimers(&layer, until: at(0.7))
        #expect(early.sendTimes == [0.5])

        let ringing = makeResponse(180, to: invite)
        #expect(layer.receive(ringing, from: udpPeer, now: at(0.7)) == [.deliverResponse(ringing, transaction: id)])
        #expect(layer.hasReceivedProvisional(id))
        // Proceeding: no A, no B; the TU decides when to give up (CANCEL).
        #expect(runTimers(&layer, until: at(200)).isEmpty)
        #expect(layer.count == 1)
        // Further provisionals still reach the TU.
        let progress = makeResponse(183, to: invite)
        #expect(layer.receive(progress, from: udpPeer, now: at(1)) == [.deliverResponse(progress, transaction: id)])
    }

    @Test func busyHereIsAckedAndRetransmittedFinalResendsTheAck() throws {
        var layer = SIPTransactionLayer()
        let invite = makeOutgoing(routes: ["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"])
        let (id, _) = try layer.sendRequest(invite, to: udpPeer, now: .zero)
        let busy = makeResponse(486, to: invite, toTag: "uas-tag")

        let actions = layer.receive(busy, from: udpPeer, now: at(1))
        #expect(actions.count == 2)
        #expect(actions.first == .deliverResponse(busy, transaction: id))
        let ack = try #require(actions.last?.sentMessage)
        #expect(actions.last?.sentTo == udpPeer)

        // §17.1.1.3: same Request-URI, Call-ID, From, CSeq number; To from the response; the
        // request's single top Via; its Routes in order.
        #expect(ack.method == .ack)
        #expect(ack.requestURI == invite.requestURI)
        #expect(try ack.callID() == "call-1")
        #expect(ack.firstValue(.from) == invite.firstValue(.from))
        #expect(try ack.to()?.tag == "uas-tag")
        #expect(try ack.cseq() == SIPCSeq(sequence: 1, method: .ack))
        #expect(try ack.vias() == [try #require(try invite.topVia())])
        #expect(ack.fields(.route).map(\.value) == ["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"])
        #expect(ack.body.isEmpty)

        // A retransmitted 486 only re-sends the same ACK; the TU is not told twice.
        #expect(layer.receive(busy, from: udpPeer, now: at(2)) == [.send(ack, to: udpPeer)])

        // Timer D (32 s on UDP) from the first final response.
        let timeline = runTimers(&layer, until: at(100))
        #expect(timeline.map(\.time) == [at(33)])
        #expect(timeline.actions == [.terminated(.client(id))])
        #expect(layer.count == 0)
        // After D a late 486 matches nothing and is dropped (it is not a 2xx).
        #expect(layer.receive(busy, from: udpPeer, now: at(40)).isEmpty)
    }

    @Test func tcpHasNoRetransmissionsAndTimerDIsZero() throws {
        var layer = SIPTransactionLayer()
        let invite = makeOutgoing()
        let (id, _) = try layer.sendRequest(invite, to: tcpPeer, now: .zero)
        #expect(runTimers(&layer, until: at(31.9)).isEmpty)

        let decline = makeResponse(603, to: invite)
        let actions = layer.receive(decline, from: tcpPeer, now: at(5))
        #expect(actions.count == 3)
        #expect(actions[0] == .deliverResponse(decline, transaction: id))
        #expect(actions[1].sentMessage?.method == .ack)
        #expect(actions[2] == .terminated(.client(id)))
        #expect(layer.count == 0)
    }

    @Test func tcpStillTimesOutWithTimerB() throws {
        var layer = SIPTransactionLayer()
        let (id, _) = try layer.sendRequest(makeOutgoing(), to: tcpPeer, now: .zero)
        let timeline = runTimers(&layer, until: at(100))
        #expect(timeline.map(\.time) == [at(32), at(32)])
        #expect(timeline.actions == [.timeout(id), .terminated(.client(id))])
    }

    @Test func twoHundredTerminatesAndLaterCopiesAreStray() throws {
        var layer = SIPTransactionLayer()
        let invite = makeOutgoing()
        let (id, _) = try layer.sendRequest(invite, to: udpPeer, now: .zero)
        let ok = makeResponse(200, to: invite, toTag: "a")
        #expect(layer.receive(ok, from: udpPeer, now: at(0.2)) == [.deliverResponse(ok, transaction: id),
                                                                    .terminated(.client(id))])
        #expect(layer.count == 0)
        // The retransmitted 2xx and a 2xx from another fork go to the dialog layer (it ACKs them).
        #expect(layer.receive(ok, from: udpPeer, now: at(0.7)) == [.deliverStrayResponse(ok, from: udpPeer)])
        let fork = makeResponse(200, to: invite, toTag: "b")
        #expect(layer.receive(fork, from: udpPeer, now: at(0.8)) == [.deliverStrayResponse(fork, from: udpPeer)])
        #expect(layer.makeCancel(for: id) == nil)
    }

    @Test func transportFailureInformsTheTU() throws {
        var layer = SIPTransactionLayer()
        let (id, _) = try layer.sendRequest(makeOutgoing(), to: udpPeer, now: .zero)
        #expect(layer.transportFailed(client: id, now: at(0.1)) == [.transportError(.client(id)),
                                                                    .terminated(.client(id))])
        #expect(layer.count == 0 && layer.nextDeadline == nil)
        #expect(layer.transportFailed(client: id, now: at(0.2)).isEmpty)
    }

    @Test func machineAloneFollowsFigure5() {
        var m = SIPClientInviteTransaction(request: makeOutgoing(), reliable: false)
        #expect(m.start(now: .zero).count == 1)
        #expect(m.state == .calling)
        _ = m.receive(response: makeResponse(100, to: m.request, toTag: nil), now: at(0.1))
        #expect(m.state == .proceeding)
        _ = m.receive(response: makeResponse(404, to: m.request), now: at(0.2))
        #expect(m.state == .completed)
        #expect(m.nextDeadline == at(32.2))
        #expect(m.advance(to: at(32.2)) == [.terminated])
        #expect(m.state == .terminated)
    }

    @Test func sendRequestRejectsWhatIsNotATransaction() throws {
        var layer = SIPTransactionLayer()
        #expect(throws: SIPTransactionError.ackIsNotATransaction) {
            try layer.sendRequest(makeOutgoing(.ack), to: udpPeer, now: .zero)
        }
        #expect(throws: SIPTransactionError.missingBranch) {
            try layer.sendRequest(makeOutgoing(branch: ""), to: udpPeer, now: .zero)
        }
        #expect(throws: SIPTransactionError.badCSeq) {
            try layer.sendRequest(makeRequest(.bye, via: localVia, cseqMethod: .invite), to: udpPeer, now: .zero)
        }
        #expect(throws: SIPTransactionError.notARequest) {
            try layer.sendRequest(makeResponse(200, to: makeOutgoing()), to: udpPeer, now: .zero)
        }
        _ = try layer.sendRequest(makeOutgoing(), to: udpPeer, now: .zero)
        #expect(throws: SIPTransactionError.duplicateTransaction) {
            try layer.sendRequest(makeOutgoing(), to: udpPeer, now: .zero)
        }
    }
}
