import Foundation
@testable import JitterBuffer
import Timebase

/// SplitMix64: a tiny seeded generator, so every simulated network is reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

/// Test signals as closed-form functions of the sample index, so any stretch can be regenerated to
/// compare against the output.
enum TestSignal {
    static func tones(_ index: Int64) -> Int16 {
        let time = Double(index) / 8000
        return Int16(6000 * sin(2 * .pi * 300 * time) + 4000 * sin(2 * .pi * 800 * time))
    }

    static func tone300(_ index: Int64) -> Int16 {
        Int16(8000 * sin(2 * .pi * 300 * Double(index) / 8000))
    }

    /// Voiced-speech-like: a 125 Hz glottal pulse train (64 samples) through a decaying 700 Hz resonance.
    static func voiced(_ index: Int64) -> Int16 {
        let period: Int64 = 64
        var value = 0.0
        let phase = ((index % period) + period) % period
        for pulse in 0..<4 {
            let age = Double(phase + Int64(pulse) * period)
            value += 9000 * exp(-age / 40) * sin(2 * .pi * 700 * age / 8000)
        }
        return Int16(max(-32768, min(32767, value)))
    }
}

struct SimulatedPacket {
    var sequence: UInt16
    var timestamp: UInt32
    var ssrc: UInt32
    var marker: Bool
    var samples: [Int16]
    /// Index of the first sample in the source signal.
    var sourceIndex: Int64
    var arrival: MonotonicTime
}

/// A sender producing packets of a known signal on its own (possibly drifting) clock.
struct SimulatedSender {
    var packetSamples = 160
    var startSequence: UInt16 = 1000
    var startTimestamp: UInt32 = 5000
    var ssrc: UInt32 = 0x1234
    /// Sender sample clock relative to the receiver's: 1.005 sends 0.5% fast.
    var clockRate = 1.0
    var startTime = MonotonicTime.zero
    var signal: @Sendable (Int64) -> Int16 = TestSignal.tones

    func packets(count: Int) -> [SimulatedPacket] {
        (0..<count).map { index in
            let source = Int64(index * packetSamples)
            let seconds = Double(source) / 8000 / clockRate
            let sent = startTime + .nanoseconds(Int64(seconds * 1e9))
            return SimulatedPacket(
                sequence: startSequence &+ UInt16(truncatingIfNeeded: index),
                timestamp: startTimestamp &+ UInt32(truncatingIfNeeded: source),
                ssrc: ssrc, marker: index == 0,
                samples: (0..<Int64(packetSamples)).map { signal(source + $0) },
                sourceIndex: source, arrival: sent)
        }
    }
}

/// Delay, loss, reordering and duplication applied to a list of sent packets, deterministically.
struct SimulatedNetwork {
    enum Jitter {
        case none
        /// Extra delay uniform in 0...max ms.
        case uniform(maxMs: Double)
        /// Every `every` packets, `length` packets get extra delay decreasing from `peakMs` (a queue draining).
        case bursts(every: Int, length: Int, peakMs: Double)
        /// With `probability`, one packet is delayed by `ms`.
        case spikes(probability: Double, ms: Double)
    }

    var baseDelayMs = 30.0
    var jitter = Jitter.none
    var lossRate = 0.0
    /// Every `n`-th packet starts a loss of 3 packets.
    var burstLossEvery: Int? = nil
    var duplicateRate = 0.0
    var swapRate = 0.0
    var seed: UInt64 = 1

    /// Returns the packets in arrival order, and the source indices that were lost.
    func deliver(_ sent: [SimulatedPacket]) -> (arrivals: [SimulatedPacket], lost: Set<Int64>) {
        var generator = SeededGenerator(seed: seed)
        var delivered: [SimulatedPacket] = []
        var lost = Set<Int64>()
        var burstRemaining = 0
        for (index, packet) in sent.enumerated() {
            if let every = burstLossEvery, index > 0, index % every == 0 { burstRemaining = 3 }
            if burstRemaining > 0 {
                burstRemaining -= 1
                lost.insert(packet.sourceIndex)
                continue
            }
            if lossRate > 0 && Double.random(in: 0..<1, using: &generator) < lossRate {
                lost.insert(packet.sourceIndex)
                continue
            }
            var extra = 0.0
            switch jitter {
            case .none: break
            case .uniform(let maxMs): extra = Double.random(in: 0...maxMs, using: &generator)
            case .bursts(let every, let length, let peakMs):
                let position = index % every
                if position < length { extra = peakMs * Double(length - position) / Double(length) }
            case .spikes(let probability, let ms):
                if Double.random(in: 0..<1, using: &generator) < probability { extra = ms }
            }
            var copy = packet
            copy.arrival = packet.arrival + .nanoseconds(Int64((baseDelayMs + extra) * 1e6))
            delivered.append(copy)
            if duplicateRate > 0 && Double.random(in: 0..<1, using: &generator) < duplicateRate {
                var duplicate = copy
                duplicate.arrival = copy.arrival + .milliseconds(Int64.random(in: 0...30, using: &generator))
                delivered.append(duplicate)
            }
        }
        // Stable sort by arrival keeps equal arrivals in send order.
        var ordered = delivered.enumerated().sorted {
            ($0.element.arrival, $0.offset) < ($1.element.arrival, $1.offset)
        }.map(\.element)
        if swapRate > 0 {
            var index = 0
            while index + 1 < ordered.count {
                if Double.random(in: 0..<1, using: &generator) < swapRate {
                    ordered.swapAt(index, index + 1)
                    let arrival = ordered[index].arrival
                    ordered[index].arrival = ordered[index + 1].arrival
                    ordered[index + 1].arrival = arrival
                    index += 1
                }
                index += 1
            }
        }
        return (ordered, lost)
    }
}

struct PulledFrame {
    var kind: PlayoutKind
    var timestamp: UInt32?
    var samples: [Int16]
    var delayMs: Double
    var bufferedMs: Double
    var time: MonotonicTime
}

/// The receiver: inserts every packet that has arrived, then pulls, every 20 ms of receiver time.
struct SimulatedReceiver {
    var firstPull = MonotonicTime.milliseconds(7)
    var verdicts: [InsertVerdict] = []

    mutating func run(_ buffer: inout AdaptiveJitterBuffer, arrivals: [SimulatedPacket], pulls: Int) -> [PulledFrame] {
        var frames: [PulledFrame] = []
        frames.reserveCapacity(pulls)
        var next = 0
        for pull in 0..<pulls {
            let now = firstPull + .milliseconds(Int64(pull) * 20)
            while next < arrivals.count && arrivals[next].arrival <= now {
                let packet = arrivals[next]
                verdicts.append(buffer.insert(sequence: packet.sequence, timestamp: packet.timestamp,
                                              ssrc: packet.ssrc, marker: packet.marker,
                                              samples: packet.samples, arrival: packet.arrival))
                next += 1
            }
            let frame = buffer.pull(now: now)
            frames.append(PulledFrame(kind: frame.kind, timestamp: frame.timestamp, samples: frame.samples,
                                      delayMs: buffer.stats.currentDelayMs, bufferedMs: buffer.stats.bufferedMs,
                                      time: now))
        }
        return frames
    }
}

enum PlayoutChecks {
    /// Places where the played timestamp does not advance by one frame (two across a compressed frame).
    static func continuityBreaks(_ frames: [PulledFrame], frame: UInt32 = 160) -> Int {
        var previous: UInt32? = nil
        var breaks = 0
        for item in frames {
            guard let timestamp = item.timestamp else { continue }
            if let previous {
                let step = timestamp &- previous
                // A compressed frame skips one frame (several above the maximum delay).
                let fine = item.kind == .compressed ? step >= 2 * frame && step % frame == 0 && step <= 40 * frame
                    : step == frame
                if !fine { breaks += 1 }
            }
            previous = timestamp
        }
        return breaks
    }

    /// The source signal sample at an output timestamp.
    static func source(_ timestamp: UInt32, offset: Int, start: UInt32, signal: (Int64) -> Int16) -> Int16 {
        let index = Int64(Int32(bitPattern: timestamp &+ UInt32(offset) &- start))
        return signal(index)
    }

    /// Signal-to-noise ratio (dB) of the output frames selected by `include` against the source.
    static func snr(_ frames: [PulledFrame], start: UInt32, signal: (Int64) -> Int16,
                    include: (PulledFrame) -> Bool) -> (output: Double, silence: Double, frames: Int) {
        var signalEnergy = 0.0
        var errorEnergy = 0.0
        var count = 0
        for item in frames where include(item) {
            guard let timestamp = item.timestamp else { continue }
            count += 1
            for (offset, sample) in item.samples.enumerated() {
                let reference = Double(source(timestamp, offset: offset, start: start, signal: signal))
                signalEnergy += reference * reference
                errorEnergy += (Double(sample) - reference) * (Double(sample) - reference)
            }
        }
        let output = 10 * log10(signalEnergy / max(errorEnergy, 1e-9))
        // Silence substitution: the error is the signal itself.
        return (output, 0, count)
    }

    static func maxStep(_ frames: [PulledFrame]) -> Int {
        var previous: Int16? = nil
        var largest = 0
        for item in frames {
            for sample in item.samples {
                if let previous { largest = max(largest, abs(Int(sample) - Int(previous))) }
                previous = sample
            }
        }
        return largest
    }
}
