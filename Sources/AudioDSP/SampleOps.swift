import Foundation

/// Small in-place sample operations for the audio path: volume in dB and channel-count conversion between the
/// device (often stereo) and calls (mono). Nothing allocates; callers pass preallocated buffers.
public enum SampleOps {
    /// Gains above this (+96 dB) are treated as this, which saturates any non-zero sample anyway and keeps the
    /// arithmetic finite.
    private static let maximumGain: Float = 65536

    /// Multiplies by a gain in dB with saturation (never wraps). 0 dB leaves samples untouched.
    ///
    /// Saturation rather than wrap-around because a wrapped sample is a full-scale spike of the opposite sign
    /// (a loud click); a clipped one is merely distorted. A NaN gain leaves the samples untouched.
    public static func applyGain(decibels: Float, to samples: UnsafeMutableBufferPointer<Int16>) {
        guard decibels != 0, !decibels.isNaN else { return }
        let gain = min(linearGain(decibels: decibels), maximumGain)
        for i in samples.indices {
            let v = (Float(samples[i]) * gain).rounded()
            samples[i] = Int16(min(max(v, -32768), 32767))
        }
    }

    /// Interleaved stereo (or N channels) → mono by averaging; `frames` frames; output holds `frames` samples.
    ///
    /// Averaging (not summing) so that a signal present in both channels keeps its level and cannot clip. The
    /// average is rounded to nearest with ties away from zero, which, unlike a plain shift, adds no DC offset.
    /// At most as many frames as both buffers hold are converted.
    public static func downmix(_ input: UnsafeBufferPointer<Int16>, channels: Int, frames: Int, into output: UnsafeMutableBufferPointer<Int16>) {
        precondition(channels > 0, "SampleOps.downmix needs channels > 0 (got \(channels))")
        let n = min(frames, input.count / channels, output.count)
        guard n > 0 else { return }
        if channels == 1 {
            for i in 0..<n { output[i] = input[i] }
            return
        }
        let c = Int32(channels)
        let half = c / 2
        for frame in 0..<n {
            let base = frame * channels
            var sum: Int32 = 0
            for ch in 0..<channels { sum += Int32(input[base + ch]) }
            output[frame] = Int16((sum >= 0 ? sum + half : sum - half) / c)
        }
    }

    /// Mono → N interleaved channels by copying.
    ///
    /// Copying (not scaling) so that the call is as loud on each side as it was in mono. At most as many frames
    /// as both buffers hold are converted.
    public static func upmix(_ input: UnsafeBufferPointer<Int16>, channels: Int, frames: Int, into output: UnsafeMutableBufferPointer<Int16>) {
        precondition(channels > 0, "SampleOps.upmix needs channels > 0 (got \(channels))")
        let n = min(frames, input.count, output.count / channels)
        guard n > 0 else { return }
        for frame in 0..<n {
            let sample = input[frame]
            let base = frame * channels
            for ch in 0..<channels { output[base + ch] = sample }
        }
    }

    /// 10^(dB/20): the amplitude factor of a gain in dB; -infinity gives 0.
    public static func linearGain(decibels: Float) -> Float {
        decibels == -.infinity ? 0 : Float(pow(10, Double(decibels) / 20))
    }
}
