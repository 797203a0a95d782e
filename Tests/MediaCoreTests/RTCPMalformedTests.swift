import Testing
import MediaCore

@Suite struct RTCPMalformedTests {
    /// SR(1 block, 52 bytes) + SDES (24 bytes) + BYE with reason (16 bytes).
    static let compound: [UInt8] = {
        var bytes = RTCPTests.handBuilt
        bytes += [0x81, 203] + be16(3) + be32(0x1111_1111) + [5] + Array("leave".utf8) + [0, 0]
        return bytes
    }()

    @Test func truncationAtEveryOffset() {
        let full = Self.compound
        #expect(full.count == 92)
        let boundaries = [52, 76, 92]
        #expect(rtcpResult(full).success?.packets.count == 3)
        for length in 0..<full.count {
            let result = rtcpResult(Array(full[..<length]))
            if let index = boundaries.firstIndex(of: length) {
                #expect(result.success?.packets.count == index + 1, "length \(length)")
                continue
            }
            let packetStart = ([0] + boundaries).last { $0 <= length }!
            let expected: RTCPParseError = length - packetStart < 4 ? .truncated : .lengthPastEnd
            #expect(result.failure == expected, "length \(length)")
        }
    }

    @Test func lyingLengthFieldsAreErrors() {
        var tooLong = Self.compound
        tooLong[54] = 0
        tooLong[55] = 200  // SDES claims (200 + 1) * 4 = 804 bytes
        #expect(rtcpResult(tooLong).failure == .lengthPastEnd)

        var shortSR = RTCPTests.handBuilt
        shortSR[3] = 6  // SR length covers 28 bytes but RC = 1 needs 52
        #expect(rtcpResult(shortSR).failure == .packetTooShort(packetType: 200))

        // RR claiming 2 blocks with room for 1.
        let rr: [UInt8] = [0x82, 201] + be16(7) + be32(1) + [UInt8](repeating: 0, count: 24)
        #expect(rtcpResult(rr).failure == .packetTooShort(packetType: 201))

        // SR body shorter than the sender info.
        let sr: [UInt8] = [0x80, 200] + be16(1) + be32(1)
        #expect(rtcpResult(sr).failure == .packetTooShort(packetType: 200))

        // Trailing bytes that cannot hold a header.
        #expect(rtcpResult(RTCPTests.handBuilt + [0x80, 201]).failure == .truncated)
        #expect(rtcpResult([]).failure == .truncated)
    }

    @Test(arguments: [UInt8(0), 1, 3])
    func wrongVersion(version: UInt8) {
        var first = Self.compound
        first[0] = (first[0] & 0x3F) | (version << 6)
        #expect(rtcpResult(first).failure == .badVersion(version))
        var later = Self.compound
        later[52] = (later[52] & 0x3F) | (version << 6)
        #expect(rtcpResult(later).failure == .badVersion(version))
    }

    @Test func firstPacketMustBeReport() {
        let sdesFirst = Array(Self.compound[52...])
        #expect(rtcpResult(sdesFirst).failure == .firstPacketNotReport(packetType: 202))
        #expect(rtcpResult(sdesFirst, requireReportFirst: false).success?.packets.count == 2)
    }

    @Test func badPadding() {
        let rr: [UInt8] = [0x80, 201] + be16(1) + be32(5)
        let zero: [UInt8] = [0xA1, 203] + be16(2) + be32(5) + [0, 0, 0, 0]
        #expect(rtcpResult(rr + zero).failure == .badPadding)
        let tooBig: [UInt8] = [0xA1, 203] + be16(2) + be32(5) + [0, 0, 0, 9]
        #expect(rtcpResult(rr + tooBig).failure == .badPadding)
        // Padding eating into the SSRC list makes the BYE too short.
        let eatsSources: [UInt8] = [0xA1, 203] + be16(2) + be32(5) + [0, 0, 0, 8]
        #expect(rtcpResult(rr + eatsSources).failure == .packetTooShort(packetType: 203))
    }

    @Test func malformedSDES() {
        let rr: [UInt8] = [0x80, 201] + be16(1) + be32(5)
        // Item length 20 runs past the 8-byte chunk area.
        let pastEnd: [UInt8] = [0x81, 202] + be16(2) + be32(5) + [1, 20, 0x61, 0x62]
        #expect(rtcpResult(rr + pastEnd).failure == .malformedSDES)
        // Items fill the packet with no END octet.
        let noEnd: [UInt8] = [0x81, 202] + be16(2) + be32(5) + [1, 2, 0x61, 0x62]
        #expect(rtcpResult(rr + noEnd).failure == .malformedSDES)
        // SC = 2 but only one chunk present.
        let missingChunk: [UInt8] = [0x82, 202] + be16(2) + be32(5) + [0, 0, 0, 0]
        #expect(rtcpResult(rr + missingChunk).failure == .malformedSDES)
        // Item header cut (type byte is last byte of packet).
        let cutHeader: [UInt8] = [0x81, 202] + be16(2) + be32(5) + [1, 1, 0x61, 7]
        #expect(rtcpResult(rr + cutHeader).failure == .malformedSDES)
    }

    @Test func malformedBYE() {
        let rr: [UInt8] = [0x80, 201] + be16(1) + be32(5)
        let reasonPastEnd: [UInt8] = [0x81, 203] + be16(2) + be32(5) + [9, 0x61, 0x62, 0x63]
        #expect(rtcpResult(rr + reasonPastEnd).failure == .malformedBYE)
        let countPastEnd: [UInt8] = [0x83, 203] + be16(2) + be32(5) + be32(6)
        #expect(rtcpResult(rr + countPastEnd).failure == .packetTooShort(packetType: 203))
    }

    @Test func serializationErrors() {
        let tooMany = RTCPCompound(packets: [
            .receiverReport(RTCPReceiverReport(ssrc: 1, reports: Array(repeating: RTCPReportBlock(ssrc: 2), count: 32)))
        ])
        #expect(throws: RTCPSerializeError.tooManyEntries) { try tooMany.serialized() }
        let longItem = RTCPCompound(packets: [
            .sourceDescription(RTCPSourceDescription(chunks: [
                RTCPSDESChunk(source: 1, items: [RTCPSDESItem(type: .cname, value: Array(repeating: 0x61, count: 256))])
            ]))
        ])
        #expect(throws: RTCPSerializeError.textTooLong) { try longItem.serialized() }
        let endItem = RTCPCompound(packets: [
            .sourceDescription(RTCPSourceDescription(chunks: [RTCPSDESChunk(source: 1, items: [RTCPSDESItem(type: RTCPSDESItemType(rawValue: 0), value: [])])]))
        ])
        #expect(throws: RTCPSerializeError.invalidItemType) { try endItem.serialized() }
        let longReason = RTCPCompound(packets: [.bye(RTCPBye(sources: [1], reason: String(repeating: "x", count: 256)))])
        #expect(throws: RTCPSerializeError.textTooLong) { try longReason.serialized() }

        let rr = RTCPCompound(packets: [.receiverReport(RTCPReceiverReport(ssrc: 1))])
        var small = [UInt8](repeating: 0, count: 7)
        let result = small.withUnsafeMutableBytes { raw in
            Result { () throws(RTCPSerializeError) -> Int in try rr.write(into: raw) }
        }
        #expect(result.failure == .bufferTooSmall(required: 8))
    }
}
