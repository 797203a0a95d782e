import AudioDSP
import AudioIO
import Foundation
import Testing
import Wire
@testable import AudioService

/// The pipeline between devices and calls, with synthetic signals (no threads, no sockets).
@Suite struct AudioPipelineTests {
    static func tone(_ frequency: Double, amplitude: Double, rate: Int, count: Int, start: Int = 0, channels: Int = 1) -> [Int16] {
        var out: [Int16] = []
        out.reserveCapacity(count * channels)
        for i in start..<(start + count) {
            let v = Int16(amplitude * 32767 * sin(2 * Double.pi * frequency * Double(i) / Double(rate)))
            for _ in 0..<channels { out.append(v) }
        }
        return out
    }

    static func power(_ x: [Int16], frequency: Double, rate: Double = 8000) -> Double {
        // Goertzel, normalised to the amplitude of a sine at `frequency`.
        let k = 2 * cos(2 * Double.pi * frequency / rate)
        var s1 = 0.0, s2 = 0.0
        for v in x { let s = Double(v) + k * s1 - s2; s2 = s1; s1 = s }
        let p = s1 * s1 + s2 * s2 - k * s1 * s2
        return 2 * sqrt(max(p, 0)) / Double(x.count) / 32767
    }

    static func rms(_ x: ArraySlice<Int16>) -> Double {
        sqrt(x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(1, x.count)))
    }

    static func plain() -> AudioControls {
        var c = AudioControls()
        c.echoCancellation = false
        c.noiseSuppression = false
        c.gainControl = false
        return c
    }

    /// Runs `ticks` ticks: capture gets `capture(tick)` in the device format; returns the 8 kHz frames produced.
    static func run(_ p: AudioPipeline, ticks: Int, capture: (Int) -> [Int16], playback: (Int) -> [Int16]? = { _ in nil }) -> [Int16] {
        var out: [Int16] = []
        var frame = [Int16](repeating: 0, count: 160)
        for t in 0..<ticks {
            p.beginMix()
            if let play = playback(t) { play.withUnsafeBufferPointer { p.addToMix($0) } }
            p.finishMix()
            p.devicePlayback { _, _ in }
            let c = capture(t)
            c.withUnsafeBufferPointer { p.pushCaptured($0, frames: c.count / p.captureFormat.channels) }
            frame.withUnsafeMutableBufferPointer { _ = p.nextCaptureFrame(into: $0) }
            out += frame
        }
        return out
    }

    @Test func a48kStereoMicrophoneArrivesAs8kMonoWithItsFrequencyAndLevel() throws {
        let format = AudioFormat(sampleRate: 48000, channels: 2)
        let p = try AudioPipeline(captureFormat: format, playbackFormat: format, controls: Self.plain())
        let out = Self.run(p, ticks: 50) { t in Self.tone(1000, amplitude: 0.5, rate: 48000, count: 960, start: t * 960, channels: 2) }
        let steady = Array(out[1600...])
        #expect(abs(Self.power(steady, frequency: 1000) - 0.5) < 0.03)
        #expect(Self.power(steady, frequency: 2000) < 0.01)
    }

    @Test func playbackIsResampledAndCopiedToEveryDeviceChannel() throws {
        let p = try AudioPipeline(captureFormat: .call, playbackFormat: AudioFormat(sampleRate: 48000, channels: 2), controls: Self.plain())
        var device: [Int16] = []
        for t in 0..<25 {
            p.beginMix()
            Self.tone(440, amplitude: 0.4, rate: 8000, count: 160, start: t * 160).withUnsafeBufferPointer { p.addToMix($0) }
            p.finishMix()
            p.devicePlayback { samples, frames in
                #expect(frames == 960 || t == 0)
                device += samples
            }
        }
        let left = stride(from: 0, to: device.count, by: 2).map { device[$0] }
        let right = stride(from: 1, to: device.count, by: 2).map { device[$0] }
        #expect(left == right)
        #expect(abs(Self.power(Array(left[4800...]), frequency: 440, rate: 48000) - 0.4) < 0.03)
    }

    @Test func echoOfThePlayedSignalIsCancelledByAtLeast15dB() throws {
        var controls = Self.plain()
        controls.echoCancellation = true
        let p = try AudioPipeline(captureFormat: .call, playbackFormat: .call, controls: controls, echoTailMs: 128)
        // Far end: noise-like speech stand-in; the echo path delays it 12 ms, attenuates it 6 dB and low-passes it.
        var rng = SystemRandomNumberGenerator()
        let far = (0..<(160 * 500)).map { _ in Int16.random(in: -8000...8000, using: &rng) }
        var echo = [Int16](repeating: 0, count: far.count)
        var lp = 0.0
        for i in 96..<far.count { lp = 0.6 * lp + 0.4 * Double(far[i - 96]); echo[i] = Int16(lp * 0.5) }
        let out = Self.run(p, ticks: 500, capture: { t in Array(echo[(t * 160)..<((t + 1) * 160)]) },
                           playback: { t in Array(far[(t * 160)..<((t + 1) * 160)]) })
        let tail = 160 * 400
        let erle = 20 * log10(Self.rms(echo[tail...]) / max(1, Self.rms(out[tail...])))
        #expect(erle >= 15, "ERLE \(erle) dB")
        print("AudioPipeline: ERLE \(String(format: "%.1f", erle)) dB through the capture pipeline")
    }

    @Test func muteSilencesAndInputGainScales() throws {
        var controls = Self.plain()
        controls.inputGainDB = 20 * log10(2)
        let p = try AudioPipeline(captureFormat: .call, playbackFormat: .call, controls: controls)
        let loud = Self.run(p, ticks: 10) { t in Self.tone(500, amplitude: 0.2, rate: 8000, count: 160, start: t * 160) }
        #expect(abs(Self.power(loud, frequency: 500) - 0.4) < 0.02)
        p.controls.mute = true
        let muted = Self.run(p, ticks: 5) { t in Self.tone(500, amplitude: 0.2, rate: 8000, count: 160, start: t * 160) }
        #expect(muted.allSatisfy { $0 == 0 })
        #expect(p.takeLevels().capture.peakDBFS > -10)  // the meter saw the loud part before mute
    }

    @Test func twoLoudCallsMixWithoutWrapping() throws {
        let p = try AudioPipeline(captureFormat: .call, playbackFormat: .call, controls: Self.plain())
        var played: [Int16] = []
        for t in 0..<20 {
            p.beginMix()
            Self.tone(400, amplitude: 0.8, rate: 8000, count: 160, start: t * 160).withUnsafeBufferPointer { p.addToMix($0) }
            Self.tone(400, amplitude: 0.8, rate: 8000, count: 160, start: t * 160).withUnsafeBufferPointer { p.addToMix($0) }
            p.finishMix()
            played += p.played
        }
        let reference = Self.tone(400, amplitude: 1, rate: 8000, count: played.count)
        // Same sign as the (unclipped) sum everywhere it matters: no wrap-around.
        #expect(zip(played, reference).allSatisfy { abs(Int($1)) < 2000 || ($0 > 0) == ($1 > 0) })
        #expect(played.map { abs(Int($0)) }.max()! <= 29_491)
        #expect(played.map { abs(Int($0)) }.max()! > 25_000)
    }
}

/// The per-call playback queues between the bus and the audio thread.
@Suite struct AudioStreamsTests {
    static func frame(stream: UInt32, sequence: UInt32, rate: UInt32 = 8000, value: Int16 = 100) -> [UInt8] {
        let header = PCMFrameHeader.twentyMilliseconds(streamID: stream, sequence: sequence, timestamp: UInt64(sequence) * 160,
                                                       sampleRate: rate, channels: 1)
        var bytes = [UInt8](repeating: 0, count: header.frameBytes)
        let samples = [Int16](repeating: value, count: header.totalSamples)
        _ = bytes.withUnsafeMutableBytes { out in samples.withUnsafeBufferPointer { try? PCMFrame.encode(header, samples: $0, into: out) } }
        return bytes
    }

    func receive(_ s: AudioStreams, _ bytes: [UInt8]) -> AudioStreams.Arrival { bytes.withUnsafeBytes { s.receive($0, now: .zero) } }

    @Test func framesAreQueuedPerAttachedStreamAndBadOnesNamed() {
        let s = AudioStreams()
        s.attach(call: "c1", playback: 10, capture: 11)
        #expect(receive(s, Self.frame(stream: 10, sequence: 1)) == .queued)
        #expect(receive(s, Self.frame(stream: 12, sequence: 1)) == .unattached)
        #expect(receive(s, Self.frame(stream: 10, sequence: 1)) == .late, "a repeated sequence is not played twice")
        if case .badFormat(let stream, let call, let detail) = receive(s, Self.frame(stream: 10, sequence: 2, rate: 16000)) {
            #expect(stream == 10 && call == "c1" && detail.contains("16000 Hz"))
        } else { Issue.record("a 16 kHz frame must be refused") }
        if case .malformed = receive(s, [1, 2, 3]) {} else { Issue.record("garbage must be malformed") }
        var got: [Int16] = []
        #expect(s.forEachPlaybackFrame(now: .zero) { got = Array($0) } == 1)
        #expect(got == [Int16](repeating: 100, count: 160))
        let c = s.counters
        #expect(c.framesIn == 4 && c.unattached == 1 && c.late == 1 && c.badFormat == 1 && c.malformed == 1 && c.framesPlayed == 1)
    }

    @Test func aStandingBacklogIsTrimmedAndAFloodIsBounded() {
        let s = AudioStreams()
        s.attach(call: "c1", playback: 10, capture: nil)
        var seq: UInt32 = 0
        // A sender three frames ahead: after a window of steady one-in-one-out, one frame of the backlog goes.
        for _ in 0..<3 { seq += 1; _ = receive(s, Self.frame(stream: 10, sequence: seq)) }
        for _ in 0..<(AudioStreams.backlogWindow * 2) {
            seq += 1
            _ = receive(s, Self.frame(stream: 10, sequence: seq))
            s.forEachPlaybackFrame(now: .zero) { _ in }
        }
        #expect(s.counters.trimmed == 2)
        // A flood keeps only the newest queueDepth frames.
        for _ in 0..<20 { seq += 1; _ = receive(s, Self.frame(stream: 10, sequence: seq)) }
        var played = 0
        while s.forEachPlaybackFrame(now: .zero, { _ in }) == 1 { played += 1 }
        #expect(played == AudioStreams.queueDepth)
        #expect(s.nextCaptureHeaders(flags: []).isEmpty, "a call attached without the microphone gets no capture frames")
    }
}
