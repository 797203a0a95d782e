import Foundation

/// Mixes the playback frames of several calls (call waiting, a local conference) into the one frame the
/// loudspeaker plays.
///
/// Why not just add the samples: two loud talkers easily sum past Int16 full scale, and a wrapped sum turns a peak
/// into a full-scale spike of the opposite sign (a loud click), while plain hard clipping flattens every peak into
/// harsh distortion. So the frame is summed in Int32 (which cannot wrap for any realistic number of sources) and a
/// peak limiter brings it under `ceiling`:
///
/// - Attack is instant: the gain for a frame is chosen so that the frame's peak times the gain is at most the
///   ceiling, and when the gain falls it is used from the first sample of the frame, so no sample ever exceeds the
///   ceiling (no look-ahead, hence no added latency).
/// - Release is smooth: afterwards the gain moves back towards 1 exponentially with the `releaseMilliseconds` time
///   constant, interpolated linearly across each frame, so the level does not jump (no "pumping" clicks).
/// - A saturating clamp to Int16 is the last safety net; the output never wraps.
///
/// A frame that needs no limiting, with both gains 1, passes bit-exact, so a single call is untouched.
///
/// Per frame: `begin()`, `add(_:gain:)` once per source, then `finish(into:gain:)`. Nothing allocates after `init`.
///
/// Thread safety: single-thread-owned. The class is `@unchecked Sendable` only so that the owner (the playback
/// engine) can be created on one thread and handed to the thread that runs the frames; it must not be used from
/// two threads at once.
public final class PlaybackMixer: @unchecked Sendable {
    /// Samples per frame (one channel); 160 is 20 ms at 8 kHz.
    public let frameSamples: Int
    /// The largest magnitude an output sample may have.
    public let ceiling: Int16
    /// How many `add` calls there were since the last `begin()`.
    public private(set) var sourcesThisFrame: Int = 0

    /// The Int32 sum of the current frame; allocated once here, freed in `deinit`.
    private let accumulator: UnsafeMutableBufferPointer<Int32>
    /// Fraction of the distance between the gain and 1 that is recovered per frame (from the release time constant).
    private let releasePerFrame: Float
    /// The limiter gain at the end of the previous frame.
    private var gain: Float = 1

    /// A gain this close to 1 is taken as 1, so after a loud passage a lone source becomes bit-exact again instead
    /// of creeping towards 1 forever (1e-4 is 0.0009 dB: inaudible).
    private static let unityEpsilon: Float = 1e-4
    /// Per-source and master gains are clamped to ±65536 (+96 dB) so that products stay finite and within Int32.
    private static let maximumGain: Float = 65536

    /// - Parameters:
    ///   - frameSamples: samples per frame; every source frame and the output have this many.
    ///   - ceiling: the output peak limit; the default 29 491 is -0.9 dBFS, leaving headroom for the DAC and resamplers.
    ///   - releaseMilliseconds: time constant of the gain's return to 1; 0 releases within one frame.
    ///   - sampleRate: the frames' rate, used only to turn the release time into frames.
    public init(frameSamples: Int = 160, ceiling: Int16 = 29_491, releaseMilliseconds: Double = 50, sampleRate: Int = 8000) {
        precondition(frameSamples > 0, "PlaybackMixer needs frameSamples > 0 (got \(frameSamples))")
        precondition(ceiling > 0, "PlaybackMixer needs a positive ceiling (got \(ceiling))")
        precondition(sampleRate > 0, "PlaybackMixer needs a positive sampleRate (got \(sampleRate))")
        self.frameSamples = frameSamples
        self.ceiling = ceiling
        accumulator = .allocate(capacity: frameSamples)
        accumulator.initialize(repeating: 0)
        let frameSeconds = Double(frameSamples) / Double(sampleRate)
        let tau = releaseMilliseconds / 1000
        releasePerFrame = tau > 0 && tau.isFinite ? Float(1 - exp(-frameSeconds / tau)) : 1
    }

    deinit { accumulator.deallocate() }

    /// Starts a new frame (zeroes the accumulator).
    public func begin() {
        accumulator.update(repeating: 0)
        sourcesThisFrame = 0
    }

    /// Adds one source frame (frameSamples samples) with a linear gain.
    ///
    /// A shorter frame is mixed as if padded with silence and a longer one is cut to `frameSamples`: a wrong-sized
    /// frame is a bug upstream, but the audio thread should keep playing rather than crash. A NaN gain counts as 0.
    public func add(_ frame: UnsafeBufferPointer<Int16>, gain: Float = 1) {
        sourcesThisFrame += 1
        let n = min(frame.count, frameSamples)
        guard n > 0, let source = frame.baseAddress, let sum = accumulator.baseAddress else { return }
        if gain == 1 {
            for i in 0..<n { sum[i] = Self.saturatingAdd(sum[i], Int32(source[i])) }
            return
        }
        let g = Self.sanitized(gain)
        if g == 0 { return }
        for i in 0..<n {
            // |sample × gain| ≤ 2^31 after sanitizing; clamp to ±2^30 so the Int32 conversion cannot trap.
            let v = (Float(source[i]) * g).rounded()
            sum[i] = Self.saturatingAdd(sum[i], Int32(min(max(v, -1_073_741_824), 1_073_741_824)))
        }
    }

    /// Applies the limiter and writes frameSamples samples to `output`; returns the gain reduction applied in dB (0 when none).
    ///
    /// `gain` is a master gain applied to the sum before limiting (the loudspeaker volume), so turning it up can
    /// never push the output past the ceiling. The returned reduction is positive (e.g. 4.2 means the quietest
    /// point of the frame was 4.2 dB below the unlimited sum). If `output` is shorter than `frameSamples` only what
    /// fits is written (the limiter still looks at the whole frame); samples past `frameSamples` are left alone.
    @discardableResult
    public func finish(into output: UnsafeMutableBufferPointer<Int16>, gain masterGain: Float = 1) -> Float {
        guard let sum = accumulator.baseAddress else { return 0 }
        let master = Self.sanitized(masterGain)
        let count = min(output.count, frameSamples)

        var largest: Int32 = 0, smallest: Int32 = 0
        for i in 0..<frameSamples {
            largest = max(largest, sum[i])
            smallest = min(smallest, sum[i])
        }
        let peak = Float(max(Int64(largest), -Int64(smallest))) * abs(master)
        let limit = Float(ceiling)
        let target: Float = peak > limit ? limit / peak : 1
        var released = gain + (1 - gain) * releasePerFrame
        if released > 1 - Self.unityEpsilon { released = 1 }
        let previous = gain
        let next = min(target, released)
        gain = next

        let lowest: Float
        if let out = output.baseAddress, count > 0 {
            if next == 1, previous == 1, master == 1 {
                // Nothing to limit: the sum itself (≤ ceiling here), bit-exact.
                for i in 0..<count { out[i] = Int16(clamping: sum[i]) }
                lowest = 1
            } else if next < previous {
                // Attack: the lower gain from the first sample, so the frame's peak lands at or under the ceiling.
                let g = next * master
                for i in 0..<count { out[i] = Self.clamped(Float(sum[i]) * g, to: limit) }
                lowest = next
            } else {
                // Release (or steady): ramp from the previous gain to the new one; every point is ≤ the new gain,
                // which alone already keeps this frame's peak under the ceiling.
                let step = (next - previous) / Float(frameSamples)
                for i in 0..<count {
                    let g = (previous + step * Float(i + 1)) * master
                    out[i] = Self.clamped(Float(sum[i]) * g, to: limit)
                }
                lowest = previous + step
            }
        } else {
            lowest = min(previous, next)
        }
        return lowest < 1 ? -20 * log10(max(lowest, 1e-10)) : 0
    }

    @inline(__always)
    private static func saturatingAdd(_ a: Int32, _ b: Int32) -> Int32 {
        let (result, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? .max : .min) : result
    }

    @inline(__always)
    private static func sanitized(_ gain: Float) -> Float {
        gain.isNaN ? 0 : min(max(gain, -maximumGain), maximumGain)
    }

    /// Rounds and clamps to ±limit (the ceiling; also within Int16, so the conversion can never trap or wrap).
    @inline(__always)
    private static func clamped(_ value: Float, to limit: Float) -> Int16 {
        Int16(min(max(value.rounded(), -limit), limit))
    }
}
