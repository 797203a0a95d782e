import Testing
@testable import JitterBuffer
import Timebase

@Suite("Stream changes, wrap-around and late packets")
struct JitterBufferStreamTests {
    @Test func sequenceAndTimestampWrapAround() {
        var buffer = AdaptiveJitterBuffer()
        let sender = SimulatedSender(startSequence: 65500, startTimestamp: UInt32.max - 20_000)
        let network = SimulatedNetwork(jitter: .uniform(maxMs: 40), swapRate: 0.05, seed: 13)
        let arrivals = network.deliver(sender.packets(count: 600)).arrivals
        var receiver = SimulatedReceiver()
        let frames = receiver.run(&buffer, arrivals: arrivals, pulls: 590)
        #expect(PlayoutChecks.continuityBreaks(frames) == 0)
        #expect(buffer.stats.resyncs == 1)
        #expect(buffer.stats.duplicates == 0)
        #expect(buffer.stats.late <= 3)
        // Wrapped timestamps were played: 0 lies inside the stream.
        #expect(frames.contains { ($0.timestamp ?? 1) < 160 * 200 })
    }

    @Test func ssrcChangeResetsAndPlaysTheNewStream() {
        var buffer = AdaptiveJitterBuffer()
        let first = SimulatedSender(ssrc: 1).packets(count: 300)
        let second = SimulatedSender(startSequence: 7, startTimestamp: 3_000_000_000, ssrc: 2,
                                     startTime: .milliseconds(6000)).packets(count: 300)
        let network = SimulatedNetwork(jitter: .uniform(maxMs: 20), seed: 17)
        let arrivals = network.deliver(first + second).arrivals
        var receiver = SimulatedReceiver()
        let frames = receiver.run(&buffer, arrivals: arrivals, pulls: 590)
        #expect(receiver.verdicts.contains(.reset(.ssrcChange)))
        #expect(buffer.stats.ssrcChanges == 1)
        #expect(buffer.stats.resyncs == 2)
        #expect(PlayoutChecks.continuityBreaks(frames) == 1, "one break, at the change")
        let tail = frames.suffix(100)
        #expect(tail.allSatisfy { ($0.timestamp ?? 0) >= 3_000_000_000 - 160 })
        #expect(tail.filter { $0.kind == .normal }.count >= 95)
    }

    @Test func senderRestartWithATimestampJumpResynchronizes() {
        var buffer = AdaptiveJitterBuffer()
        var sender = SimulatedSender()
        let before = sender.packets(count: 300)
        sender.startSequence = 40000
        sender.startTimestamp = 900_000
        sender.startTime = .milliseconds(6000)
        let after = sender.packets(count: 300)
        let network = SimulatedNetwork(jitter: .uniform(maxMs: 20), seed: 19)
        let arrivals = network.deliver(before + after).arrivals
        var receiver = SimulatedReceiver()
        let frames = receiver.run(&buffer, arrivals: arrivals, pulls: 590)
        #expect(receiver.verdicts.contains(.reset(.timestampJump)))
        #expect(buffer.stats.timestampJumps == 1)
        #expect(buffer.stats.ssrcChanges == 0)
        #expect(PlayoutChecks.continuityBreaks(frames) == 1)
        #expect(frames.suffix(100).filter { $0.kind == .normal }.count >= 95)
    }

    @Test func aSingleStrayPacketDoesNotResync() {
        var buffer = AdaptiveJitterBuffer()
        var packets = SimulatedSender().packets(count: 300)
        packets[150].timestamp &+= 2_000_000
        let arrivals = SimulatedNetwork(seed: 1).deliver(packets).arrivals
        var receiver = SimulatedReceiver()
        let frames = receiver.run(&buffer, arrivals: arrivals, pulls: 290)
        #expect(buffer.stats.resyncs == 1)
        #expect(buffer.stats.tooEarly == 1)
        #expect(PlayoutChecks.continuityBreaks(frames) == 0)
    }

    @Test func latePacketsAreCountedAndNotPlayed() throws {
        var buffer = AdaptiveJitterBuffer()
        let sender = SimulatedSender()
        var packets = SimulatedNetwork(seed: 1).deliver(sender.packets(count: 400)).arrivals
        // Packet 200 arrives 200 ms late, long after its playout time; packet 300 arrives 400 ms late, beyond
        // even the delay the buffer grew to after the first.
        let delayed = [200, 300].map { packets[$0].timestamp }
        packets[200].arrival += .milliseconds(200)
        packets[300].arrival += .milliseconds(400)
        packets.sort { $0.arrival < $1.arrival }
        var receiver = SimulatedReceiver()
        let frames = receiver.run(&buffer, arrivals: packets, pulls: 390)
        #expect(buffer.stats.late == 2)
        #expect(receiver.verdicts.filter { $0 == .late }.count == 2)
        for timestamp in delayed {
            let played = try #require(frames.first { $0.timestamp == timestamp &- 30 })
            #expect(played.kind == .concealed)
        }
        #expect(PlayoutChecks.continuityBreaks(frames) == 0)
    }

    @Test(arguments: [1.005, 0.995])
    func senderClockDriftKeepsTheDelayBounded(clockRate: Double) throws {
        var buffer = AdaptiveJitterBuffer()
        let sender = SimulatedSender(clockRate: clockRate)
        let count = 15_000
        let network = SimulatedNetwork(jitter: .uniform(maxMs: 30), seed: 23)
        let arrivals = network.deliver(sender.packets(count: count)).arrivals
        var receiver = SimulatedReceiver()
        let pulls = Int(Double(count) / clockRate) - 20
        let frames = receiver.run(&buffer, arrivals: arrivals, pulls: pulls)
        let settled = frames.dropFirst(500).map(\.delayMs)
        #expect(try #require(settled.max()) < 30 + 40 + 10, "max delay \(settled.max() ?? 0)")
        #expect(try #require(settled.min()) >= 20)
        // 0.5% of 5 minutes is 1.5 s = 75 frames to drop or insert.
        let adjustments = clockRate > 1 ? buffer.stats.compressedFrames : buffer.stats.expandedFrames
        #expect(adjustments >= 60 && adjustments <= 120, "adjustments \(adjustments)")
        #expect(Double(buffer.stats.late) / Double(count) < 0.02, "late \(buffer.stats.late)")
        #expect(PlayoutChecks.continuityBreaks(frames) == 0)
        #expect(buffer.stats.bufferedMs < 300)
    }
}
