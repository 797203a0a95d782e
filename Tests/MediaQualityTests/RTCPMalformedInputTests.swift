import MediaCore
import MediaQuality
import Testing

@Suite("Hostile RTCP input and rtcp-mux classification")
struct RTCPMalformedInputTests {
    static func validCompound() throws -> [UInt8] {
        try RTCPCompound(packets: [
            .senderReport(RTCPSenderReport(
                ssrc: 0x5151, ntpTimestamp: NTPTimestamp(seconds: 10, fraction: 20), rtpTimestamp: 30,
                packetCount: 40, octetCount: 50,
                reports: [RTCPReportBlock(ssrc: 0x1111_1111, fractionLost: 3, cumulativeLost: 4, extendedHighestSequence: 5, jitter: 6, lastSenderReport: 7, delaySinceLastSenderReport: 8)])),
            .sourceDescription(RTCPSourceDescription(chunks: [RTCPSDESChunk(source: 0x5151, items: [RTCPSDESItem(type: .cname, text: "x@y")])])),
            .bye(RTCPBye(sources: [0x5151], reason: "bye")),
        ]).serialized()
    }

    static func rejection(_ bytes: [UInt8]) throws -> RTCPSessionError? {
        var session = try Fixture.session()
        let before = session.statistics
        do {
            _ = try session.didReceiveRTCP(bytes, arrival: 0, ntpNow: Fixture.ntp(0))
            return nil
        } catch {
            // A rejected datagram leaves no trace.
            #expect(session.statistics == before)
            return error
        }
    }

    @Test func namedMalformationsGiveTypedErrors() throws {
        let valid = try Self.validCompound()
        #expect(try Self.rejection(valid) == nil)
        #expect(try Self.rejection([]) == .malformed(.truncated))
        #expect(try Self.rejection([0x80, 201]) == .malformed(.truncated))
        // Lying length: the RR claims 100 words.
        #expect(try Self.rejection([0x80, 201, 0, 100, 0, 0, 0, 1]) == .malformed(.lengthPastEnd))
        // Wrong version.
        var version1 = valid
        version1[0] = 0x40 | (version1[0] & 0x3F)
        #expect(try Self.rejection(version1) == .malformed(.badVersion(1)))
        // Compound not starting with SR/RR (SDES first, unknown type first).
        #expect(try Self.rejection(Array(valid[52...])) == .malformed(.firstPacketNotReport(packetType: 202)))
        #expect(try Self.rejection([0x80, 210, 0, 1, 0, 0, 0, 1]) == .malformed(.firstPacketNotReport(packetType: 210)))
        // Report count larger than the packet.
        #expect(try Self.rejection([0x82, 201, 0, 1, 0, 0, 0, 1]) == .malformed(.packetTooShort(packetType: 201)))
        // Every truncation of the valid compound is either a shorter valid
        // compound (cut at a packet boundary) or a typed rejection.
        let boundaries: Set<Int> = [52, 68]  // SR+block | SDES | BYE
        for length in 1..<valid.count {
            let error = try Self.rejection(Array(valid.prefix(length)))
            #expect((error == nil) == boundaries.contains(length), "prefix \(length): \(String(describing: error))")
        }
    }

    @Test func unknownPacketTypesAfterTheReportAreSkipped() throws {
        var session = try Fixture.session()
        let bytes: [UInt8] = [0x80, 201, 0, 1, 0, 0, 0x51, 0x51, 0x81, 205, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8]
        #expect(try session.didReceiveRTCP(bytes, arrival: 0, ntpNow: Fixture.ntp(0)).isEmpty)
        #expect(session.members == 2)
    }

    @Test func randomAndMutatedBytesNeverTrap() throws {
        var random = SeededRandomNumberGenerator(seed: 0xF0F0)
        var session = try Fixture.session()
        let valid = try Self.validCompound()
        var accepted = 0
        for round in 0..<30_000 {
            var bytes: [UInt8]
            switch round % 3 {
            case 0:  // pure noise
                bytes = (0..<Int.random(in: 0...120, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            case 1:  // plausible header, noisy body
                bytes = (0..<(4 * Int.random(in: 1...20, using: &random))).map { _ in UInt8.random(in: 0...255, using: &random) }
                bytes[0] = 0x80 | UInt8.random(in: 0...31, using: &random)
                bytes[1] = Bool.random(using: &random) ? 200 : 201
            default:  // bit flips of a valid compound
                bytes = valid
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    let index = Int.random(in: 0..<bytes.count, using: &random)
                    bytes[index] ^= UInt8(1) << UInt8.random(in: 0...7, using: &random)
                }
            }
            let now = Int64(round) * Fixture.millisecond
            do {
                _ = try session.didReceiveRTCP(bytes, arrival: now, ntpNow: Fixture.ntp(now))
                accepted += 1
            } catch {
                guard case .malformed = error else {
                    Issue.record("unexpected error \(error)")
                    continue
                }
            }
            bytes.withUnsafeBytes { raw in
                #expect(RTCPMux.classify(raw) != .other || bytes.count < 2 || bytes[0] >> 6 != 2)
            }
            _ = session.advance(now: now)
        }
        #expect(accepted > 100)
        _ = session.statistics
    }

    @Test func rtcpMuxClassifiesBySecondByte() {
        #expect(RTCPMux.classify([0x80, 0x00]) == .rtp)  // PCMU
        #expect(RTCPMux.classify([0x80, 0x88]) == .rtp)  // PCMA with marker
        #expect(RTCPMux.classify([0x80, 0xE5]) == .rtp)  // PT 101 with marker: 229
        #expect(RTCPMux.classify([0x80, 0x7F]) == .rtp)
        for type in UInt8(192)...223 {
            #expect(RTCPMux.isRTCP([0x81, type, 0, 7]))
        }
        #expect(RTCPMux.classify([0x80, 191]) == .rtp)
        #expect(RTCPMux.classify([0x80, 224]) == .rtp)
        #expect(RTCPMux.classify([0x00, 0x01, 0x00, 0x00]) == .other)  // STUN binding request
        #expect(RTCPMux.classify([0x16, 0xFE]) == .other)  // DTLS
        #expect(RTCPMux.classify([0x80]) == .other)
        #expect(RTCPMux.classify([UInt8]()) == .other)
    }
}
