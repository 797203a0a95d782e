import AudioDSP
import AudioIO

/// Everything sip-audio does to sound between the devices and the calls, one 20 ms frame at a time, with no
/// threads, sockets or clocks: so it is tested with synthetic signals.
///
/// Capture: device frames → mono → call rate (8 kHz) → echo cancellation (reference: what we played) → noise
/// suppression / gain control → input gain → mute → level meter. Playback: the calls' frames mixed with a
/// limiter → output gain → level meter (and kept as the echo reference) → device rate and channels.
///
/// Owned by the audio thread; buffers are allocated when formats change, never per frame.
final class AudioPipeline {
    static let frameSamples = 160  // 20 ms at 8 kHz
    private(set) var captureFormat: AudioFormat
    private(set) var playbackFormat: AudioFormat
    var controls: AudioControls { didSet { if oldValue.processingKey != controls.processingKey { rebuildProcessing() } } }
    let echoTailMs: Int
    /// Whether the microphone can hear the loudspeaker (a sound card). A WAV file or null microphone cannot: the
    /// echo canceller is bypassed there, since with no echo path it could only hurt the signal.
    let acousticPath: Bool

    private var captureResampler: Resampler?
    private var playbackResampler: Resampler?
    private var captureFIFO = SampleFIFO(capacity: frameSamples * 4)
    private var echo: EchoCanceller?
    private var processor: VoiceProcessor?
    private let mixer = PlaybackMixer(frameSamples: frameSamples)
    private(set) var captureMeter = LevelMeter()
    private(set) var playbackMeter = LevelMeter()

    /// Scratch buffers.
    private var mono: [Int16] = []
    private var resampled: [Int16] = []
    private var raw = [Int16](repeating: 0, count: frameSamples)
    /// The last frame sent to the loudspeaker, at the call rate: the echo canceller's reference.
    private(set) var played = [Int16](repeating: 0, count: frameSamples)
    private var deviceOut: [Int16] = []
    private var deviceMono: [Int16] = []

    /// Samples (at 8 kHz) that waited in the capture FIFO before the last frame left: its buffering latency.
    private(set) var lastCaptureBacklog = 0
    private(set) var captureUnderflows = 0

    init(captureFormat: AudioFormat, playbackFormat: AudioFormat, controls: AudioControls, echoTailMs: Int = 200,
         acousticPath: Bool = true) throws(Resampler.Unsupported) {
        self.acousticPath = acousticPath
        self.captureFormat = captureFormat
        self.playbackFormat = playbackFormat
        self.controls = controls
        self.echoTailMs = echoTailMs
        try setCaptureFormat(captureFormat)
        try setPlaybackFormat(playbackFormat)
        rebuildProcessing()
    }

    /// Device frames per 20 ms tick.
    var captureFramesPerTick: Int { captureFormat.frames(milliseconds: 20) }
    var playbackFramesPerTick: Int { playbackFormat.frames(milliseconds: 20) }

    func setCaptureFormat(_ format: AudioFormat) throws(Resampler.Unsupported) {
        captureFormat = format
        captureResampler = format.sampleRate == 8000 ? nil : try Resampler(channels: 1, inputRate: format.sampleRate, outputRate: 8000)
        let frames = format.frames(milliseconds: 20)
        mono = [Int16](repeating: 0, count: frames * 2)
        resampled = [Int16](repeating: 0, count: Self.frameSamples * 2 + 64)
        captureFIFO.removeAll()
    }

    func setPlaybackFormat(_ format: AudioFormat) throws(Resampler.Unsupported) {
        playbackFormat = format
        playbackResampler = format.sampleRate == 8000 ? nil : try Resampler(channels: 1, inputRate: 8000, outputRate: format.sampleRate)
        let frames = format.frames(milliseconds: 20)
        deviceMono = [Int16](repeating: 0, count: frames + 64)
        deviceOut = [Int16](repeating: 0, count: (frames + 64) * format.channels)
    }

    private func rebuildProcessing() {
        echo = controls.echoCancellation && acousticPath ? EchoCanceller(frameSamples: Self.frameSamples, sampleRate: 8000, tailMilliseconds: echoTailMs) : nil
        let settings = VoiceProcessor.Settings(noiseSuppression: controls.noiseSuppression, automaticGainControl: controls.gainControl)
        processor = (controls.noiseSuppression || controls.gainControl || echo != nil)
            ? VoiceProcessor(frameSamples: Self.frameSamples, sampleRate: 8000, settings: settings, echo: echo) : nil
    }

    /// Forgets the echo path and buffered audio (devices reopened, a new call).
    func reset() {
        captureFIFO.removeAll()
        rebuildProcessing()
    }

    // MARK: capture

    /// Takes what the capture device gave this tick (`frames` interleaved frames in its format).
    func pushCaptured(_ samples: UnsafeBufferPointer<Int16>, frames: Int) {
        guard frames > 0 else { return }
        let monoCount = min(frames, mono.count)
        mono.withUnsafeMutableBufferPointer { m in
            let out = UnsafeMutableBufferPointer(rebasing: m[0..<monoCount])
            if captureFormat.channels == 1 {
                out.baseAddress!.update(from: samples.baseAddress!, count: monoCount)
            } else {
                SampleOps.downmix(samples, channels: captureFormat.channels, frames: monoCount, into: out)
            }
            if let captureResampler {
                let produced = resampled.withUnsafeMutableBufferPointer { captureResampler.process(UnsafeBufferPointer(out), into: $0) }
                resampled.withUnsafeBufferPointer { captureFIFO.push(UnsafeBufferPointer(rebasing: $0[0..<produced])) }
            } else {
                captureFIFO.push(UnsafeBufferPointer(out))
            }
        }
    }

    /// Produces the next 20 ms microphone frame for the calls; returns false when the device gave less than a frame
    /// (the rest is silence).
    @discardableResult
    func nextCaptureFrame(into output: UnsafeMutableBufferPointer<Int16>) -> Bool {
        lastCaptureBacklog = captureFIFO.count
        let real = raw.withUnsafeMutableBufferPointer { captureFIFO.popPadded(into: $0) }
        let complete = real == Self.frameSamples
        if !complete { captureUnderflows += 1 }
        raw.withUnsafeBufferPointer { r in
            played.withUnsafeBufferPointer { p in
                if let echo { echo.process(captured: r, played: p, output: output) } else { output.baseAddress!.update(from: r.baseAddress!, count: Self.frameSamples) }
            }
        }
        processor?.process(output)
        if controls.inputGainDB != 0 { SampleOps.applyGain(decibels: Float(controls.inputGainDB), to: output) }
        if controls.mute { output.baseAddress!.update(repeating: 0, count: output.count) }
        captureMeter.add(UnsafeBufferPointer(output))
        return complete
    }

    // MARK: playback

    /// Mixing the calls' frames of one tick (each `frameSamples` at 8 kHz) into the loudspeaker frame:
    /// `beginMix`, `addToMix` per call, `finishMix`.
    func beginMix() { mixer.begin() }

    func addToMix(_ frame: UnsafeBufferPointer<Int16>) { mixer.add(frame) }

    func finishMix() {
        let gain = SampleOps.linearGain(decibels: Float(controls.outputGainDB))
        played.withUnsafeMutableBufferPointer { _ = mixer.finish(into: $0, gain: gain) }
        played.withUnsafeBufferPointer { playbackMeter.add($0) }
    }

    /// The loudspeaker frame in the playback device's format; valid until the next call.
    func devicePlayback<R>(_ body: (UnsafeBufferPointer<Int16>, _ frames: Int) throws -> R) rethrows -> R {
        var frames = Self.frameSamples
        if let playbackResampler {
            frames = played.withUnsafeBufferPointer { p in deviceMono.withUnsafeMutableBufferPointer { playbackResampler.process(p, into: $0) } }
        } else {
            deviceMono.withUnsafeMutableBufferPointer { d in played.withUnsafeBufferPointer { d.baseAddress!.update(from: $0.baseAddress!, count: frames) } }
        }
        if playbackFormat.channels == 1 {
            return try deviceMono.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[0..<frames]), frames) }
        }
        deviceMono.withUnsafeBufferPointer { m in
            deviceOut.withUnsafeMutableBufferPointer {
                SampleOps.upmix(UnsafeBufferPointer(rebasing: m[0..<frames]), channels: playbackFormat.channels, frames: frames, into: $0)
            }
        }
        return try deviceOut.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[0..<frames * playbackFormat.channels]), frames) }
    }

    func takeLevels() -> (capture: AudioLevel, playback: AudioLevel) { (captureMeter.take(), playbackMeter.take()) }
}

private extension AudioControls {
    /// The fields whose change needs new speexdsp states.
    var processingKey: [Bool] { [echoCancellation, noiseSuppression, gainControl] }
}
