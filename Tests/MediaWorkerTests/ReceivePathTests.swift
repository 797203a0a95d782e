import MediaCore
import Testing
import Wire
@testable import MediaWorker

/// RTP and RTCP in: demultiplexing, source latching, SSRC changes, telephone events, counters, playout.
@Suite struct ReceivePathTests {
    /// A peer's steady 20 ms stream: one packet per tick, `count` of them.
    static func stream(_ h: inout CoreHarness, count: Int, from source: MediaAddress = CoreHarness.sdp, skipping: Set<Int> = []) {
        for n in 0..<count {
            if !skipping.contains(n) { h.receive(rtpPacket(sequence: UInt16(n), timestamp: UInt32(n * 160)), from: source) }
            h.tick()
        }
    }

    @Test func rtpInComesOutAsPlayedFramesThroughTheJitterBuffer() {
        var h = CoreHarness()
        h.start(CoreHarness.spec())
        Self.stream(&h, count: 30)
        let level = G711Law.muLaw.decode(0x8F)
        #expect(h.frames.count == 30)
        #expect(h.frames.first?.frame.silent == true)  // nothing to play before the buffer's initial delay
        let last = try! #require(h.frames.last)
        #expect(!last.frame.silent)
        #expect(last.samples == [Int16](repeating: level, count: 160))
        #expect(last.frame.stream == 11)
        #expect(h.frames.map(\.frame.sequence) == Array(0..<30))
        #expect(h.frames.map(\.frame.timestamp) == (0..<30).map { UInt64($0) * 160 })
        // Stamped with the arrival of the packet holding the frame's last sample: within the last few ticks.
        #expect(last.frame.origin > 0 && last.frame.origin < h.now.unsignedNanoseconds)
        #expect(h.now.unsignedNanoseconds - last.frame.origin < 200_000_000)
        let stats = h.stats
        #expect(stats.packetsReceived == 30)
        #expect(stats.bytesReceived == 30 * 160)
        #expect(stats.framesPlayed + stats.framesSilent == 30)
        #expect(stats.framesPlayed > 20)
    }

    @Test func rtcpOnItsOwnPortIsTakenAndAnRTCPLookingPacketOnTheRTPPortIsNotWithoutMux() {
        var h = CoreHarness()
        h.start(CoreHarness.spec())
        h.receive(receiverReport(), on: .rtcp)
        #expect(h.stats.rtcpReceived == 1)
        h.receive(receiverReport(), on: .rtp)  // 8 bytes: not a valid RTP packet
        #expect(h.stats.rtcpReceived == 1)
        #expect(h.stats.malformed == 1)
        // Our reports go from the RTCP port to the peer's RTCP port.
        for _ in 0..<300 { h.tick() }
        let reports = h.packets.filter { $0.socket == .rtcp }
        #expect(!reports.isEmpty)
        #expect(reports.allSatisfy { r in r.destination == CoreHarness.sdpRTCP && r.bytes.withUnsafeBytes { MediaSessionCore.looksLikeRTCP($0) } })
        #expect(h.stats.rtcpSent == reports.count)
    }

    @Test func withRTCPMuxRTCPSharesTheRTPPortBothWays() {
        var h = CoreHarness()
        h.start(CoreHarness.spec(rtcpMux: true))
        h.receive(receiverReport(), on: .rtp)
        #expect(h.stats.rtcpReceived == 1)
        #expect(h.stats.malformed == 0)
        h.receive(rtpPacket(sequence: 1, timestamp: 160))
        #expect(h.stats.packetsReceived == 1)
        for _ in 0..<300 { h.tick() }
        let reports = h.packets.filter { $0.rtp == nil || $0.rtp!.header.payloadType != 0 }
        #expect(!reports.isEmpty)
        #expect(reports.allSatisfy { $0.socket == .rtp && $0.destination == CoreHarness.sdp })
    }

    @Test func theSDPAddressIsTrustedAtOnce() {
        var h = CoreHarness()
        h.start(CoreHarness.spec())
        h.receive(rtpPacket(sequence: 1, timestamp: 160))
        #expect(h.stats.packetsReceived == 1)
        #expect(h.stats.wrongSource == 0)
    }

    @Test func anotherSourceIsLatchedAfterThreeConsecutivePacketsAndCountedAsWrongBefore() {
        var h = CoreHarness()
        h.start(CoreHarness.spec())
        for n in 0..<2 { h.receive(rtpPacket(sequence: UInt16(n), timestamp: UInt32(n * 160)), from: CoreHarness.nat) }
        #expect(h.stats.wrongSource == 2)
        #expect(h.stats.packetsReceived == 0)
        h.tick()
        #expect(h.packets.last?.destination == CoreHarness.sdp)
        h.receive(rtpPacket(sequence: 2, timestamp: 320), from: CoreHarness.nat)
        #expect(h.stats.packetsReceived == 1)
        #expect(h.stats.remote == "198.51.100.7:41000")
        h.tick()
        #expect(h.packets.last?.destination == CoreHarness.nat)
        // Latched: the SDP address is now the wrong source.
        h.receive(rtpPacket(sequence: 3, timestamp: 480), from: CoreHarness.sdp)
        #expect(h.stats.wrongSource == 3)
        #expect(h.stats.packetsReceived == 1)
    }

    @Test func packetsOfAnotherPayloadTypeOrAnotherSourceInBetweenDoNotLatch() {
        var h = CoreHarness()
        h.start(CoreHarness.spec())
        let other = MediaAddress(host: "198.51.100.8", port: 41000)!
        for n in 0..<3 { h.receive(rtpPacket(sequence: UInt16(n), timestamp: 0, payloadType: 8), from: CoreHarness.nat) }
        h.receive(rtpPacket(sequence: 3, timestamp: 0), from: CoreHarness.nat)
        h.receive(rtpPacket(sequence: 4, timestamp: 0), from: CoreHarness.nat)
        h.receive(rtpPacket(sequence: 5, timestamp: 0), from: other)  // restarts the count
        h.receive(rtpPacket(sequence: 6, timestamp: 0), from: CoreHarness.nat)
        h.receive(rtpPacket(sequence: 7, timestamp: 0), from: CoreHarness.nat)
        #expect(h.stats.packetsReceived == 0)
        #expect(h.stats.wrongSource == 8)
        h.receive(rtpPacket(sequence: 8, timestamp: 0), from: CoreHarness.nat)
        #expect(h.stats.packetsReceived == 1)
    }

    @Test func aNewSSRCIsTakenOnlyOnceTheOldOneWasQuietFor200ms() {
        var h = CoreHarness()
        h.start(CoreHarness.spec())
        Self.stream(&h, count: 10)
        h.receive(rtpPacket(sequence: 5000, timestamp: 90_000, ssrc: 0xBEEF))
        #expect(h.stats.wrongSource == 1)
        for _ in 0..<5 { h.tick() }  // 100 ms of quiet
        h.receive(rtpPacket(sequence: 5001, timestamp: 90_160, ssrc: 0xBEEF))
        #expect(h.stats.wrongSource == 2)
        for _ in 0..<6 { h.tick() }  // 220 ms since the old SSRC's last packet
        h.receive(rtpPacket(sequence: 5002, timestamp: 90_320, ssrc: 0xBEEF))
        #expect(h.stats.packetsReceived == 11)
        // The new stream's figures start over (no loss counted across the jump); the old SSRC is now the stranger.
        #expect(h.stats.packetsLost == 0)
        h.receive(rtpPacket(sequence: 10, timestamp: 1600))
        #expect(h.stats.wrongSource == 3)
        // The jitter buffer follows the new stream.
        for n in 3..<20 {
            h.receive(rtpPacket(sequence: UInt16(5000 + n), timestamp: UInt32(90_000 + n * 160), ssrc: 0xBEEF, payload: [UInt8](repeating: 0x9F, count: 160)))
            h.tick()
        }
        #expect(h.frames.last?.samples == [Int16](repeating: G711Law.muLaw.decode(0x9F), count: 160))
    }

    @Test func aKeyPressIsReportedOnceWhateverItsRetransmissions() {
        var h = CoreHarness()
        h.start(CoreHarness.spec(telephoneEvent: 101))
        var seq: UInt16 = 0
        func press(_ event: UInt8, at timestamp: UInt32, into h: inout CoreHarness) {
            for (i, duration) in [160, 320, 480].enumerated() {
                h.receive(eventPacket(sequence: seq, timestamp: timestamp, event: event, end: false, duration: UInt16(duration), marker: i == 0))
                seq &+= 1
            }
            for _ in 0..<3 {
                h.receive(eventPacket(sequence: seq, timestamp: timestamp, event: event, end: true, duration: 800))
                seq &+= 1
            }
        }
        press(5, at: 8000, into: &h)
        #expect(h.events.compactMap(\.dtmfDigit) == ["5"])
        press(11, at: 16000, into: &h)
        // A press whose first packets were lost: its lone end packets still give one report.
        for _ in 0..<3 {
            h.receive(eventPacket(sequence: seq, timestamp: 24000, event: 9, end: true, duration: 800))
            seq &+= 1
        }
        #expect(h.events.compactMap(\.dtmfDigit) == ["5", "#", "9"])
        guard case .dtmf(let event) = h.events.first(where: { $0.dtmfDigit != nil }) else { Issue.record("no dtmf event"); return }
        #expect(event.call == "call-1")
        #expect(event.method == .rfc4733)
        #expect(h.stats.dtmfReceived == 3)
        #expect(h.stats.packetsReceived == 0)  // events are not audio
    }

    @Test func lossLateMalformedAndWrongPayloadTypeAreCounted() {
        var h = CoreHarness()
        h.start(CoreHarness.spec())
        Self.stream(&h, count: 16, skipping: [5, 6, 10])
        h.receive(rtpPacket(sequence: 10, timestamp: 1600))  // 120 ms after its time: played out (concealed) already
        #expect(h.stats.late == 1)
        h.receive([0x80, 0x00, 0x01])
        h.receive([0x40] + [UInt8](repeating: 0, count: 20))  // version 1
        #expect(h.stats.malformed == 2)
        h.receive(rtpPacket(sequence: 16, timestamp: 16 * 160, payloadType: 8))
        #expect(h.stats.wrongPayloadType == 1)
        let stats = h.stats
        #expect(stats.packetsLost == 2)  // 5 and 6; 10 came late but came
        #expect(stats.packetsReceived == 14)
        #expect(stats.lossPct > 0)
    }

    @Test func beforeStartRTPIsIgnoredButRTCPIsCounted() {
        var h = CoreHarness()
        h.receive(rtpPacket(sequence: 1, timestamp: 160))
        h.receive(receiverReport(), on: .rtcp)
        h.tick()
        #expect(h.packets.isEmpty && h.frames.isEmpty)
        #expect(h.stats.packetsReceived == 0)
        #expect(h.stats.rtcpReceived == 1)
    }
}
