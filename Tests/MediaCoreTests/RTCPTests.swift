import Testing
import MediaCore

@Suite struct RTCPTests {
    /// SR with one report block followed by SDES(CNAME), assembled by hand.
    static let handBuilt: [UInt8] = {
        var b: [UInt8] = [0x81, 200] + be16(12) + be32(0x1111_1111)
        b += be32(0xE000_0000) + be32(0x8000_0000) + be32(1000) + be32(50) + be32(8000)
        b += be32(0x2222_2222) + [0x40, 0xFF, 0xFF, 0xFE] + be32(0x0001_0005) + be32(33)
        b += be32(0x1234_5678) + be32(0x0001_0000)
        b += [0x81, 202] + be16(5) + be32(0x1111_1111) + [1, 11] + Array("user@host.x".utf8) + [0, 0, 0]
        return b
    }()

    @Test func parsesHandBuiltCompound() throws {
        let compound = try RTCPCompound.parse(Self.handBuilt)
        try #require(compound.packets.count == 2)
        guard case .senderReport(let sr) = compound.packets[0] else { Issue.record("not SR"); return }
        #expect(sr.ssrc == 0x1111_1111)
        #expect(sr.ntpTimestamp == NTPTimestamp(seconds: 0xE000_0000, fraction: 0x8000_0000))
        #expect(sr.rtpTimestamp == 1000 && sr.packetCount == 50 && sr.octetCount == 8000)
        let expectedBlock = RTCPReportBlock(
            ssrc: 0x2222_2222, fractionLost: 0x40, cumulativeLost: -2, extendedHighestSequence: 0x0001_0005,
            jitter: 33, lastSenderReport: 0x1234_5678, delaySinceLastSenderReport: 0x0001_0000)
        #expect(sr.reports == [expectedBlock])
        guard case .sourceDescription(let sdes) = compound.packets[1] else { Issue.record("not SDES"); return }
        #expect(sdes.chunks.count == 1)
        #expect(sdes.chunks[0].source == 0x1111_1111)
        #expect(sdes.chunks[0].cname == "user@host.x")
    }

    @Test func serializerReproducesHandBuiltBytes() throws {
        let compound = try RTCPCompound.parse(Self.handBuilt)
        #expect(try compound.serialized() == Self.handBuilt)
    }

    @Test func roundTripSenderReportCompound() throws {
        let blocks = (0..<3).map { (i: Int) -> RTCPReportBlock in
            RTCPReportBlock(
                ssrc: UInt32(i), fractionLost: UInt8(i * 10), cumulativeLost: Int32(i * 1000 - 1500),
                extendedHighestSequence: UInt32(70_000 + i), jitter: UInt32(i * 7), lastSenderReport: 0xABCD_0000,
                delaySinceLastSenderReport: UInt32(i * 65_536))
        }
        let compound = RTCPCompound(packets: [
            .senderReport(RTCPSenderReport(
                ssrc: 42, ntpTimestamp: NTPTimestamp(unixSeconds: 1_700_000_000, nanoseconds: 250_000_000),
                rtpTimestamp: 123_456, packetCount: 1000, octetCount: 160_000, reports: blocks)),
            .sourceDescription(RTCPSourceDescription(chunks: [
                RTCPSDESChunk(source: 42, items: [
                    RTCPSDESItem(type: .cname, text: "alice@example.com"),
                    RTCPSDESItem(type: .tool, text: "sip-client"),
                    RTCPSDESItem(type: .note, value: []),
                ]),
                RTCPSDESChunk(source: 43, items: []),
                RTCPSDESChunk(source: 44, items: [RTCPSDESItem(type: .priv, value: [3, 0x61, 0x62, 0x63, 0xFF])]),
            ])),
            .bye(RTCPBye(sources: [42, 43], reason: "call ended")),
        ])
        let bytes = try compound.serialized()
        #expect(bytes.count % 4 == 0)
        #expect(bytes.count == (try compound.encodedSize()))
        #expect(try RTCPCompound.parse(bytes) == compound)
    }

    @Test func roundTripReceiverReportAndByeWithoutReason() throws {
        let compound = RTCPCompound(packets: [
            .receiverReport(RTCPReceiverReport(ssrc: 7)),
            .receiverReport(RTCPReceiverReport(ssrc: 7, reports: [RTCPReportBlock(ssrc: 9, cumulativeLost: -0x80_0000)])),
            .bye(RTCPBye(sources: [7])),
            .bye(RTCPBye(sources: [])),
        ])
        let bytes = try compound.serialized()
        #expect(Array(bytes[0..<8]) == [0x80, 201, 0, 1, 0, 0, 0, 7])
        #expect(try RTCPCompound.parse(bytes) == compound)
    }

    @Test func cumulativeLostIsClampedTo24Bits() throws {
        let compound = RTCPCompound(packets: [
            .receiverReport(RTCPReceiverReport(ssrc: 1, reports: [
                RTCPReportBlock(ssrc: 2, cumulativeLost: -10_000_000),
                RTCPReportBlock(ssrc: 3, cumulativeLost: 10_000_000),
                RTCPReportBlock(ssrc: 4, cumulativeLost: -1),
            ]))
        ])
        let bytes = try compound.serialized()
        #expect(Array(bytes[13..<16]) == [0x80, 0x00, 0x00])
        #expect(Array(bytes[37..<40]) == [0x7F, 0xFF, 0xFF])
        #expect(Array(bytes[61..<64]) == [0xFF, 0xFF, 0xFF])
        guard case .receiverReport(let rr) = try RTCPCompound.parse(bytes).packets[0] else { Issue.record("RR"); return }
        #expect(rr.reports.map(\.cumulativeLost) == [-0x80_0000, 0x7F_FFFF, -1])
    }

    @Test func appAndUnknownPacketsAreSkipped() throws {
        var bytes: [UInt8] = [0x80, 201] + be16(1) + be32(5)  // empty RR
        bytes += [0x81, 204] + be16(3) + be32(5) + Array("ABCD".utf8) + [1, 2, 3, 4]  // APP subtype 1
        bytes += [0x8F, 206] + be16(2) + be32(5) + be32(6)  // PSFB (unknown here)
        bytes += [0x81, 203] + be16(1) + be32(5)  // BYE
        let compound = try RTCPCompound.parse(bytes)
        #expect(compound.packets.count == 4)
        #expect(compound.packets[1] == .other(packetType: 204, count: 1, bodyRange: 12..<24))
        #expect(compound.packets[2] == .other(packetType: 206, count: 15, bodyRange: 28..<36))
        #expect(compound.packets[3] == .bye(RTCPBye(sources: [5])))
        #expect(throws: RTCPSerializeError.unsupportedPacket) { try compound.serialized() }
    }

    @Test func paddingOnLastPacketIsStripped() throws {
        // BYE with reason "hi" and 4 bytes of padding (P bit, count 4).
        let bytes: [UInt8] = [0x80, 201] + be16(1) + be32(5)
            + [0xA1, 203] + be16(3) + be32(5) + [2] + Array("hi".utf8) + [0] + [0, 0, 0, 4]
        let compound = try RTCPCompound.parse(bytes)
        #expect(compound.packets[1] == .bye(RTCPBye(sources: [5], reason: "hi")))
    }

    @Test func reducedSizeCompoundNeedsOptIn() throws {
        let bye: [UInt8] = [0x81, 203] + be16(1) + be32(5)
        #expect(rtcpResult(bye).failure == .firstPacketNotReport(packetType: 203))
        #expect(rtcpResult(bye, requireReportFirst: false).success?.packets == [.bye(RTCPBye(sources: [5]))])
    }
}

@Suite struct NTPTimingTests {
    @Test func unixConversion() {
        let epoch = NTPTimestamp(unixSeconds: 0)
        #expect(epoch.seconds == 2_208_988_800 && epoch.fraction == 0)
        let half = NTPTimestamp(unixSeconds: 1, nanoseconds: 500_000_000)
        #expect(half.seconds == 2_208_988_801 && half.fraction == 0x8000_0000)
        #expect(half.fractionNanoseconds == 500_000_000)
        #expect(NTPTimestamp(unixSeconds: 0, nanoseconds: 1_500_000_000).seconds == 2_208_988_801)
        #expect(NTPTimestamp(rawValue: 0x0102_0304_0506_0708) == NTPTimestamp(seconds: 0x0102_0304, fraction: 0x0506_0708))
        #expect(NTPTimestamp(seconds: 0x0102_0304, fraction: 0x0506_0708).rawValue == 0x0102_0304_0506_0708)
        #expect(NTPTimestamp(seconds: 0x0102_0304, fraction: 0x0506_0708).middle32 == 0x0304_0506)
        // Era rollover in 2036 wraps the seconds field.
        #expect(NTPTimestamp(unixSeconds: 2_085_978_496).seconds == 0)
    }

    /// The worked example of RFC 3550 §6.4.1 (Figure 2).
    @Test func roundTripTimeRFCExample() {
        let rtt = RTCPTiming.roundTripTime(arrival: 0xB710_8000, lastSenderReport: 0xB705_2000, delaySinceLastSenderReport: 0x0005_4000)
        #expect(rtt == 0x0006_2000)  // 6.125 s
        #expect(RTCPTiming.nanoseconds(shortUnits: rtt!) == 6_125_000_000)
    }

    @Test func roundTripTimeEdgeCases() {
        #expect(RTCPTiming.roundTripTime(arrival: 100, lastSenderReport: 0, delaySinceLastSenderReport: 0) == nil)
        // DLSR larger than the elapsed time (clock skew): no estimate.
        #expect(RTCPTiming.roundTripTime(arrival: 0x10, lastSenderReport: 0x8, delaySinceLastSenderReport: 0x9) == nil)
        // Arrival "before" LSR.
        #expect(RTCPTiming.roundTripTime(arrival: 5, lastSenderReport: 10, delaySinceLastSenderReport: 0) == nil)
        // Wrap-around of the 32-bit middle value.
        #expect(RTCPTiming.roundTripTime(arrival: 0x0000_1000, lastSenderReport: 0xFFFF_F000, delaySinceLastSenderReport: 0x1000) == 0x1000)
    }

    @Test func shortUnitConversion() {
        #expect(RTCPTiming.shortUnits(nanoseconds: 1_000_000_000) == 65_536)
        #expect(RTCPTiming.shortUnits(nanoseconds: 5_250_000_000) == 0x0005_4000)
        #expect(RTCPTiming.shortUnits(nanoseconds: .max) == .max)
        #expect(RTCPTiming.shortUnits(nanoseconds: 0) == 0)
    }
}
