import Foundation

/// A signal level in dB relative to full scale (32768), for VU meters, call-quality logs and "is the microphone
/// muted or dead" checks.
public struct AudioLevel: Sendable, Equatable {
    /// Root-mean-square level; a full-scale square wave is 0 dBFS and a full-scale sine about -3.01 dBFS.
    public var rmsDBFS: Double
    /// Largest sample magnitude; -32768 is 0 dBFS.
    public var peakDBFS: Double

    public init(rmsDBFS: Double, peakDBFS: Double) {
        self.rmsDBFS = rmsDBFS
        self.peakDBFS = peakDBFS
    }
}

/// Accumulates RMS and peak over any number of chunks until `take()` reads and resets it, so the audio thread can
/// feed every frame cheaply (no allocation, no logarithms) and a slower reader (a 10 Hz meter, a per-second log)
/// gets the level over exactly the interval since its last read.
///
/// Both values are relative to 32768 so that they compare with each other: RMS ≤ peak always.
public struct LevelMeter: Sendable {
    /// The reported level of silence (and the lowest ever reported): 16-bit audio has about 96 dB of range, and a
    /// finite floor keeps logs and JSON free of -inf.
    public static let floorDBFS: Double = -96

    private var sumOfSquares: Double = 0
    private var sampleCount: Int = 0
    private var peakMagnitude: Int32 = 0

    public init() {}

    /// Adds samples (any channel layout: the level is over all of them).
    public mutating func add(_ samples: UnsafeBufferPointer<Int16>) {
        // Squares summed exactly in UInt64 per call (≤ 2^30 each, so up to 2^34 samples per call), then folded
        // into the running Double, which keeps its precision over hours of audio.
        var squares: UInt64 = 0
        var peak = peakMagnitude
        for sample in samples {
            let v = Int32(sample)
            squares &+= UInt64(v * v)
            peak = max(peak, abs(v))
        }
        sumOfSquares += Double(squares)
        sampleCount += samples.count
        peakMagnitude = peak
    }

    /// The level since the last take, then resets. Silence gives floorDBFS for both.
    public mutating func take() -> AudioLevel {
        let fullScale = 32768.0
        let meanSquare = sampleCount > 0 ? sumOfSquares / Double(sampleCount) : 0
        let rms = meanSquare > 0 ? 10 * log10(meanSquare / (fullScale * fullScale)) : Self.floorDBFS
        let peak = peakMagnitude > 0 ? 20 * log10(Double(peakMagnitude) / fullScale) : Self.floorDBFS
        self = LevelMeter()
        return AudioLevel(rmsDBFS: max(rms, Self.floorDBFS), peakDBFS: max(peak, Self.floorDBFS))
    }
}
