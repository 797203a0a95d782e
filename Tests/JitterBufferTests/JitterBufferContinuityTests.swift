import Testing
@testable import JitterBuffer
import Timebase

@Suite("Playout continuity")
struct JitterBufferContinuityTests {
    @Test func cleanStreamPlaysEverySampleInOrder() throws {
        var buffer = AdaptiveJitterBuffer()
        let sender = SimulatedSender()
        let arrivals = SimulatedNetwork().deliver(sender.packets(count: 500)).arrivals
        var receiver = SimulatedReceiver()
        let frames = receiver.run(&buffer, arrivals: arrivals, pulls: 490)
        #expect(frames.allSatisfy { $0.samples.count == 160 })
        #expect(PlayoutChecks.continuityBreaks(frames) == 0)
        let playing = frames.drop { $0.timestamp == nil }
        #expect(playing.allSatisfy { $0.kind == .normal || $0.kind == .compressed })
        #expect(buffer.stats.late == 0)
        // Normal frames are the source signal, bit for bit, at the reported timestamp.
        let normal = try #require(playing.dropFirst(5).first { $0.kind == .normal })
        let timestamp = try #require(normal.timestamp)
        for offset in 0..<160 {
            let reference = PlayoutChecks.source(timestamp, offset: offset, start: sender.startTimestamp,
                                                 signal: sender.signal)
            #expect(normal.samples[offset] == reference)
        }
    }

    @Test func jitterReorderingAndDuplicatesKeepTheTimelineWhole() {
        var buffer = AdaptiveJitterBuffer()
        let sender = SimulatedSender()
        let network = SimulatedNetwork(jitter: .uniform(maxMs: 60), duplicateRate: 0.05, swapRate: 0.05, seed: 7)
        let arrivals = network.deliver(sender.packets(count: 1500)).arrivals
        var receiver = SimulatedReceiver()
        let frames = receiver.run(&buffer, arrivals: arrivals, pulls: 1480)
        #expect(frames.allSatisfy { $0.samples.count == 160 })
        #expect(PlayoutChecks.continuityBreaks(frames) == 0)
        let timestamps = frames.compactMap(\.timestamp)
        #expect(Set(timestamps).count == timestamps.count, "no frame is played twice")
        let inserted = arrivals.prefix(receiver.verdicts.count)
        #expect(buffer.stats.duplicates == inserted.count - Set(inserted.map(\.sequence)).count)
        #expect(buffer.stats.reordered > 50)
        #expect(buffer.stats.late < 30, "late \(buffer.stats.late)")
        #expect(buffer.stats.resyncs == 1)
    }

    @Test(arguments: [80, 160, 240, 320])
    func packetsOfAnyDurationAreReassembledIntoPullFrames(packetSamples: Int) {
        var buffer = AdaptiveJitterBuffer()
        let sender = SimulatedSender(packetSamples: packetSamples)
        let count = 1000 * 160 / packetSamples
        let network = SimulatedNetwork(jitter: .uniform(maxMs: 20), seed: 3)
        let arrivals = network.deliver(sender.packets(count: count)).arrivals
        var receiver = SimulatedReceiver()
        let frames = receiver.run(&buffer, arrivals: arrivals, pulls: 950)
        #expect(PlayoutChecks.continuityBreaks(frames) == 0)
        let played = frames.filter { $0.timestamp != nil }
        let concealed = played.filter { $0.kind == .concealed }.count
        #expect(concealed <= 5, "concealed \(concealed) with \(packetSamples)-sample packets")
        // Samples of normal frames equal the source exactly.
        var mismatches = 0
        // Frames right after a synthesized one start with a cross-fade; compare those that follow normal ones.
        for (previous, frame) in zip(played, played.dropFirst()) where frame.kind == .normal && previous.kind == .normal {
            guard let timestamp = frame.timestamp else { continue }
            for offset in stride(from: 0, to: 160, by: 7)
            where frame.samples[offset] != PlayoutChecks.source(timestamp, offset: offset,
                                                                start: sender.startTimestamp, signal: sender.signal) {
                mismatches += 1
            }
        }
        #expect(mismatches == 0)
    }

    @Test func silenceBeforeTheFirstPacket() {
        var buffer = AdaptiveJitterBuffer()
        for index in 0..<10 {
            let frame = buffer.pull(now: .milliseconds(Int64(index) * 20))
            #expect(frame.kind == .silence)
            #expect(frame.timestamp == nil)
            #expect(frame.samples == [Int16](repeating: 0, count: 160))
        }
        #expect(buffer.stats.silenceFrames == 10)
    }
}
