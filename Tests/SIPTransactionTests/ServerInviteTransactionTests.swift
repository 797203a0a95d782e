import Testing
import SIPCore
@testable import SIPTransaction

@Suite("Server INVITE transaction (RFC 3261 §17.2.1)")
struct ServerInviteTransactionTests {
    @Test func sends100TryingAfter200msWhenTheTUIsSilent() throws {
        var layer = SIPTransactionLayer()
        let invite = makeRequest(extraVias: ["SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp"])
        let (delivered, _) = try deliver(invite, into: &layer)
        let timeline = runTimers(&layer, until: at(0.5))
        #expect(timeline.map(\.time) == [at(0.2)])
        let trying = try #require(timeline.first?.action.sentMessage)
        #expect(timeline.first?.action.sentTo == udpPeer)
        #expect(trying.statusCode == 100 && trying.reasonPhrase == "Trying")
        #expect(try trying.to()?.tag == nil)
        #expect(trying.fields(.via) == delivered.fields(.via))
        #expect(try trying.cseq() == SIPCSeq(sequence: 1, method: .invite))
    }

    @Test func noAutomaticTryingWhenTheTUAnswersFirst() throws {
        var layer = SIPTransactionLayer()
        let (request, id) = try deliver(makeRequest(), into: &layer)
        let ringing = SIPResponseBuilder.response(to: request, status: 180, toTag: "uas")
        #expect(layer.sendResponse(ringing, transaction: id, now: at(0.1)) == [.send(ringing, to: udpPeer)])
        #expect(runTimers(&layer, until: at(10)).isEmpty)
        // A retransmitted INVITE gets the last provisional again and is not delivered twice.
        #expect(layer.receive(makeRequest(), from: udpPeer, now: at(0.5)) == [.send(ringing, to: udpPeer)])
    }

    @Test func retransmissionBeforeAnyResponseGetsTryingAtOnce() throws {
        var layer = SIPTransactionLayer(configuration: .init(timers: .init(t1: .milliseconds(100))))
        _ = try deliver(makeRequest(), into: &layer)
        let actions = layer.receive(makeRequest(), from: udpPeer, now: at(0.1))
        #expect(actions.sent.map(\.statusCode) == [100])
        #expect(runTimers(&layer, until: at(1)).isEmpty)   // the 200 ms timer was cancelled
    }

    @Test func busyHereRetransmittedByTimerGUntilAck() throws {
        var layer = SIPTransactionLayer()
        let (request, id) = try deliver(makeRequest(), into: &layer)
        let busy = SIPResponseBuilder.response(to: request, status: 486, toTag: "uas")
        #expect(layer.sendResponse(busy, transaction: id, now: at(1)) == [.send(busy, to: udpPeer)])

        let timeline = runTimers(&layer, until: at(13))
        // G: 0.5, 1, 2, 4, 4 s after the response.
        #expect(timeline.sendTimes == [1.5, 2.5, 4.5, 8.5, 12.5])
        #expect(timeline.actions.sent.allSatisfy { $0 == busy })
        // A retransmitted INVITE gets the final response again.
        #expect(layer.receive(makeRequest(), from: udpPeer, now: at(13)) == [.send(busy, to: udpPeer)])

        let ack = makeRequest(.ack, toTag: "uas")
        #expect(layer.receive(ack, from: udpPeer, now: at(13.2)).isEmpty)    // absorbed, not delivered
        #expect(layer.count == 1)                                            // Confirmed
        #expect(layer.receive(ack, from: udpPeer, now: at(14)).isEmpty)      // I absorbs ACK copies
        let end = runTimers(&layer, until: at(100))
        #expect(end.map(\.time) == [at(18.2)])                               // I = T4
        #expect(end.actions == [.terminated(.server(id))])
        #expect(layer.count == 0)
    }

    @Test func timerHFiresWithoutAck() throws {
        var layer = SIPTransactionLayer()
        let (request, id) = try deliver(makeRequest(), into: &layer)
        let busy = SIPResponseBuilder.response(to: request, status: 486, toTag: "uas")
        _ = layer.sendResponse(busy, transaction: id, now: .zero)
        let timeline = runTimers(&layer, until: at(100))
        #expect(timeline.sendTimes == [0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5])
        let end = timeline.filter { $0.action.sentMessage == nil }
        #expect(end.map(\.time) == [at(32), at(32)])
        #expect(end.actions == [.ackTimeout(id), .terminated(.server(id))])
        #expect(layer.count == 0)
    }

    @Test func twoHundredTerminatesAndItsAckGoesToTheTU() throws {
        var layer = SIPTransactionLayer()
        let (request, id) = try deliver(makeRequest(), into: &layer)
        let ok = SIPResponseBuilder.response(to: request, status: 200, toTag: "uas")
        #expect(layer.sendResponse(ok, transaction: id, now: at(1)) == [.send(ok, to: udpPeer),
                                                                         .terminated(.server(id))])
        #expect(layer.count == 0)
        let ack = makeRequest(.ack, branch: "z9hG4bKack2xx", toTag: "uas")
        let actions = layer.receive(ack, from: udpPeer, now: at(1.1))
        #expect(actions.count == 1)
        guard case .deliverAck(let delivered, let from)? = actions.first else {
            Issue.record("expected deliverAck, got \(actions)")
            return
        }
        #expect(delivered.method == .ack && from == udpPeer)
        // Late responses for a gone transaction are ignored.
        #expect(layer.sendResponse(ok, transaction: id, now: at(2)).isEmpty)
    }

    @Test func tcpHasNoTimerGAndTimerIIsZero() throws {
        var layer = SIPTransactionLayer()
        let (request, id) = try deliver(makeRequest(via: "SIP/2.0/TCP 192.0.2.10:5060"), into: &layer, from: tcpPeer)
        let busy = SIPResponseBuilder.response(to: request, status: 486, toTag: "uas")
        #expect(layer.sendResponse(busy, transaction: id, now: .zero) == [.send(busy, to: tcpPeer)])
        #expect(runTimers(&layer, until: at(20)).isEmpty)
        let ack = makeRequest(.ack, via: "SIP/2.0/TCP 192.0.2.10:5060", toTag: "uas")
        #expect(layer.receive(ack, from: tcpPeer, now: at(20)) == [.terminated(.server(id))])
    }

    @Test func transportFailureOnResponse() throws {
        var layer = SIPTransactionLayer()
        let (_, id) = try deliver(makeRequest(), into: &layer)
        #expect(layer.transportFailed(server: id, now: at(1)) == [.transportError(.server(id)),
                                                                  .terminated(.server(id))])
        #expect(layer.count == 0)
    }
}
