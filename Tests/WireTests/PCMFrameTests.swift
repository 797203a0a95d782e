import Testing
@testable import Wire

@Suite struct PCMFrameTests {
    static func encode(_ h: PCMFrameHeader, _ samples: [Int16]) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: PCMFrame.slotSize)
        let n = try samples.withUnsafeBufferPointer { s in
            try out.withUnsafeMutableBytes { try PCMFrame.encode(h, samples: s, into: $0) }
        }
        return Array(out[0..<n])
    }

    @Test(arguments: [(UInt32(8000), UInt16(1)), (16000, 1), (48000, 1), (48000, 2)])
    func roundTrip(rate: UInt32, channels: UInt16) throws {
        let h = PCMFrameHeader.twentyMilliseconds(streamID: 0xA1B2_C3D4, sequence: 0xFFFF_FFFF, timestamp: 1 << 40,
                                                  sampleRate: rate, channels: channels, flags: [.discontinuity, .concealed])
        let samples = (0..<h.totalSamples).map { Int16(truncatingIfNeeded: $0 &* 331 &- 20000) }
        let bytes = try Self.encode(h, samples)
        #expect(bytes.count == 32 + samples.count * 2)
        #expect(bytes.count <= PCMFrame.slotSize)
        let decoded = try bytes.withUnsafeBytes { try PCMFrame.decodeHeader($0) }
        #expect(decoded == h)
        var back = [Int16](repeating: 0, count: h.totalSamples)
        try bytes.withUnsafeBytes { raw in try back.withUnsafeMutableBufferPointer { try PCMFrame.readSamples(raw, header: decoded, into: $0) } }
        #expect(back == samples)
    }

    @Test func headerBytesAreLittleEndianAsDocumented() throws {
        let h = PCMFrameHeader(streamID: 0x0403_0201, sequence: 0x0807_0605, flags: [.silence], timestamp: 0x100F_0E0D_0C0B_0A09,
                               sampleRate: 8000, channels: 1, sampleCount: 2)
        let bytes = try Self.encode(h, [1, -2])
        #expect(bytes == [0x50, 0x46, 1, 32, 1, 2, 3, 4, 5, 6, 7, 8, 1, 0, 0, 0,
                          9, 10, 11, 12, 13, 14, 15, 16, 0x40, 0x1F, 0, 0, 1, 0, 2, 0,
                          1, 0, 0xFE, 0xFF])
        #expect(Array(bytes.prefix(8)) == PCMFrame.streamPrefix(0x0403_0201))
    }

    @Test func originStampIsAnEightByteTrailerFlaggedByBitFour() throws {
        let h = PCMFrameHeader(streamID: 0x0403_0201, sequence: 0x0807_0605, flags: [.silence], timestamp: 0x100F_0E0D_0C0B_0A09,
                               sampleRate: 8000, channels: 1, sampleCount: 2, origin: 0x1817_1615_1413_1211)
        #expect(h.flags == [.silence, .originStamped] && h.frameBytes == 44)
        let bytes = try Self.encode(h, [1, -2])
        #expect(bytes == [0x50, 0x46, 1, 32, 1, 2, 3, 4, 5, 6, 7, 8, 0x11, 0, 0, 0,
                          9, 10, 11, 12, 13, 14, 15, 16, 0x40, 0x1F, 0, 0, 1, 0, 2, 0,
                          1, 0, 0xFE, 0xFF, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18])
        #expect(Array(bytes.prefix(8)) == PCMFrame.streamPrefix(0x0403_0201), "the subscription prefix is unchanged")
        let decoded = try bytes.withUnsafeBytes { try PCMFrame.decodeHeader($0) }
        #expect(decoded.origin == 0x1817_1615_1413_1211 && decoded == h)
        var back = [Int16](repeating: 0, count: 2)
        try bytes.withUnsafeBytes { raw in try back.withUnsafeMutableBufferPointer { try PCMFrame.readSamples(raw, header: decoded, into: $0) } }
        #expect(back == [1, -2])
        // The flag without its trailer, or a trailer without the flag, is a length mismatch.
        var unflagged = bytes
        unflagged[12] = 0x01
        #expect(throws: PCMFrameError.lengthMismatch(declared: 36, actual: 44)) { try unflagged.withUnsafeBytes { try PCMFrame.decodeHeader($0) } }
        let short = Array(bytes.prefix(36))
        #expect(throws: PCMFrameError.lengthMismatch(declared: 44, actual: 36)) { try short.withUnsafeBytes { try PCMFrame.decodeHeader($0) } }
        // The largest stamped frame still fits a slot.
        #expect(PCMFrame.maxFrameBytes + PCMFrame.originStampSize <= PCMFrame.slotSize)
    }

    @Test func largestFrameFitsTheSlot() {
        #expect(PCMFrame.maxFrameBytes == 3872)
        #expect(PCMFrame.maxFrameBytes <= PCMFrame.slotSize)
    }

    @Test func everyTruncationIsRejected() throws {
        let h = PCMFrameHeader.twentyMilliseconds(streamID: 1, sequence: 1, timestamp: 0, sampleRate: 8000, channels: 1)
        let bytes = try Self.encode(h, [Int16](repeating: 7, count: 160))
        for n in 0..<bytes.count {
            #expect(throws: PCMFrameError.self) { try Array(bytes.prefix(n)).withUnsafeBytes { try PCMFrame.decodeHeader($0) } }
        }
        #expect(throws: PCMFrameError.lengthMismatch(declared: 352, actual: 353)) {
            try (bytes + [0]).withUnsafeBytes { try PCMFrame.decodeHeader($0) }
        }
    }

    @Test func corruptHeadersAreTypedErrors() throws {
        let h = PCMFrameHeader.twentyMilliseconds(streamID: 1, sequence: 1, timestamp: 0, sampleRate: 8000, channels: 1)
        let good = try Self.encode(h, [Int16](repeating: 0, count: 160))
        func decode(_ patch: (inout [UInt8]) -> Void) -> PCMFrameError? {
            var b = good
            patch(&b)
            do { _ = try b.withUnsafeBytes { try PCMFrame.decodeHeader($0) } } catch { return error as? PCMFrameError }
            return nil
        }
        #expect(decode { $0[0] = 0 } == .badMagic)
        #expect(decode { $0[2] = 9 } == .unsupportedVersion(9))
        #expect(decode { $0[3] = 16 } == .badHeaderLength(16))
        #expect(decode { $0[24] = 0x10; $0[25] = 0 } == .badSampleRate(16))
        #expect(decode { $0[28] = 3 } == .badChannels(3))
        #expect(decode { $0[28] = 2; $0[30] = 0xC1; $0[31] = 0x03 } == .tooManySamples(1922))
        #expect(decode { $0[30] = 100 } == .lengthMismatch(declared: 232, actual: 352))
    }

    @Test func encoderRefusesInconsistentInput() {
        let h = PCMFrameHeader.twentyMilliseconds(streamID: 1, sequence: 1, timestamp: 0, sampleRate: 8000, channels: 1)
        #expect(throws: PCMFrameError.lengthMismatch(declared: 160, actual: 3)) { _ = try Self.encode(h, [1, 2, 3]) }
        var small = [UInt8](repeating: 0, count: 100)
        #expect(throws: PCMFrameError.bufferTooSmall(needed: 352, available: 100)) {
            try [Int16](repeating: 0, count: 160).withUnsafeBufferPointer { s in
                try small.withUnsafeMutableBytes { _ = try PCMFrame.encode(h, samples: s, into: $0) }
            }
        }
    }

    @Test func randomBytesNeverTrap() {
        var rng = SplitMix64(seed: 42)
        var accepted = 0
        for _ in 0..<20_000 {
            let count = Int(rng.next() % 400)
            var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if count >= 4, rng.next() % 2 == 0 { bytes[0] = 0x50; bytes[1] = 0x46; bytes[2] = 1; bytes[3] = 32 }
            if (try? bytes.withUnsafeBytes { try PCMFrame.decodeHeader($0) }) != nil { accepted += 1 }
        }
        #expect(accepted < 100)
    }
}
