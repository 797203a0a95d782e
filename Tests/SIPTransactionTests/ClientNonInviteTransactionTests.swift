import Testing
import SIPCore
@testable import SIPTransaction

@Suite("Client non-INVITE transaction (RFC 3261 §17.1.2)")
struct ClientNonInviteTransactionTests {
    @Test func timerEDoublesToT2ThenTimerFTimesOut() throws {
        var layer = SIPTransactionLayer()
        let register = makeOutgoing(.register)
        let (id, first) = try layer.sendRequest(register, to: udpPeer, now: .zero)
        #expect(first.sent == [register])
        let timeline = runTimers(&layer, until: at(100))
        // Intervals 0.5, 1, 2, 4, 4, 4 ... (capped at T2), F at 64*T1.
        #expect(timeline.sendTimes == [0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5])
        #expect(timeline.actions.sent.allSatisfy { $0 == register })
        let end = timeline.filter { $0.action.sentMessage == nil }
        #expect(end.map(\.time) == [at(32), at(32)])
        #expect(end.actions == [.timeout(id), .terminated(.client(id))])
        #expect(layer.count == 0)
    }

    @Test func afterAProvisionalTimerERestartsAtT2() throws {
        var layer = SIPTransactionLayer()
        let options = makeOutgoing(.options)
        let (id, _) = try layer.sendRequest(options, to: udpPeer, now: .zero)
        #expect(runTimers(&layer, until: at(0.7)).sendTimes == [0.5])
        let trying = makeResponse(100, to: options, toTag: nil)
        #expect(layer.receive(trying, from: udpPeer, now: at(0.7)) == [.deliverResponse(trying, transaction: id)])
        // The pending E (due 1.5) fires in Proceeding and restarts at T2; F still runs.
        let timeline = runTimers(&layer, until: at(100))
        #expect(timeline.sendTimes == [1.5, 5.5, 9.5, 13.5, 17.5, 21.5, 25.5, 29.5])
        #expect(timeline.filter { $0.action.sentMessage == nil }.actions == [.timeout(id), .terminated(.client(id))])
    }

    @Test func finalResponseThenTimerKOnUdp() throws {
        var layer = SIPTransactionLayer()
        let bye = makeOutgoing(.bye)
        let (id, _) = try layer.sendRequest(bye, to: udpPeer, now: .zero)
        let ok = makeResponse(200, to: bye)
        #expect(layer.receive(ok, from: udpPeer, now: at(0.6)) == [.deliverResponse(ok, transaction: id)])
        // Completed absorbs retransmissions of the final response.
        #expect(layer.receive(ok, from: udpPeer, now: at(1)).isEmpty)
        let timeline = runTimers(&layer, until: at(100))
        #expect(timeline.map(\.time) == [at(5.6)])   // K = T4
        #expect(timeline.actions == [.terminated(.client(id))])
        #expect(layer.count == 0)
    }

    @Test func tcpTerminatesOnFinalAndNeverRetransmits() throws {
        var layer = SIPTransactionLayer()
        let bye = makeOutgoing(.bye)
        let (id, _) = try layer.sendRequest(bye, to: tcpPeer, now: .zero)
        #expect(runTimers(&layer, until: at(10)).isEmpty)
        let ok = makeResponse(200, to: bye)
        #expect(layer.receive(ok, from: tcpPeer, now: at(10)) == [.deliverResponse(ok, transaction: id),
                                                                   .terminated(.client(id))])
    }

    @Test func responseToAnotherMethodWithTheSameBranchDoesNotMatch() throws {
        var layer = SIPTransactionLayer()
        let bye = makeOutgoing(.bye)
        _ = try layer.sendRequest(bye, to: udpPeer, now: .zero)
        var foreign = makeResponse(200, to: bye)
        foreign.set(.cseq, "1 INFO")
        #expect(layer.receive(foreign, from: udpPeer, now: at(0.1)).isEmpty)
        #expect(layer.discarded == 1)
    }
}
