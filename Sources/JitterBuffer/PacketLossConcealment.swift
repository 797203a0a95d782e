/// Packet loss concealment for narrowband PCM in the manner of ITU-T G.711 Appendix I.
///
/// Why this method: G.711 carries no model of the voice, so the best estimate of a missing piece is the
/// most recent pitch period, repeated. It costs a pitch search once per loss and a copy per sample.
///
/// How (at 8 kHz; every length scales with the sample rate):
/// - History: the last 48.75 ms (390 samples) of output are kept. Output runs `delaySamples` (3.75 ms,
///   the longest overlap) behind input so that the start of a loss can still smooth audio not yet played.
/// - First lost sample: the pitch period P (40...120 samples, 200...66 Hz) is the lag that maximizes the
///   normalized cross-correlation between the last 20 ms and the signal P earlier (coarse search on every
///   other lag and sample, then refined at ±1). The last P/4 samples of history are overlap-added with the
///   samples one period earlier, so that repeating the last period joins the real signal without a click.
/// - Synthesis repeats the last period; after 10 ms of loss it cycles over the last 2 periods and after
///   20 ms over 3, which avoids the buzzy sound of one period repeated. Each jump back to the start of the
///   cycle is overlap-added over P/4 samples.
/// - Gain is 1 for the first 10 ms of a loss, then falls linearly by 20% per 10 ms: silent after 60 ms.
/// - First good sample after a loss: the synthesis continues for 4 ms (plus 4 ms per extra 10 ms of loss, at
///   most 10 ms) and is cross-faded into the real signal.
public struct PacketLossConcealment: Sendable {
    public let sampleRate: Int
    /// Samples the output lags behind the input (3.75 ms).
    public let delaySamples: Int
    /// The largest block `receive`, `conceal` and `emit` take in one step; larger calls are split.
    public let maxBlockSamples: Int

    let minPitch: Int
    let maxPitch: Int
    let historyLength: Int
    let correlationWindow: Int
    let attenuationStart: Int
    let attenuationLength: Int
    let periodStep: Int
    let baseMerge: Int
    let maxMerge: Int

    /// History and delay line; newest sample last. Always `historyLength + maxBlockSamples` long.
    var line: [Int16]
    /// The last three pitch periods at the start of the current loss (after the smoothing overlap-add).
    var pitchBuffer: [Float]
    /// Samples synthesized in the current loss; 0 when not concealing.
    public private(set) var erasedSamples = 0
    var pitch = 0
    var overlap = 1
    var periods = 1
    var position = 0
    var wrapStart = 0
    var sinceWrap = 0
    var hasAudio = false
    /// True when the last `emit` returned only synthesized silence (or nothing was ever received).
    public private(set) var lastOutputWasSilent = true

    public init(sampleRate: Int = 8000, maxBlockSamples: Int = 160) {
        let rate = min(max(sampleRate, 1000), 192_000)
        self.sampleRate = rate
        minPitch = rate / 200
        maxPitch = rate * 3 / 200
        delaySamples = max(maxPitch / 4, 1)
        historyLength = 3 * maxPitch + maxPitch / 4
        correlationWindow = rate / 50
        attenuationStart = rate / 100
        attenuationLength = rate / 20
        periodStep = rate / 100
        baseMerge = rate / 250
        maxMerge = rate / 100
        self.maxBlockSamples = max(maxBlockSamples, 1)
        line = Array(repeating: 0, count: historyLength + self.maxBlockSamples)
        pitchBuffer = Array(repeating: 0, count: 3 * maxPitch)
    }

    public var isConcealing: Bool { erasedSamples > 0 }

    /// Appends received audio, cross-fading out of any concealment in progress.
    public mutating func receive(_ samples: UnsafeBufferPointer<Int16>) {
        var offset = 0
        while offset < samples.count {
            let count = min(maxBlockSamples, samples.count - offset)
            appendReceived(UnsafeBufferPointer(rebasing: samples[offset..<(offset + count)]))
            offset += count
        }
    }

    public mutating func receive(_ samples: [Int16]) {
        samples.withUnsafeBufferPointer { receive($0) }
    }

    /// Appends `count` synthesized samples in place of missing audio.
    public mutating func conceal(count: Int) {
        var remaining = max(count, 0)
        while remaining > 0 {
            let block = min(maxBlockSamples, remaining)
            appendSynthesized(count: block)
            remaining -= block
        }
    }

    /// Writes the `output.count` samples that precede the newest `delaySamples`: call it after appending
    /// exactly that many samples (one frame in, one frame out).
    public mutating func emit(into output: UnsafeMutableBufferPointer<Int16>) {
        let count = min(output.count, line.count - delaySamples)
        let start = line.count - delaySamples - count
        line.withUnsafeBufferPointer { buffer in
            for index in 0..<count { output[index] = buffer[start + index] }
        }
        for index in count..<output.count { output[index] = 0 }
        lastOutputWasSilent = !hasAudio
            || erasedSamples >= attenuationStart + attenuationLength + delaySamples + output.count
    }

    /// One frame in, one frame out: `frame` nil means lost, of `count` samples.
    public mutating func process(_ frame: [Int16]?, count: Int) -> [Int16] {
        if let frame { receive(frame) } else { conceal(count: count) }
        var output = [Int16](repeating: 0, count: frame?.count ?? max(count, 0))
        output.withUnsafeMutableBufferPointer { emit(into: $0) }
        return output
    }

    // MARK: - Appending

    private mutating func shiftLine(by count: Int) {
        let keep = line.count - count
        line.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, count > 0 else { return }
            base.update(from: base + count, count: keep)
        }
    }

    private mutating func appendReceived(_ samples: UnsafeBufferPointer<Int16>) {
        let count = samples.count
        shiftLine(by: count)
        let start = line.count - count
        var mergeLength = 0
        if erasedSamples > 0 {
            let steps = (erasedSamples - 1) / periodStep
            mergeLength = min(min(baseMerge * (1 + steps), maxMerge), count)
        }
        for index in 0..<mergeLength {
            let weight = Float(index + 1) / Float(mergeLength + 1)
            let synthetic = nextSynthesized()
            line[start + index] = Self.clamp(weight * Float(samples[index]) + (1 - weight) * synthetic)
        }
        line.withUnsafeMutableBufferPointer { buffer in
            for index in mergeLength..<count { buffer[start + index] = samples[index] }
        }
        erasedSamples = 0
        hasAudio = true
    }

    private mutating func appendSynthesized(count: Int) {
        if erasedSamples == 0 { beginErasure() }
        shiftLine(by: count)
        let start = line.count - count
        for index in 0..<count {
            line[start + index] = Self.clamp(nextSynthesized())
        }
    }

    // MARK: - Synthesis

    /// Estimates the pitch, smooths the end of history into a one-period-earlier copy, and freezes the
    /// last three periods as the material the loss will be filled from.
    private mutating func beginErasure() {
        pitch = estimatePitch()
        overlap = max(pitch / 4, 1)
        let end = line.count
        for index in 0..<overlap {
            let weight = Float(index + 1) / Float(overlap + 1)
            let current = Float(line[end - overlap + index])
            let earlier = Float(line[end - overlap - pitch + index])
            line[end - overlap + index] = Self.clamp((1 - weight) * current + weight * earlier)
        }
        let span = 3 * pitch
        for index in 0..<span {
            pitchBuffer[index] = Float(line[end - span + index])
        }
        periods = 1
        position = 2 * pitch
        wrapStart = 2 * pitch
        sinceWrap = overlap
    }

    /// The next synthesized sample, attenuated for the time spent in the loss.
    private mutating func nextSynthesized() -> Float {
        let elapsed = erasedSamples
        erasedSamples += 1
        if elapsed >= attenuationStart + attenuationLength { return 0 }
        let wanted = min(3, 1 + elapsed / periodStep)
        if wanted > periods { periods = wanted }
        let span = 3 * pitch
        if position >= span {
            wrapStart = span - periods * pitch
            position = wrapStart
            sinceWrap = 0
        }
        var value = pitchBuffer[position]
        if sinceWrap < overlap && wrapStart != 2 * pitch {
            // After the jump back the natural continuation of the cycle's end is the sample one period
            // back (the end was smoothed into it); fade from that into the cycle's start.
            let weight = Float(sinceWrap + 1) / Float(overlap + 1)
            value = weight * value + (1 - weight) * pitchBuffer[2 * pitch + sinceWrap]
        }
        position += 1
        sinceWrap += 1
        if elapsed < attenuationStart { return value }
        let gain = 1 - Float(elapsed - attenuationStart) / Float(attenuationLength)
        return value * gain
    }

    static func clamp(_ value: Float) -> Int16 {
        let rounded = value.rounded()
        if rounded >= 32767 { return .max }
        if rounded <= -32768 { return .min }
        return Int16(rounded)
    }
}

extension PacketLossConcealment {
    /// Appends received audio held in an array slice (lets callers pass part of a reused buffer).
    public mutating func receive(_ samples: ArraySlice<Int16>) {
        samples.withUnsafeBufferPointer { receive($0) }
    }
}
