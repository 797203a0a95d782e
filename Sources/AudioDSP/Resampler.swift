import CSpeexDSP

/// Sample-rate conversion between a device's rate and the call's (libspeexdsp's resampler), interleaved 16-bit.
public final class Resampler: @unchecked Sendable {
    public let channels: Int
    public let inputRate: Int
    public let outputRate: Int
    let state: OpaquePointer

    public struct Unsupported: Error, CustomStringConvertible {
        public let description: String
    }

    /// - Parameter quality: 0 (fastest) to 10 (best); 5 is speexdsp's default for VoIP.
    public init(channels: Int, inputRate: Int, outputRate: Int, quality: Int = 5) throws(Unsupported) {
        guard (1...2).contains(channels), (8000...48000).contains(inputRate), (8000...48000).contains(outputRate) else {
            throw Unsupported(description: "cannot resample \(channels) channel(s) from \(inputRate) Hz to \(outputRate) Hz; rates 8000-48000, 1 or 2 channels")
        }
        var error: Int32 = 0
        guard let st = speex_resampler_init(UInt32(channels), UInt32(inputRate), UInt32(outputRate), Int32(quality), &error) else {
            throw Unsupported(description: "speexdsp resampler refused \(inputRate)->\(outputRate) Hz (error \(error))")
        }
        self.channels = channels
        self.inputRate = inputRate
        self.outputRate = outputRate
        state = st
    }

    deinit { speex_resampler_destroy(state) }

    /// Converts `input` (interleaved) into `output` without allocating; returns the samples written. `output`
    /// should hold the input's duration at the output rate plus a few frames; input that does not fit is lost.
    public func process(_ input: UnsafeBufferPointer<Int16>, into output: UnsafeMutableBufferPointer<Int16>) -> Int {
        var inFrames = UInt32(input.count / channels)
        var outFrames = UInt32(output.count / channels)
        guard inFrames > 0, outFrames > 0 else { return 0 }
        _ = speex_resampler_process_interleaved_int(state, input.baseAddress, &inFrames, output.baseAddress, &outFrames)
        return Int(outFrames) * channels
    }

    /// Converts `input` (interleaved); returns the samples produced. Call with consecutive blocks of one stream.
    public func process(_ input: [Int16]) -> [Int16] {
        let frames = input.count / channels
        var outFrames = UInt32(frames * outputRate / inputRate + 16)
        var output = [Int16](repeating: 0, count: Int(outFrames) * channels)
        var inFrames = UInt32(frames)
        input.withUnsafeBufferPointer { i in
            output.withUnsafeMutableBufferPointer { o in
                _ = speex_resampler_process_interleaved_int(state, i.baseAddress, &inFrames, o.baseAddress, &outFrames)
            }
        }
        return Array(output.prefix(Int(outFrames) * channels))
    }
}
