@testable import Signaling
import SIPSession
import Testing
import Timebase

/// The adapter's timer table: only due timers come out, in order; re-arming moves a timer, disarming forgets it.
@Suite struct SessionTimerQueueTests {
    let a = SessionHandle(rawValue: 1), b = SessionHandle(rawValue: 2)

    @Test func dueTimersComeOutInOrderAndOnlyOnce() {
        var q = SessionTimerQueue()
        q.arm(a, .sessionTimer, at: .seconds(30))
        q.arm(b, .retransmit2xx, at: .seconds(1))
        q.arm(a, .retransmit2xx, at: .seconds(2))
        #expect(q.popDue(now: .seconds(0.5)).isEmpty)
        let due = q.popDue(now: .seconds(2))
        #expect(due.map(\.0) == [b, a] && due.map(\.1) == [.retransmit2xx, .retransmit2xx])
        #expect(q.popDue(now: .seconds(2)).isEmpty && q.count == 1)
    }

    @Test func reArmingMovesATimerAndDisarmingForgetsIt() {
        var q = SessionTimerQueue()
        q.arm(a, .glareRetry, at: .seconds(1))
        q.arm(a, .glareRetry, at: .seconds(5))
        q.arm(b, .cancelDeadline, at: .seconds(2))
        q.disarm(b, .cancelDeadline)
        #expect(q.popDue(now: .seconds(4)).isEmpty)
        #expect(q.popDue(now: .seconds(5)).map(\.1) == [.glareRetry])
        q.arm(a, .sessionTimer, at: .seconds(6))
        q.arm(a, .reliableProvisional, at: .seconds(6))
        q.removeAll(a)
        #expect(q.popDue(now: .seconds(10)).isEmpty && q.count == 0)
    }
}
