import Foundation
import Testing
import AudioDSP

/// The pure-Swift sample helpers of the playback path, measured on signals with known answers.
@Suite("Mixer, meter, sample ops and FIFO") struct MixerMeterOpsTests {
    static func tone(frequency: Double, amplitude: Double, count: Int, offset: Int = 0, sampleRate: Double = 8000) -> [Int16] {
        (0..<count).map { i in
            Int16((amplitude * 32767 * sin(2 * Double.pi * frequency * Double(i + offset) / sampleRate)).rounded())
        }
    }

    /// Runs one frame through the mixer; returns the output and the reported reduction.
    static func mix(_ mixer: PlaybackMixer, _ sources: [[Int16]], gains: [Float]? = nil, master: Float = 1) -> ([Int16], Float) {
        mixer.begin()
        for (i, source) in sources.enumerated() {
            source.withUnsafeBufferPointer { mixer.add($0, gain: gains?[i] ?? 1) }
        }
        var out = [Int16](repeating: 0x55, count: mixer.frameSamples)
        let reduction = out.withUnsafeMutableBufferPointer { mixer.finish(into: $0, gain: master) }
        return (out, reduction)
    }

    static func correlation(_ a: [Double], _ b: [Double]) -> Double {
        let ma = a.reduce(0, +) / Double(a.count), mb = b.reduce(0, +) / Double(b.count)
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for i in a.indices {
            sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) * (a[i] - ma); sbb += (b[i] - mb) * (b[i] - mb)
        }
        return sab / (saa * sbb).squareRoot()
    }

    // MARK: PlaybackMixer

    @Test func twoLoudTonesAreLimitedUnderTheCeilingWithoutWrapping() {
        let frame = 160, frames = 50
        let mixer = PlaybackMixer()
        let a = Self.tone(frequency: 400, amplitude: 0.8, count: frame * frames)
        let b = Self.tone(frequency: 600, amplitude: 0.8, count: frame * frames)
        var output: [Int16] = [], sums: [Int32] = [], reductions: [Float] = []
        for f in 0..<frames {
            let range = f * frame..<(f + 1) * frame
            let (out, reduction) = Self.mix(mixer, [Array(a[range]), Array(b[range])])
            #expect(mixer.sourcesThisFrame == 2)
            output += out
            sums += range.map { Int32(a[$0]) + Int32(b[$0]) }
            reductions.append(reduction)
        }
        #expect(sums.map { abs($0) }.max()! > 40_000)  // the plain sum really does overflow Int16
        #expect(output.allSatisfy { abs(Int32($0)) <= 29_491 })
        #expect(zip(output, sums).allSatisfy { Int32($0) * $1 >= 0 })  // never the opposite sign (no wrap)
        #expect(Self.correlation(output.map(Double.init), sums.map(Double.init)) > 0.99)
        #expect(reductions.allSatisfy { $0 > 1 })  // limiting was active and reported (≈ 4-5 dB)
        #expect(reductions.max()! < 6.5)
        #expect(output.map { abs(Int32($0)) }.max()! > 28_000)  // limited to the ceiling, not squashed far below
    }

    @Test func aSingleQuietSourcePassesBitExact() {
        let mixer = PlaybackMixer()
        let source = Self.tone(frequency: 1000, amplitude: 0.3, count: 160)
        for _ in 0..<3 {
            let (out, reduction) = Self.mix(mixer, [source])
            #expect(out == source)
            #expect(reduction == 0)
        }
    }

    @Test func gainRecoversSmoothlyAfterTheLoudPartEnds() throws {
        let frame = 160
        let mixer = PlaybackMixer(releaseMilliseconds: 50)
        for f in 0..<25 {
            let a = Self.tone(frequency: 400, amplitude: 0.8, count: frame, offset: f * frame)
            let b = Self.tone(frequency: 600, amplitude: 0.8, count: frame, offset: f * frame)
            _ = Self.mix(mixer, [a, b])
        }
        var recoveredAfter: Int?
        var reductions: [Float] = []
        var lastOut: [Int16] = [], lastIn: [Int16] = []
        for f in 0..<40 {
            let quiet = Self.tone(frequency: 500, amplitude: 0.3, count: frame, offset: f * frame)
            let (out, reduction) = Self.mix(mixer, [quiet])
            #expect(out.allSatisfy { abs(Int32($0)) <= 29_491 })
            reductions.append(reduction)
            if recoveredAfter == nil, reduction <= -20 * log10(Float(0.99)) { recoveredAfter = f + 1 }
            (lastOut, lastIn) = (out, quiet)
        }
        // Not an instant jump back (that would pump), but back to ≥ 0.99 within 5 release time constants (250 ms).
        #expect(reductions[0] > 1)
        #expect(zip(reductions, reductions.dropFirst()).allSatisfy { $0 >= $1 })  // monotonic release
        let frames = try #require(recoveredAfter)
        #expect(frames * 20 <= 5 * 50)
        #expect(lastOut == lastIn)  // fully recovered: bit-exact again
    }

    @Test func addAndFinishGainsScaleTheMix() {
        let mixer = PlaybackMixer()
        let source = Self.tone(frequency: 700, amplitude: 0.2, count: 160)
        let (half, r1) = Self.mix(mixer, [source], gains: [0.5])
        #expect(zip(half, source).allSatisfy { abs(Int32($0) - (Int32($1) / 2)) <= 1 })
        #expect(r1 == 0)
        let (double, r2) = Self.mix(mixer, [source], master: 2)
        #expect(zip(double, source).allSatisfy { Int32($0) == 2 * Int32($1) })
        #expect(r2 == 0)
        // Two sources with their own gains: 0.25·a + 0.5·b.
        let other = Self.tone(frequency: 300, amplitude: 0.2, count: 160)
        let (weighted, _) = Self.mix(mixer, [source, other], gains: [0.25, 0.5])
        for i in 0..<160 {
            let expected = (Float(source[i]) * 0.25).rounded() + (Float(other[i]) * 0.5).rounded()
            #expect(abs(Float(weighted[i]) - expected) <= 1)
        }
        // A master gain that would push past the ceiling is limited, not clipped or wrapped.
        let loud = Self.tone(frequency: 700, amplitude: 0.6, count: 160)
        let (boosted, r3) = Self.mix(mixer, [loud], master: 4)
        #expect(boosted.allSatisfy { abs(Int32($0)) <= 29_491 })
        #expect(zip(boosted, loud).allSatisfy { Int32($0) * Int32($1) >= 0 })
        #expect(r3 > 3)
    }

    @Test func anEmptyFrameGivesZeros() {
        let mixer = PlaybackMixer(frameSamples: 320, sampleRate: 16000)
        _ = Self.mix(mixer, [Self.tone(frequency: 440, amplitude: 0.5, count: 320)])
        let (out, reduction) = Self.mix(mixer, [])
        #expect(mixer.sourcesThisFrame == 0)
        #expect(out == [Int16](repeating: 0, count: 320))
        #expect(reduction == 0)
    }

    @Test func manyFullScaleSourcesNeverWrap() {
        let mixer = PlaybackMixer()
        let full = [Int16](repeating: .min, count: 160)
        let (out, _) = Self.mix(mixer, Array(repeating: full, count: 8), gains: Array(repeating: 60_000, count: 8))
        #expect(out.allSatisfy { $0 == -29_491 })
    }

    // MARK: LevelMeter

    @Test func levelMeterMeasuresKnownSignals() {
        var meter = LevelMeter()
        let sine = (0..<8000).map { Int16((16384 * sin(2 * Double.pi * 997 * Double($0) / 8000)).rounded()) }
        sine.withUnsafeBufferPointer { buffer in
            meter.add(UnsafeBufferPointer(rebasing: buffer[0..<3000]))  // in uneven chunks
            meter.add(UnsafeBufferPointer(rebasing: buffer[3000...]))
        }
        let level = meter.take()
        #expect(abs(level.peakDBFS - -6.02) < 0.1)
        #expect(abs(level.rmsDBFS - -9.03) < 0.1)

        #expect(meter.take() == AudioLevel(rmsDBFS: -96, peakDBFS: -96))  // take resets; nothing since
        let silence = [Int16](repeating: 0, count: 160)
        silence.withUnsafeBufferPointer { meter.add($0) }
        #expect(meter.take() == AudioLevel(rmsDBFS: LevelMeter.floorDBFS, peakDBFS: LevelMeter.floorDBFS))

        let square = (0..<160).map { $0 % 20 < 10 ? Int16.min : Int16.max }
        square.withUnsafeBufferPointer { meter.add($0) }
        let full = meter.take()
        #expect(abs(full.rmsDBFS) < 0.001 && full.peakDBFS == 0)

        let fullSine = (0..<8000).map { Int16((32767 * sin(2 * Double.pi * 250 * Double($0) / 8000 + 0.1)).rounded()) }
        fullSine.withUnsafeBufferPointer { meter.add($0) }
        #expect(abs(meter.take().rmsDBFS - -3.01) < 0.02)

        let oneLSB: [Int16] = [1] + [Int16](repeating: 0, count: 15)  // rms -102 dBFS, peak -90.3 dBFS
        oneLSB.withUnsafeBufferPointer { meter.add($0) }
        let tiny = meter.take()
        #expect(abs(tiny.peakDBFS - -90.31) < 0.01)
        #expect(tiny.rmsDBFS == -96)  // clamped to the floor
    }

    // MARK: SampleOps

    @Test func gainInDecibels() {
        var samples: [Int16] = [0, 1, -1, 1000, -1000, 12_345, -16_384, 16_383]
        let original = samples
        samples.withUnsafeMutableBufferPointer { SampleOps.applyGain(decibels: 20 * log10(2), to: $0) }
        #expect(zip(samples, original).allSatisfy { abs(Int32($0) - 2 * Int32($1)) <= 1 })

        samples = original
        samples.withUnsafeMutableBufferPointer { SampleOps.applyGain(decibels: 0, to: $0) }
        #expect(samples == original)

        var loud = MixerMeterOpsTests.tone(frequency: 300, amplitude: 0.9, count: 800)
        let loudOriginal = loud
        loud.withUnsafeMutableBufferPointer { SampleOps.applyGain(decibels: 40, to: $0) }
        #expect(loud.contains(32_767) && loud.contains(-32_768))
        #expect(zip(loud, loudOriginal).allSatisfy { Int32($0) * Int32($1) >= 0 && ($1 == 0) == ($0 == 0) })
        let extremes: [Int16] = [.max, .min]
        var ext = extremes
        ext.withUnsafeMutableBufferPointer { SampleOps.applyGain(decibels: .infinity, to: $0) }
        #expect(ext == [32_767, -32_768])

        var quietened = loudOriginal
        quietened.withUnsafeMutableBufferPointer { SampleOps.applyGain(decibels: -100, to: $0) }
        #expect(quietened.allSatisfy { abs(Int32($0)) <= 1 })

        #expect(abs(SampleOps.linearGain(decibels: 6) - 1.9953) < 1e-3)
        #expect(abs(SampleOps.linearGain(decibels: -20) - 0.1) < 1e-6)
        #expect(SampleOps.linearGain(decibels: 0) == 1)
        #expect(SampleOps.linearGain(decibels: -.infinity) == 0)
    }

    @Test func downmixAndUpmixAreExact() {
        let stereo: [Int16] = [100, 200, -3, -4, 32_767, 32_767, -32_768, -32_768, 7, 8, 1, -2]
        var mono = [Int16](repeating: 99, count: 6)
        stereo.withUnsafeBufferPointer { input in
            mono.withUnsafeMutableBufferPointer { SampleOps.downmix(input, channels: 2, frames: 6, into: $0) }
        }
        #expect(mono == [150, -4, 32_767, -32_768, 8, -1])  // ties round away from zero: 7.5 → 8, -3.5 → -4, -0.5 → -1

        let three: [Int16] = [3, 6, 9, -1, -1, -2]
        var mono3 = [Int16](repeating: 0, count: 2)
        three.withUnsafeBufferPointer { input in
            mono3.withUnsafeMutableBufferPointer { SampleOps.downmix(input, channels: 3, frames: 2, into: $0) }
        }
        #expect(mono3 == [6, -1])

        let source: [Int16] = [1, -2, 32_767, -32_768]
        var up = [Int16](repeating: 0, count: 8)
        source.withUnsafeBufferPointer { input in
            up.withUnsafeMutableBufferPointer { SampleOps.upmix(input, channels: 2, frames: 4, into: $0) }
        }
        #expect(up == [1, 1, -2, -2, 32_767, 32_767, -32_768, -32_768])
        var back = [Int16](repeating: 0, count: 4)
        up.withUnsafeBufferPointer { input in
            back.withUnsafeMutableBufferPointer { SampleOps.downmix(input, channels: 2, frames: 4, into: $0) }
        }
        #expect(back == source)

        // Frames beyond what the output holds are not written (no overrun).
        var short = [Int16](repeating: 0, count: 3)
        source.withUnsafeBufferPointer { input in
            short.withUnsafeMutableBufferPointer { SampleOps.upmix(input, channels: 2, frames: 4, into: $0) }
        }
        #expect(short == [1, 1, 0])
    }

    // MARK: SampleFIFO

    @Test func fifoTurnsChunksIntoFramesAcrossTheWrap() {
        var fifo = SampleFIFO(capacity: 10)
        #expect(fifo.capacity == 10 && fifo.count == 0)
        var next: Int16 = 0, expected: Int16 = 0
        var frame = [Int16](repeating: 0, count: 4)
        for chunk in [3, 5, 1, 6, 2, 7, 3, 3, 4] {
            let data = (0..<chunk).map { _ -> Int16 in defer { next += 1 }; return next }
            #expect(data.withUnsafeBufferPointer { fifo.push($0) } == 0)
            while frame.withUnsafeMutableBufferPointer({ fifo.pop(into: $0) }) {
                #expect(frame == (0..<4).map { expected + Int16($0) })
                expected += 4
            }
            #expect(fifo.count < 4)
        }
        #expect(Int(expected) + fifo.count == Int(next))

        // Not enough: pop refuses and leaves the FIFO as it was.
        let before = fifo.count
        var big = [Int16](repeating: 7, count: 9)
        #expect(!big.withUnsafeMutableBufferPointer { fifo.pop(into: $0) })
        #expect(fifo.count == before && big == [Int16](repeating: 7, count: 9))

        // popPadded gives what there is, then zeros.
        let real = big.withUnsafeMutableBufferPointer { fifo.popPadded(into: $0) }
        #expect(real == before)
        #expect(Array(big[..<real]) == (0..<real).map { expected + Int16($0) })
        #expect(big[real...].allSatisfy { $0 == 0 })
        #expect(fifo.count == 0)
    }

    @Test func fifoOverflowDropsTheOldest() {
        var fifo = SampleFIFO(capacity: 8)
        let first: [Int16] = [1, 2, 3, 4, 5, 6]
        #expect(first.withUnsafeBufferPointer { fifo.push($0) } == 0)
        var two = [Int16](repeating: 0, count: 2)
        #expect(two.withUnsafeMutableBufferPointer { fifo.pop(into: $0) })  // head moves, so the next push wraps
        let second: [Int16] = [7, 8, 9, 10, 11, 12, 13]
        #expect(second.withUnsafeBufferPointer { fifo.push($0) } == 3)  // 4 + 7 = 11 > 8
        #expect(fifo.count == 8)
        var all = [Int16](repeating: 0, count: 8)
        #expect(all.withUnsafeMutableBufferPointer { fifo.pop(into: $0) })
        #expect(all == [6, 7, 8, 9, 10, 11, 12, 13])

        // A chunk larger than the capacity keeps only its newest samples.
        let small: [Int16] = [100, 101, 102]
        small.withUnsafeBufferPointer { _ = fifo.push($0) }
        let huge = (200..<220).map(Int16.init)
        #expect(huge.withUnsafeBufferPointer { fifo.push($0) } == 3 + 12)
        #expect(all.withUnsafeMutableBufferPointer { fifo.pop(into: $0) })
        #expect(all == (212..<220).map(Int16.init))

        small.withUnsafeBufferPointer { _ = fifo.push($0) }
        fifo.removeAll()
        #expect(fifo.count == 0)
        var padded = [Int16](repeating: 9, count: 3)
        #expect(padded.withUnsafeMutableBufferPointer { fifo.popPadded(into: $0) } == 0)
        #expect(padded == [0, 0, 0])
    }
}
