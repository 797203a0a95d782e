import CSpeexDSP

/// Acoustic echo cancellation (libspeexdsp's MDF canceller): removes from the microphone signal the part that is
/// the far end's audio coming back from the loudspeaker, using what we played as the reference.
///
/// One instance per capture stream, used from one thread at a time (the audio thread that owns the stream), which
/// is why it may be handed between threads (`@unchecked Sendable`) but is never shared.
public final class EchoCanceller: @unchecked Sendable {
    public let frameSamples: Int
    public let sampleRate: Int
    let state: OpaquePointer

    /// - Parameters: `tailMilliseconds` is the longest echo path it models (loudspeaker to microphone, room).
    public init(frameSamples: Int = 160, sampleRate: Int = 8000, tailMilliseconds: Int = 128) {
        self.frameSamples = frameSamples
        self.sampleRate = sampleRate
        let tail = Int32(tailMilliseconds * sampleRate / 1000)
        state = speex_echo_state_init(Int32(frameSamples), tail)
        _ = sipc_echo_set_rate(state, Int32(sampleRate))
    }

    deinit { speex_echo_state_destroy(state) }

    /// Cancels the echo of `played` (the frame sent to the loudspeaker at the same time) from `captured`.
    /// Both buffers and `output` hold `frameSamples` samples.
    public func process(captured: UnsafeBufferPointer<Int16>, played: UnsafeBufferPointer<Int16>,
                        output: UnsafeMutableBufferPointer<Int16>) {
        precondition(captured.count == frameSamples && played.count == frameSamples && output.count == frameSamples,
                     "EchoCanceller works on frames of \(frameSamples) samples")
        speex_echo_cancellation(state, captured.baseAddress, played.baseAddress, output.baseAddress)
    }

    public func process(captured: [Int16], played: [Int16]) -> [Int16] {
        var out = [Int16](repeating: 0, count: frameSamples)
        captured.withUnsafeBufferPointer { c in
            played.withUnsafeBufferPointer { p in out.withUnsafeMutableBufferPointer { process(captured: c, played: p, output: $0) } }
        }
        return out
    }

    /// Forgets what it learnt of the echo path (a new device, a new call).
    public func reset() { speex_echo_state_reset(state) }
}
