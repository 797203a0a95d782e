import Testing
import MediaCore

@Suite struct RTPPacketTests {
    /// Hand-assembled: V=2, M=1, PT=0, seq 0x1234, ts 0xDEADBEEF, SSRC 0x01020304, 4 payload bytes.
    @Test func parsesHandBuiltPacket() throws {
        let bytes: [UInt8] = [0x80, 0x80, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02, 0x03, 0x04, 9, 8, 7, 6]
        let packet = try RTPPacket.parse(bytes)
        #expect(packet.header.marker)
        #expect(packet.header.payloadType == 0)
        #expect(packet.header.sequenceNumber == 0x1234)
        #expect(packet.header.timestamp == 0xDEAD_BEEF)
        #expect(packet.header.ssrc == 0x0102_0304)
        #expect(packet.header.csrcs.isEmpty)
        #expect(packet.extensionProfile == nil && packet.extensionRange == nil)
        #expect(!packet.hasPadding)
        #expect(packet.payloadRange == 12..<16)
        #expect(Array(bytes[packet.payloadRange]) == [9, 8, 7, 6])
    }

    @Test func parsesCSRCsExtensionAndPadding() throws {
        var bytes: [UInt8] = [0xB2, 0x08] + be16(7) + be32(160) + be32(0xCAFE)
        bytes += be32(11) + be32(22)  // CSRCs
        bytes += be16(0xBEDE) + be16(1) + [1, 2, 3, 4]  // extension: 1 word
        bytes += [0x55, 0x56, 0x57]  // payload
        bytes += [0, 0, 3]  // padding 3
        let packet = try RTPPacket.parse(bytes)
        #expect(Array(packet.header.csrcs) == [11, 22])
        #expect(packet.header.payloadType == 8)
        #expect(!packet.header.marker)
        #expect(packet.extensionProfile == 0xBEDE)
        #expect(packet.extensionRange == 24..<28)
        #expect(packet.paddingLength == 3)
        #expect(Array(bytes[packet.payloadRange]) == [0x55, 0x56, 0x57])
    }

    @Test func roundTripWithEveryFeature() throws {
        let header = RTPHeader(
            marker: true, payloadType: 101, sequenceNumber: 65_535, timestamp: .max, ssrc: 0xFEED_FACE,
            csrcs: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15])
        let payload: [UInt8] = Array(0..<37)
        let extensionData: [UInt8] = Array(100..<108)
        let bytes = try header.serialized(
            payload: payload, extensionProfile: 0x1000, extensionData: extensionData, paddingLength: 7)
        #expect(bytes.count == 12 + 60 + 4 + 8 + 37 + 7)
        #expect(bytes.last == 7)
        let packet = try RTPPacket.parse(bytes)
        #expect(packet.header == header)
        #expect(packet.extensionProfile == 0x1000)
        #expect(Array(bytes[packet.extensionRange!]) == extensionData)
        #expect(Array(bytes[packet.payloadRange]) == payload)
        #expect(packet.paddingLength == 7)
    }

    @Test func roundTripMinimalAndEmptyPayload() throws {
        let header = RTPHeader(payloadType: 0, sequenceNumber: 1, timestamp: 2, ssrc: 3)
        let bytes = try header.serialized(payload: [])
        #expect(bytes == [0x80, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3])
        let packet = try RTPPacket.parse(bytes)
        #expect(packet.header == header)
        #expect(packet.payloadRange.isEmpty)
    }

    @Test func zeroCopySendPathEncodesAudioInPlace() throws {
        let samples: [Int16] = (0..<160).map { Int16($0 * 100) }
        var buffer = [UInt8](repeating: 0xFF, count: 1500)
        let header = RTPHeader(payloadType: 0, sequenceNumber: 42, timestamp: 6720, ssrc: 99)
        let offset = header.headerSize()
        let total = try buffer.withUnsafeMutableBytes { raw in
            let encoded = samples.withUnsafeBufferPointer {
                G711Law.muLaw.encode($0, into: UnsafeMutableRawBufferPointer(rebasing: raw[offset...]))
            }
            return Result { () throws(RTPSerializeError) -> Int in try header.write(into: raw, payloadLength: encoded) }
        }.get()
        #expect(total == 172)
        let packet = try RTPPacket.parse(Array(buffer[..<total]))
        #expect(packet.header == header)
        #expect(Array(buffer[packet.payloadRange]) == samples.map(G711.muLawEncode))
    }

    @Test func payloadMayAliasDestination() throws {
        // Payload already sitting at offset 12: copying onto itself is fine.
        var buffer = [UInt8](repeating: 0, count: 20)
        for i in 12..<20 { buffer[i] = UInt8(i) }
        let header = RTPHeader(payloadType: 8, sequenceNumber: 1, timestamp: 1, ssrc: 1)
        let total = try buffer.withUnsafeMutableBytes { raw in
            Result { () throws(RTPSerializeError) -> Int in
                try header.write(into: raw, payload: UnsafeRawBufferPointer(rebasing: raw[12..<20]))
            }
        }.get()
        #expect(total == 20)
        #expect(Array(buffer[12..<20]) == Array(12..<20))
    }

    @Test func serializationErrors() {
        let header = RTPHeader(payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0)
        var small = [UInt8](repeating: 0, count: 20)
        let payload = [UInt8](repeating: 1, count: 10)
        let tooSmall = small.withUnsafeMutableBytes { raw in
            payload.withUnsafeBytes { p in
                Result { () throws(RTPSerializeError) -> Int in try header.write(into: raw, payload: p) }
            }
        }
        #expect(tooSmall.failure == .bufferTooSmall(required: 22))
        #expect(small == [UInt8](repeating: 0, count: 20))  // nothing written on failure
        var badType = header
        badType.payloadType = 128
        #expect(throws: RTPSerializeError.payloadTypeOutOfRange) { try badType.serialized(payload: []) }
        #expect(throws: RTPSerializeError.invalidExtensionLength) {
            try header.serialized(payload: [], extensionProfile: 1, extensionData: [1, 2, 3])
        }
        #expect(throws: RTPSerializeError.invalidPaddingLength) { try header.serialized(payload: [], paddingLength: 256) }
        #expect(throws: RTPSerializeError.invalidPaddingLength) { try header.serialized(payload: [], paddingLength: -1) }
        let negative = small.withUnsafeMutableBytes { raw in
            Result { () throws(RTPSerializeError) -> Int in try header.write(into: raw, payloadLength: -1) }
        }
        #expect(negative.failure == .negativePayloadLength)
    }

    @Test func csrcListCapacity() {
        var list = RTPCSRCList()
        for i in 0..<15 {
            let appended = list.append(UInt32(i))
            #expect(appended)
        }
        let overflow = list.append(99)
        #expect(!overflow)
        #expect(list.count == 15)
        #expect(list[14] == 14)
        #expect(RTPCSRCList(0..<16) == nil)
        #expect(RTPCSRCList([1, 2]) == [1, 2])
    }
}
