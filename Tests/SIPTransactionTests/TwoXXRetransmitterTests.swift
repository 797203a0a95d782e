import Testing
import SIPCore
@testable import SIPTransaction
import Timebase

@Suite("2xx retransmission by the UAS core (RFC 3261 §13.3.1.4)")
struct TwoXXRetransmitterTests {
    let ok = makeResponse(200, to: makeRequest(), toTag: "uas")

    func run(_ r: inout SIPTwoXXRetransmitter, until end: MonotonicTime) -> [(Double, SIPTwoXXRetransmitter.Action)] {
        var out: [(Double, SIPTwoXXRetransmitter.Action)] = []
        while let d = r.nextDeadline, d <= end { out += r.advance(to: d).map { (d.seconds, $0) } }
        return out
    }

    @Test func retransmitsAtT1DoublingToT2ThenGivesUp() {
        var r = SIPTwoXXRetransmitter(response: ok, now: .zero)
        let events = run(&r, until: at(100))
        #expect(events.filter { $0.1 == .retransmit(ok) }.map(\.0)
                == [0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5])
        #expect(events.last.map { $0.0 == 32 && $0.1 == .gaveUp } == true)
        #expect(r.state == .gaveUp && r.nextDeadline == nil)
    }

    @Test func ackStopsIt() {
        var r = SIPTwoXXRetransmitter(response: ok, now: at(10))
        #expect(r.advance(to: at(10.5)) == [.retransmit(ok)])
        r.acknowledge()
        #expect(r.state == .acknowledged && r.nextDeadline == nil)
        #expect(r.advance(to: at(100)).isEmpty)
    }

    @Test func lateAdvanceCatchesUpInOrder() {
        var r = SIPTwoXXRetransmitter(response: ok, now: .zero)
        #expect(r.advance(to: at(4)) == [.retransmit(ok), .retransmit(ok), .retransmit(ok)])
        #expect(r.nextDeadline == at(7.5))
    }
}
