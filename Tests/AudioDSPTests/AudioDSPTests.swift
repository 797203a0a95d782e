import Foundation
import Testing
@testable import AudioDSP

/// libspeexdsp behind our wrappers, measured on synthetic signals with known answers.
@Suite("Voice processing") struct AudioDSPTests {
    /// A deterministic noise source (speech-like broadband far-end signal for the canceller to learn from).
    struct Noise {
        var state: UInt64
        mutating func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(Int64(bitPattern: state) >> 11) / Double(1 << 52)
        }
    }

    static func power(_ x: ArraySlice<Int16>) -> Double {
        x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(1, x.count))
    }

    static func decibels(_ ratio: Double) -> Double { 10 * log10(max(ratio, 1e-12)) }

    @Test func echoCancellerReachesMoreThan15dBOfEchoReturnLossEnhancement() {
        let frame = 160, frames = 1500  // 30 s at 8 kHz
        let canceller = EchoCanceller(frameSamples: frame, sampleRate: 8000, tailMilliseconds: 128)
        var noise = Noise(state: 7)
        // Far end: band-limited noise with a slowly varying envelope (talk-like), played to the loudspeaker.
        var far = [Int16](repeating: 0, count: frames * frame)
        var smooth = 0.0
        for i in far.indices {
            smooth = 0.6 * smooth + 0.4 * noise.next()
            let envelope = 0.55 + 0.45 * sin(Double(i) * 2 * .pi / 4000)
            far[i] = Int16(clamping: Int(smooth * 12000 * envelope))
        }
        // Echo path: 25 ms delay, -6 dB, a 3-tap low-pass (room and loudspeaker), plus a little microphone noise.
        let delay = 200
        var mic = [Int16](repeating: 0, count: far.count)
        for i in far.indices {
            let a = i >= delay ? Double(far[i - delay]) : 0
            let b = i >= delay + 1 ? Double(far[i - delay - 1]) : 0
            let c = i >= delay + 2 ? Double(far[i - delay - 2]) : 0
            mic[i] = Int16(clamping: Int(0.5 * (0.5 * a + 0.3 * b + 0.2 * c) + 20 * noise.next()))
        }
        var out = [Int16](repeating: 0, count: far.count)
        for f in 0..<frames {
            let range = f * frame..<(f + 1) * frame
            let cleaned = canceller.process(captured: Array(mic[range]), played: Array(far[range]))
            out.replaceSubrange(range, with: cleaned)
        }
        // After convergence (the last 10 s): echo return loss enhancement = mic power / output power.
        let tail = (frames - 500) * frame..<frames * frame
        let erle = Self.decibels(Self.power(mic[tail]) / Self.power(out[tail]))
        #expect(erle > 15, "ERLE \(erle) dB")
        print("AudioDSP: ERLE after convergence \(String(format: "%.1f", erle)) dB")
    }

    @Test func noiseSuppressionLowersTheNoiseFloorAndLetsATonePass() {
        let frame = 160, frames = 500
        let processor = VoiceProcessor(settings: .init(noiseSuppression: true, noiseSuppressionDecibels: -25))
        var noise = Noise(state: 99)
        var input = [Int16](repeating: 0, count: frames * frame)
        var noiseOnly = [Int16](repeating: 0, count: frames * frame)
        for i in input.indices {
            let n = 600 * noise.next()
            noiseOnly[i] = Int16(clamping: Int(n))
            // The tone plays in the second half only (the first half measures the noise floor), in talk-like bursts
            // of 300 ms on, 200 ms off: a steady tone is stationary and would rightly be learnt as noise.
            let f = i / frame
            let on = i >= input.count / 2 && f % 25 < 15
            let tone = on ? 6000 * sin(2 * .pi * 440 * Double(i) / 8000) : 0
            input[i] = Int16(clamping: Int(n + tone))
        }
        var output = input
        for f in 0..<frames {
            var block = Array(output[f * frame..<(f + 1) * frame])
            processor.process(&block)
            output.replaceSubrange(f * frame..<(f + 1) * frame, with: block)
        }
        let quiet = 150 * frame..<240 * frame  // noise only, after the estimator settled
        let floorDrop = Self.decibels(Self.power(input[quiet]) / Self.power(output[quiet]))
        #expect(floorDrop > 10, "noise floor lowered by \(floorDrop) dB")
        // Tone level over the middle of each burst (the first frames of a burst are where the suppressor reacts).
        let bursts = (300..<500).filter { $0 % 25 >= 3 && $0 % 25 < 15 }
        let inPower = bursts.map { Self.power(input[$0 * frame..<($0 + 1) * frame]) }.reduce(0, +)
        let outPower = bursts.map { Self.power(output[$0 * frame..<($0 + 1) * frame]) }.reduce(0, +)
        let toneChange = Self.decibels(outPower / inPower)
        #expect(abs(toneChange) < 3, "tone level changed by \(toneChange) dB")
        print("AudioDSP: noise floor -\(String(format: "%.1f", floorDrop)) dB, tone \(String(format: "%+.2f", toneChange)) dB")
    }

    @Test func gainControlRaisesAQuietTalkerAndLeavesItAloneWhenOff() {
        let frame = 160, frames = 500  // 10 s
        // A quiet talker: 440 Hz bursts at about -36 dBFS.
        var input = [Int16](repeating: 0, count: frames * frame)
        for i in input.indices where (i / frame) % 25 < 15 { input[i] = Int16(500 * sin(2 * .pi * 440 * Double(i) / 8000)) }
        func run(agc: Bool) -> [Int16] {
            let processor = VoiceProcessor(settings: .init(noiseSuppression: false, automaticGainControl: agc, gainTarget: 8000))
            var output = input
            for f in 0..<frames {
                var block = Array(output[f * frame..<(f + 1) * frame])
                processor.process(&block)
                output.replaceSubrange(f * frame..<(f + 1) * frame, with: block)
            }
            return output
        }
        let tail = (frames - 100) * frame..<frames * frame
        let raised = Self.decibels(Self.power(run(agc: true)[tail]) / Self.power(input[tail]))
        let untouched = Self.decibels(Self.power(run(agc: false)[tail]) / Self.power(input[tail]))
        #expect(raised > 10, "AGC raised the quiet talker by \(raised) dB")
        #expect(abs(untouched) < 0.5, "without AGC the level is kept (\(untouched) dB)")
        print("AudioDSP: AGC +\(String(format: "%.1f", raised)) dB on a -36 dBFS talker")
    }

    @Test func resamplerKeepsAToneAndItsLevelFrom48kTo8kAndBack() throws {
        let down = try Resampler(channels: 1, inputRate: 48000, outputRate: 8000)
        let up = try Resampler(channels: 1, inputRate: 8000, outputRate: 48000)
        var at8k: [Int16] = [], back: [Int16] = []
        for block in 0..<100 {  // 2 s in 20 ms blocks
            let samples = (0..<960).map { i in Int16(8000 * sin(2 * .pi * 1000 * Double(block * 960 + i) / 48000)) }
            let d = down.process(samples)
            at8k += d
            back += up.process(d)
        }
        #expect(abs(at8k.count - 16000) <= 160)
        let rms8 = (Self.power(at8k.suffix(8000))).squareRoot(), rms48 = (Self.power(back.suffix(48000))).squareRoot()
        #expect(abs(Self.decibels(rms8 * rms8 / (5657 * 5657))) < 0.5 && abs(Self.decibels(rms48 * rms48 / (5657 * 5657))) < 0.5)
        // 1 kHz at 8 kHz: zero crossings every 4 samples on average.
        let crossings = zip(at8k.suffix(8000), at8k.suffix(7999)).filter { ($0 < 0) != ($1 < 0) }.count
        #expect(abs(crossings - 2000) < 40, "\(crossings) zero crossings in 1 s")
        #expect(throws: Resampler.Unsupported.self) { try Resampler(channels: 3, inputRate: 8000, outputRate: 8000) }
    }
}
