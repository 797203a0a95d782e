import Testing
import Timebase
@testable import MediaWorker

/// Frames to send between the bus thread and the loop: in order, in place, bounded.
@Suite struct CaptureInboxTests {
    @Test func framesComeOutInArrivalOrderWithTheirSamplesAndTheStorageIsKept() {
        let inbox = CaptureInbox(capacity: 2)
        for n in 0..<5 {
            let ok = inbox.put(stream: UInt32(n), injected: n == 3, origin: UInt64(n), at: .milliseconds(Int64(n))) { out in
                for i in out.indices { out[i] = Int16(n * 1000 + i) }
                return true
            }
            #expect(ok)
        }
        #expect(!inbox.put(stream: 9, injected: false, origin: 0, at: .zero) { _ in false })  // the writer refused it
        var batch = CaptureInbox.Batch(capacity: 2)
        inbox.take(into: &batch)
        #expect(batch.entries.map(\.stream) == [0, 1, 2, 3, 4])
        #expect(batch.entries.map(\.injected) == [false, false, false, true, false])
        for n in 0..<5 { #expect(batch.withSamples(of: n) { Array($0) } == (0..<160).map { Int16(n * 1000 + $0) }) }
        inbox.take(into: &batch)
        #expect(batch.count == 0)
    }

    @Test func aStalledLoopCannotMakeTheInboxGrowWithoutBound() {
        let inbox = CaptureInbox(capacity: 16)
        var taken = 0
        for _ in 0..<(CaptureInbox.maxFrames + 10) where inbox.put(stream: 1, injected: false, origin: 0, at: .zero, write: { _ in true }) {
            taken += 1
        }
        #expect(taken == CaptureInbox.maxFrames)
    }
}
