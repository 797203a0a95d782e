import Testing
@testable import JitterBuffer
import Timebase

@Suite("Robustness")
struct JitterBufferRobustnessTests {
    @Test(arguments: [UInt64(1), 2, 3])
    func garbageNeverTrapsAndMemoryStaysBounded(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        var buffer = AdaptiveJitterBuffer()
        let footprint = buffer.footprint
        var now = MonotonicTime.milliseconds(1)
        var pulls = 0
        for step in 0..<20_000 {
            let size = [0, 1, 7, 80, 160, 240, 479, 480, 481, 4000][Int.random(in: 0..<10, using: &generator)]
            let samples = (0..<size).map { _ in Int16.random(in: .min ... .max, using: &generator) }
            let consistent = step % 3 != 0
            let verdict = buffer.insert(
                sequence: consistent ? UInt16(truncatingIfNeeded: step) : .random(in: 0...UInt16.max, using: &generator),
                timestamp: consistent ? UInt32(truncatingIfNeeded: step * 160) : .random(in: 0...UInt32.max, using: &generator),
                ssrc: Int.random(in: 0..<50, using: &generator) == 0 ? .random(in: 0...3, using: &generator) : 1,
                marker: Bool.random(using: &generator), samples: samples,
                arrival: now + .microseconds(Int64.random(in: -50_000...50_000, using: &generator)))
            if size == 0 || size > 480 { #expect(verdict == .invalid) }
            if Bool.random(using: &generator) {
                now += .milliseconds(20)
                let frame = buffer.pull(now: now)
                #expect(frame.samples.count == 160)
                pulls += 1
            }
        }
        #expect(buffer.footprint == footprint)
        #expect(buffer.stats.received == 20_000)
        #expect(buffer.stats.pulls == pulls)
        #expect(buffer.stats.bufferedMs <= 400)
    }

    @Test func extremeTimesAndOddOutputBuffers() {
        var buffer = AdaptiveJitterBuffer()
        let samples = [Int16](repeating: 1000, count: 160)
        for time in [Int64.min, -1, 0, Int64.max - 1, Int64.max] {
            _ = buffer.insert(sequence: 1, timestamp: 1, ssrc: 1, marker: true, samples: samples,
                              arrival: MonotonicTime(nanoseconds: time))
            _ = buffer.pull(now: MonotonicTime(nanoseconds: time))
        }
        var small = [Int16](repeating: 0, count: 10)
        var large = [Int16](repeating: 7, count: 400)
        _ = small.withUnsafeMutableBufferPointer { buffer.pull(now: .zero, into: $0) }
        _ = large.withUnsafeMutableBufferPointer { buffer.pull(now: .zero, into: $0) }
        #expect(large[160...].allSatisfy { $0 == 0 })
    }

    @Test func nonsenseConfigurationIsClampedIntoASafeRange() {
        let configuration = JitterBufferConfiguration(sampleRate: -5, frameSamples: 0, maxPacketSamples: -1,
                                                      minimumDelay: .seconds(-3), maximumDelay: .zero,
                                                      initialDelay: .seconds(99), delayQuantile: .nan,
                                                      compressionPatience: .seconds(-1),
                                                      resyncThreshold: .zero, silenceLevel: -9)
        var buffer = AdaptiveJitterBuffer(configuration: configuration)
        let frame = buffer.frameSamplesPerPull
        for index in 0..<200 {
            _ = buffer.insert(sequence: UInt16(index), timestamp: UInt32(index * frame), ssrc: 9, marker: false,
                              samples: [Int16](repeating: 5, count: frame),
                              arrival: .milliseconds(Int64(index) * 20))
            #expect(buffer.pull(now: .milliseconds(Int64(index) * 20 + 5)).samples.count == frame)
        }
    }
}

/// Times and durations in samples (the arithmetic of `MonotonicTime` itself is tested in TimebaseTests).
@Suite("Sample index")
struct SampleIndexTests {
    @Test func timesAndDurationsCountInWholeSamples() {
        #expect(MonotonicTime.milliseconds(20).sampleIndex(sampleRate: 8000) == 160)
        #expect(MonotonicTime(nanoseconds: -1).sampleIndex(sampleRate: 8000) == -1)
        #expect(MonotonicTime(nanoseconds: .max).sampleIndex(sampleRate: 48000) > 0, "no overflow for any origin")
        #expect(Duration.milliseconds(20).samples(at: 8000) == 160)
        #expect(Duration.seconds(Int64.max).samples(at: 8000) > 0, "saturated, not trapped")
    }
}
