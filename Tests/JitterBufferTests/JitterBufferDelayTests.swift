import Testing
@testable import JitterBuffer
import Timebase

@Suite("Adaptive delay")
struct JitterBufferDelayTests {
    /// Delay measured over the second half of a 60 s call.
    private func settledDelays(jitterMs: Double, seed: UInt64) -> (delays: [Double], stats: JitterBufferStatistics) {
        var buffer = AdaptiveJitterBuffer()
        let jitter: SimulatedNetwork.Jitter = jitterMs == 0 ? .none : .uniform(maxMs: jitterMs)
        let arrivals = SimulatedNetwork(jitter: jitter, seed: seed).deliver(SimulatedSender().packets(count: 3000)).arrivals
        var receiver = SimulatedReceiver()
        let frames = receiver.run(&buffer, arrivals: arrivals, pulls: 2990)
        return (frames.suffix(1500).map(\.delayMs), buffer.stats)
    }

    @Test(arguments: [20.0, 40.0, 60.0, 100.0])
    func delaySettlesBelowJitterPlusTwoFrames(jitterMs: Double) throws {
        let (delays, stats) = settledDelays(jitterMs: jitterMs, seed: 11)
        let highest = try #require(delays.max())
        let lowest = try #require(delays.min())
        #expect(highest < jitterMs + 40, "delay \(highest) ms with \(jitterMs) ms jitter")
        #expect(lowest >= 20)
        #expect(Double(stats.late) / Double(stats.received) < 0.03, "late \(stats.late) of \(stats.received)")
    }

    @Test func withoutJitterTheDelayConvergesToOneOrTwoFrames() throws {
        let (delays, stats) = settledDelays(jitterMs: 0, seed: 1)
        let highest = try #require(delays.max())
        #expect(highest <= 45, "delay \(highest) ms")
        #expect(delays.allSatisfy { $0 >= 20 })
        #expect(stats.late == 0)
        #expect(stats.targetDelayMs == 20)
    }

    @Test func neverExceedsTheMaximumDelay() throws {
        var buffer = AdaptiveJitterBuffer(configuration: JitterBufferConfiguration(maximumDelay: .milliseconds(120)))
        let network = SimulatedNetwork(jitter: .uniform(maxMs: 400), seed: 5)
        let arrivals = network.deliver(SimulatedSender().packets(count: 1500)).arrivals
        var receiver = SimulatedReceiver()
        let frames = receiver.run(&buffer, arrivals: arrivals, pulls: 1480)
        let highest = try #require(frames.map(\.delayMs).max())
        #expect(highest <= 120)
        #expect(buffer.stats.targetDelayMs <= 120)
        #expect(buffer.stats.late > 0, "with jitter beyond the cap some packets must be late")
    }

    @Test func growsFastOnASpikeAndShrinksSlowlyAfter() throws {
        var buffer = AdaptiveJitterBuffer()
        // A 150 ms queue building up every 10 s for 8 packets.
        let network = SimulatedNetwork(jitter: .bursts(every: 500, length: 8, peakMs: 150), seed: 9)
        let arrivals = network.deliver(SimulatedSender().packets(count: 1400)).arrivals
        var receiver = SimulatedReceiver()
        let frames = receiver.run(&buffer, arrivals: arrivals, pulls: 1380)
        // The second burst (packet 1000 = 20 s) costs the packets that arrive before the delay can react,
        // then the delay is up by the queue's 150 ms within 6 pulls, 20 ms per pull.
        let afterBurst = frames[1003...1020].map(\.delayMs)
        #expect(try #require(afterBurst.max()) >= 140, "\(afterBurst)")
        #expect(buffer.stats.late <= 14, "late \(buffer.stats.late)")
        // It holds for a while (a queue that built once may build again), then shrinks slowly.
        #expect(frames[1100].delayMs >= 140)
        #expect(frames[1370].delayMs <= 100)
        #expect(frames[1370].delayMs >= 20)
        #expect(buffer.stats.expandedFrames > 0)
        #expect(buffer.stats.compressedFrames > 0)
    }

    @Test func overflowWithoutPullsDropsTheOldestAndStaysBounded() {
        var buffer = AdaptiveJitterBuffer()
        let footprint = buffer.footprint
        let packets = SimulatedSender().packets(count: 200)
        for packet in packets {
            _ = buffer.insert(sequence: packet.sequence, timestamp: packet.timestamp, ssrc: packet.ssrc,
                              marker: packet.marker, samples: packet.samples, arrival: packet.arrival)
        }
        #expect(buffer.stats.discardedFrames > 150)
        #expect(buffer.stats.accepted == 200)
        #expect(buffer.footprint == footprint)
        // Playout then starts from the newest audio that fitted.
        let frame = buffer.pull(now: packets[199].arrival + .milliseconds(1))
        #expect(frame.samples.count == 160)
        #expect(buffer.stats.bufferedMs <= 400)
    }
}
