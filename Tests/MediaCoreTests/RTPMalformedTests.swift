import Testing
import MediaCore

@Suite struct RTPMalformedTests {
    /// 2 CSRCs (bytes 12..<20), extension header 20..<24 + 2 words 24..<32,
    /// payload 32..<42 (0xEE), padding 42..<46 with count 4.
    static func fullPacket(padding: Bool) -> [UInt8] {
        let header = RTPHeader(payloadType: 0, sequenceNumber: 5, timestamp: 6, ssrc: 7, csrcs: [1, 2])
        return try! header.serialized(
            payload: [UInt8](repeating: 0xEE, count: 10), extensionProfile: 0xABCD,
            extensionData: [0, 0, 0, 0, 0, 0, 0, 0], paddingLength: padding ? 4 : 0)
    }

    @Test func truncationAtEveryOffsetGivesTypedError() {
        let packet = Self.fullPacket(padding: true)
        #expect(packet.count == 46)
        #expect(rtpResult(packet).success != nil)
        for length in 0..<packet.count {
            let expected: RTPParseError =
                switch length {
                case ..<12: .truncated
                case ..<20: .csrcPastEnd
                case ..<32: .extensionPastEnd
                default: .badPadding  // count byte is payload (0xEE, too long) or padding (0)
                }
            #expect(rtpResult(Array(packet[..<length])).failure == expected, "length \(length)")
        }
    }

    @Test func truncationWithoutPaddingShortensPayload() {
        let packet = Self.fullPacket(padding: false)
        for length in 32...packet.count {
            let parsed = rtpResult(Array(packet[..<length])).success
            #expect(parsed?.payloadRange == 32..<length, "length \(length)")
        }
    }

    @Test(arguments: [UInt8(0), 1, 3])
    func wrongVersion(version: UInt8) {
        var packet = Self.fullPacket(padding: false)
        packet[0] = (packet[0] & 0x3F) | (version << 6)
        #expect(rtpResult(packet).failure == .badVersion(version))
    }

    @Test func csrcCountPastEnd() {
        var packet: [UInt8] = [0x8F, 0] + [UInt8](repeating: 0, count: 10) + [UInt8](repeating: 0, count: 56)
        #expect(rtpResult(packet).failure == .csrcPastEnd)  // needs 72 bytes, has 68
        packet += [0, 0, 0, 0]
        #expect(rtpResult(packet).success?.header.csrcs.count == 15)
    }

    @Test func extensionLengthPastEnd() {
        // X bit, extension claims 3 words but only 2 follow.
        let packet: [UInt8] = [0x90, 0] + [UInt8](repeating: 0, count: 10) + be16(1) + be16(3) + [UInt8](repeating: 0, count: 8)
        #expect(rtpResult(packet).failure == .extensionPastEnd)
        // Extension header itself cut short.
        #expect(rtpResult([0x90, 0] + [UInt8](repeating: 0, count: 12)).failure == .extensionPastEnd)
        // Exactly fitting extension with empty payload is fine.
        #expect(rtpResult(Array(packet[..<(16 + 8)]) + [0, 0, 0, 0]).success?.payloadRange == 28..<28)
    }

    @Test func paddingZeroAndTooLong() {
        let base: [UInt8] = [0xA0, 0] + [UInt8](repeating: 0, count: 10) + [1, 2, 3]
        #expect(rtpResult(base + [0]).failure == .badPadding)
        #expect(rtpResult(base + [5]).failure == .badPadding)  // only 4 bytes after the header
        #expect(rtpResult(base + [200]).failure == .badPadding)
        #expect(rtpResult(base + [4]).success?.payloadRange == 12..<12)  // all padding
        #expect(rtpResult(base + [1]).success?.payloadRange == 12..<15)
        // Padding bit on a bare 12-byte header: the count byte would be SSRC.
        #expect(rtpResult([0xA0, 0] + [UInt8](repeating: 0, count: 9) + [1]).failure == .badPadding)
    }
}
