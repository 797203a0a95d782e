import ArgumentParser
import Foundation
import JitterBuffer
import Timebase

/// Jitter buffer cost per packet: insert plus one 20 ms pull, on a stream with 0-30 ms jitter and 2% loss
/// (so concealment runs too), as a receiver does every 20 ms per call.
struct JitterBufferBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "jitter-buffer")
    @Option var packets = 1_000_000

    func run() throws {
        var buffer = AdaptiveJitterBuffer()
        var rng = SplitMix(state: 42)
        let payload: [Int16] = (0..<160).map { Int16(8000 * sin(Double($0) * 2 * Double.pi * 300 / 8000)) }
        var output = [Int16](repeating: 0, count: 160)
        var checksum = 0
        let start = MonotonicClock.now()
        output.withUnsafeMutableBufferPointer { out in
            payload.withUnsafeBufferPointer { samples in
                for i in 0..<packets {
                    let sent = Int64(i) * 20_000_000
                    if Int.random(in: 0..<50, using: &rng) != 0 {
                        _ = buffer.insert(sequence: UInt16(truncatingIfNeeded: i), timestamp: UInt32(truncatingIfNeeded: i * 160), ssrc: 7,
                                          marker: false, samples: samples,
                                          arrival: MonotonicTime(nanoseconds: sent + Int64.random(in: 0..<30_000_000, using: &rng)))
                    }
                    let info = buffer.pull(now: MonotonicTime(nanoseconds: sent + 25_000_000), into: out)
                    checksum &+= Int(out[0]) &+ (info.kind == .normal ? 1 : 0)
                }
            }
        }
        let ns = nanoseconds(MonotonicClock.now() - start) / Double(packets)
        print("{\"bench\":\"jitter-buffer\",\"packets\":\(packets),\"ns_per_packet\":\(ns),\"concealed_frames\":\(buffer.stats.concealedFrames),\"checksum\":\(checksum)}")
    }
}

struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
