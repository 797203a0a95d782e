import Testing
import MediaCore

/// Bounded, seeded mutation fuzzing: the parsers must never trap, must only
/// report ranges inside the input, and accepted inputs must round-trip
/// (checked inside the `fuzzParse*` entry points).
@Suite struct FuzzTests {
    static let rtpSeeds: [[UInt8]] = [
        try! RTPHeader(marker: true, payloadType: 0, sequenceNumber: 1, timestamp: 2, ssrc: 3, csrcs: [4, 5])
            .serialized(payload: Array(0..<20), extensionProfile: 0xBEDE, extensionData: [1, 2, 3, 4], paddingLength: 3),
        try! RTPHeader(payloadType: 101, sequenceNumber: 9, timestamp: 9, ssrc: 9).serialized(payload: [1, 0x8A, 0, 160]),
        [0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ]

    static let rtcpSeeds: [[UInt8]] = [
        RTCPMalformedTests.compound,
        try! RTCPCompound(packets: [
            .receiverReport(RTCPReceiverReport(ssrc: 1, reports: [RTCPReportBlock(ssrc: 2, cumulativeLost: -3)])),
            .sourceDescription(RTCPSourceDescription(chunks: [
                RTCPSDESChunk(source: 1, items: [RTCPSDESItem(type: .cname, text: "a@b"), RTCPSDESItem(type: .name, text: "Ann")])
            ])),
            .bye(RTCPBye(sources: [1, 2], reason: "bye")),
        ]).serialized(),
        [0x81, 204] + be16(3) + be32(5) + Array("ABCD".utf8) + [1, 2, 3, 4],
    ]

    static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            switch Int.random(in: 0..<6, using: &rng) {
            case 0 where !bytes.isEmpty:  // flip a bit
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[i] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
            case 1 where !bytes.isEmpty:  // random byte, biased to length/count fields
                let i = Int.random(in: 0..<min(bytes.count, Bool.random(using: &rng) ? 8 : bytes.count), using: &rng)
                bytes[i] = UInt8.random(in: 0...255, using: &rng)
            case 2:  // truncate
                bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng)))
            case 3:  // append garbage
                bytes += (0..<Int.random(in: 1...8, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            case 4 where !bytes.isEmpty:  // interesting values
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[i] = [0, 1, 0x7F, 0x80, 0xFF].randomElement(using: &rng)!
            default:  // splice a chunk onto itself
                bytes += bytes.prefix(Int.random(in: 0...min(bytes.count, 16), using: &rng))
            }
        }
        return bytes
    }

    @Test func rtpMutationsNeverTrap() {
        var rng = SplitMix64(seed: 0x5EED_0001)
        var accepted = 0
        for iteration in 0..<30_000 {
            let input = Self.mutate(Self.rtpSeeds[iteration % Self.rtpSeeds.count], &rng)
            input.withUnsafeBytes { fuzzParseRTP($0) }
            if let packet = rtpResult(input).success {
                accepted += 1
                #expect(packet.payloadRange.upperBound <= input.count)
                #expect(packet.extensionRange.map { $0.upperBound <= packet.payloadRange.lowerBound } ?? true)
            }
        }
        // The loop must exercise both the accept and reject paths.
        #expect(accepted > 1000 && accepted < 29_000)
    }

    @Test func rtcpMutationsNeverTrap() {
        var rng = SplitMix64(seed: 0x5EED_0002)
        var accepted = 0
        for iteration in 0..<30_000 {
            let input = Self.mutate(Self.rtcpSeeds[iteration % Self.rtcpSeeds.count], &rng)
            input.withUnsafeBytes { fuzzParseRTCP($0) }
            if rtcpResult(input, requireReportFirst: false).success != nil { accepted += 1 }
        }
        #expect(accepted > 1000 && accepted < 29_000)
    }

    @Test func randomBuffersNeverTrap() {
        var rng = SplitMix64(seed: 0x5EED_0003)
        for _ in 0..<20_000 {
            var bytes = (0..<Int.random(in: 0..<80, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if !bytes.isEmpty { bytes[0] = (bytes[0] & 0x3F) | 0x80 }  // mostly version 2
            bytes.withUnsafeBytes {
                fuzzParseRTP($0)
                fuzzParseRTCP($0)
                _ = try? TelephoneEvent.parse($0)
            }
        }
    }

    @Test func fuzzEntriesAcceptEmptyAndNilBuffers() {
        fuzzParseRTP(UnsafeRawBufferPointer(start: nil, count: 0))
        fuzzParseRTCP(UnsafeRawBufferPointer(start: nil, count: 0))
    }
}
