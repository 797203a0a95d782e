import CSpeexDSP

/// Noise suppression and automatic gain control on the microphone signal (libspeexdsp's preprocessor), and the
/// residual-echo suppression that completes the echo canceller when one is attached.
public final class VoiceProcessor: @unchecked Sendable {
    public struct Settings: Sendable, Equatable {
        public var noiseSuppression: Bool
        /// Maximum attenuation of noise, in dB (negative).
        public var noiseSuppressionDecibels: Int
        public var automaticGainControl: Bool
        /// The level AGC aims for, in 16-bit sample units of RMS.
        public var gainTarget: Float

        public init(noiseSuppression: Bool = true, noiseSuppressionDecibels: Int = -25, automaticGainControl: Bool = false,
                    gainTarget: Float = 8000) {
            self.noiseSuppression = noiseSuppression
            self.noiseSuppressionDecibels = noiseSuppressionDecibels
            self.automaticGainControl = automaticGainControl
            self.gainTarget = gainTarget
        }
    }

    public let frameSamples: Int
    public let settings: Settings
    let state: OpaquePointer
    private let echo: EchoCanceller?

    public init(frameSamples: Int = 160, sampleRate: Int = 8000, settings: Settings = Settings(), echo: EchoCanceller? = nil) {
        self.frameSamples = frameSamples
        self.settings = settings
        self.echo = echo
        state = speex_preprocess_state_init(Int32(frameSamples), Int32(sampleRate))
        _ = sipc_preprocess_set_int(state, sipc_preprocess_denoise(), settings.noiseSuppression ? 1 : 0)
        _ = sipc_preprocess_set_int(state, sipc_preprocess_noise_suppress(), Int32(settings.noiseSuppressionDecibels))
        _ = sipc_preprocess_set_int(state, sipc_preprocess_agc(), settings.automaticGainControl ? 1 : 0)
        if settings.automaticGainControl { _ = sipc_preprocess_set_float(state, sipc_preprocess_agc_level(), settings.gainTarget) }
        if let echo { _ = sipc_preprocess_set_echo(state, echo.state) }
    }

    deinit { speex_preprocess_state_destroy(state) }

    /// Processes one frame in place; returns whether it judged the frame to hold speech.
    @discardableResult
    public func process(_ frame: UnsafeMutableBufferPointer<Int16>) -> Bool {
        precondition(frame.count == frameSamples, "VoiceProcessor works on frames of \(frameSamples) samples")
        _ = echo  // kept alive for as long as the preprocessor refers to it
        return speex_preprocess_run(state, frame.baseAddress) != 0
    }

    public func process(_ frame: inout [Int16]) {
        frame.withUnsafeMutableBufferPointer { _ = process($0) }
    }
}
