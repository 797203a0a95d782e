import MediaCore
import MediaQuality
import Testing

@Suite("RTCP session reports: SR, RR blocks, SDES, BYE")
struct RTCPSessionReportTests {
    static let ms = Fixture.millisecond

    @Test func senderReportCarriesCountsAndMatchingTimestamps() throws {
        var session = try Fixture.session(ssrc: 0x1111_1111)
        // 50 packets of 160 payload octets, 20 ms apart, timestamps 1000 + 160·i.
        for index in 0..<50 {
            let now = Int64(index) * 20 * Self.ms
            session.didSendRTP(bytes: 160, rtpTimestamp: UInt32(1000 + 160 * index), now: now, ntpNow: Fixture.ntp(now))
        }
        let report = try #require(Fixture.nextReport(&session))
        #expect(report.time > 980 * Self.ms)  // after the last packet (first report ≥ 1.026 s)
        let compound = try RTCPCompound.parse(report.bytes)
        guard case .senderReport(let sr) = compound.packets.first else {
            Issue.record("expected SR first, got \(compound.packets)")
            return
        }
        #expect(sr.ssrc == 0x1111_1111)
        #expect(sr.packetCount == 50)
        #expect(sr.octetCount == 8000)
        #expect(sr.reports.isEmpty)
        #expect(sr.ntpTimestamp == Fixture.ntp(report.time))
        // RTP timestamp extrapolated from the last packet (sent at 980 ms) at 8 kHz.
        let elapsed = report.time - 980 * Self.ms
        #expect(sr.rtpTimestamp == UInt32(1000 + 160 * 49) + UInt32(elapsed * 8000 / Fixture.second))
        // The pair maps back onto the media clock: NTP seconds since 0 × 8000 + 1000.
        let seconds = Double(sr.ntpTimestamp.rawValue - Fixture.baseNTP.rawValue) / 4_294_967_296
        #expect(abs(seconds * 8000 + 1000 - Double(sr.rtpTimestamp)) < 1)
        #expect(Fixture.cname(compound, of: 0x1111_1111) == "alice@example.org")

        let statistics = session.statistics
        #expect(statistics.packetsSent == 50 && statistics.bytesSent == 8000)
        #expect(statistics.reportsSent == 1 && statistics.lastReportSentAt == report.time)
    }

    @Test func senderReportsStopOneIntervalAfterRTPStops() throws {
        var session = try Fixture.session()
        session.didSendRTP(bytes: 160, rtpTimestamp: 0, now: 0, ntpNow: Fixture.ntp(0))
        var kinds: [UInt8] = []
        for _ in 0..<4 {
            let report = try #require(Fixture.nextReport(&session))
            let first = try #require(report.bytes.dropFirst().first)
            kinds.append(first)
        }
        // SR while RTP went out since the report before the last (§6.4), then RR.
        #expect(kinds == [200, 200, 201, 201])
    }

    /// A.8 in floating point, as an independent reference.
    static func referenceJitter(transits: [Double]) -> Double {
        var jitter = 0.0
        for (previous, current) in zip(transits, transits.dropFirst()) {
            jitter += (abs(current - previous) - jitter) / 16
        }
        return jitter
    }

    @Test func receiverReportBlockReflectsKnownLossAndJitter() throws {
        var session = try Fixture.session(ssrc: 0xB0B0_B0B0, cname: "bob@example.org")
        let remote: UInt32 = 0xAAAA_0001
        var transits: [Double] = []
        func feed(_ sequences: Range<Int>, drop: (Int) -> Bool) {
            for sequence in sequences where !drop(sequence) {
                let index = sequence - 1000
                let sent = Int64(index) * 20 * Self.ms
                let delay = Int64((index * 7) % 5) * Self.ms  // 0–4 ms of varying network delay
                let arrival = 10 * Self.ms + sent + delay
                session.didReceiveRTP(
                    ssrc: remote, sequence: UInt16(sequence), timestamp: UInt32(160 * index), arrival: arrival,
                    payloadBytes: 160)
                // Transit in timestamp units (the first packet is still on probation: no jitter sample).
                if sequence > 1000 { transits.append(Double(arrival) * 8000 / 1e9 - Double(160 * index)) }
            }
        }
        // 1000…1199 with every sequence ending in 3 lost: the first packet is
        // on probation, so the base is 1001: expected 199, lost 20.
        feed(1000..<1200) { $0 % 10 == 3 }
        let first = try #require(Fixture.nextReport(&session))
        let compound = try RTCPCompound.parse(first.bytes)
        guard case .receiverReport(let rr) = compound.packets.first else {
            Issue.record("expected RR first, got \(compound.packets)")
            return
        }
        #expect(rr.ssrc == 0xB0B0_B0B0)
        let block = try #require(rr.reports.first)
        #expect(rr.reports.count == 1)
        #expect(block.ssrc == remote)
        #expect(block.cumulativeLost == 20)
        #expect(block.fractionLost == UInt8(20 * 256 / 199))
        #expect(block.extendedHighestSequence == 1199)
        let reference = Self.referenceJitter(transits: transits)
        #expect(reference > 5)
        #expect(abs(Double(block.jitter) - reference) <= 1.5, "jitter \(block.jitter) vs \(reference)")
        #expect(block.lastSenderReport == 0 && block.delaySinceLastSenderReport == 0)
        #expect(Fixture.cname(compound, of: 0xB0B0_B0B0) == "bob@example.org")

        var statistics = try #require(session.statistics.primaryRemote)
        #expect(statistics.packetsReceived == 179)
        #expect(statistics.bytesReceived == 179 * 160)
        #expect(statistics.packetsExpected == 199)
        #expect(abs(statistics.lossPercent - 2000.0 / 199) < 1e-9)
        #expect(abs(statistics.intervalLossPercent - Double(UInt8(20 * 256 / 199)) * 100 / 256) < 1e-9)
        #expect(abs(statistics.jitterMilliseconds - Double(block.jitter) / 8) < 1e-9)

        // Next interval: 100 more packets without loss (timestamps continue).
        feed(1200..<1300) { _ in false }
        let second = try #require(Fixture.nextReport(&session))
        let block2 = try #require(Fixture.reportBlocks(try RTCPCompound.parse(second.bytes)).first)
        #expect(block2.fractionLost == 0)
        #expect(block2.cumulativeLost == 20)
        #expect(block2.extendedHighestSequence == 1299)
        statistics = try #require(session.statistics.primaryRemote)
        #expect(statistics.intervalLossPercent == 0)

        // Nothing heard since: the next report has no block about the source.
        let third = try #require(Fixture.nextReport(&session))
        #expect(Fixture.reportBlocks(try RTCPCompound.parse(third.bytes)).isEmpty)
    }

    @Test func everyCompoundCarriesTheCNAME() throws {
        var session = try Fixture.session(ssrc: 0x0102_0304, cname: "cname-check@host")
        for round in 0..<30 {
            if round % 3 == 0 {
                let now = session.nextReportTime - Self.ms
                session.didSendRTP(bytes: 160, rtpTimestamp: UInt32(round * 160), now: now, ntpNow: Fixture.ntp(now))
            }
            let report = try #require(Fixture.nextReport(&session))
            let compound = try RTCPCompound.parse(report.bytes)
            #expect(Fixture.cname(compound, of: 0x0102_0304) == "cname-check@host")
            #expect(report.bytes.count % 4 == 0)
        }
    }

    @Test func byeCompoundIsWellFormedAndEndsTheSession() throws {
        var session = try Fixture.session(ssrc: 0xCAFE_F00D)
        session.didSendRTP(bytes: 160, rtpTimestamp: 4242, now: 100 * Self.ms, ntpNow: Fixture.ntp(100 * Self.ms))
        let bytes = session.bye(reason: "call ended", now: 120 * Self.ms)
        let compound = try RTCPCompound.parse(bytes)
        #expect(compound.packets.count == 3)
        guard case .senderReport(let sr) = compound.packets[0] else {
            Issue.record("expected SR first")
            return
        }
        #expect(sr.packetCount == 1 && sr.rtpTimestamp == 4242 + 160)
        #expect(Fixture.cname(compound, of: 0xCAFE_F00D) == "alice@example.org")
        #expect(compound.packets[2] == .bye(RTCPBye(sources: [0xCAFE_F00D], reason: "call ended")))
        #expect(session.isClosed)
        #expect(session.advance(now: 60 * Fixture.second).isEmpty)

        // A reason past 255 bytes is cut on a character boundary.
        var other = try Fixture.session(ssrc: 7)
        let long = String(repeating: "é", count: 200)  // 400 bytes
        let parsed = try RTCPCompound.parse(other.bye(reason: long, now: 0))
        guard case .bye(let bye) = parsed.packets.last else {
            Issue.record("expected BYE last")
            return
        }
        #expect(bye.reason == String(repeating: "é", count: 127))
        guard case .receiverReport = parsed.packets.first else {
            Issue.record("expected RR first without RTP sent")
            return
        }
    }

    @Test func receivedByeAndSDESUpdateTheRemote() throws {
        var session = try Fixture.session()
        let remote: UInt32 = 0x5555
        let hello = try RTCPCompound(packets: [
            .receiverReport(RTCPReceiverReport(ssrc: remote)),
            .sourceDescription(RTCPSourceDescription(chunks: [RTCPSDESChunk(source: remote, items: [RTCPSDESItem(type: .cname, text: "carol@x")])])),
        ]).serialized()
        #expect(try session.didReceiveRTCP(hello, arrival: Self.ms, ntpNow: Fixture.ntp(Self.ms)).isEmpty)
        #expect(session.members == 2)
        #expect(session.statistics.primaryRemote?.cname == "carol@x")
        #expect(session.statistics.primaryRemote?.lastReceiverReportAt == Self.ms)
        let goodbye = try RTCPCompound(packets: [
            .receiverReport(RTCPReceiverReport(ssrc: remote)), .bye(RTCPBye(sources: [remote], reason: "hangup")),
        ]).serialized()
        let outputs = try session.didReceiveRTCP(goodbye, arrival: 2 * Self.ms, ntpNow: Fixture.ntp(2 * Self.ms))
        #expect(outputs == [.sourceLeft(ssrc: remote, reason: "hangup")])
        #expect(session.members == 1)
        #expect(session.statistics.primaryRemote?.hasLeft == true)
        // Late RTP from the departed source is ignored.
        #expect(session.didReceiveRTP(ssrc: remote, sequence: 1, timestamp: 0, arrival: 3 * Self.ms) == nil)
    }

    @Test func straySSRCsNeitherCountNorGrowWithoutBound() throws {
        var session = try Fixture.session { $0.maximumRemoteSources = 8 }
        for index in 0..<1000 {
            session.didReceiveRTP(ssrc: UInt32(0x7000 + index), sequence: 9, timestamp: 0, arrival: Int64(index) * Self.ms)
        }
        #expect(session.members == 1)
        #expect(session.statistics.remotes.isEmpty)
        // Only sources that validate (two in sequence) become members; the table is full.
        #expect(session.didReceiveRTP(ssrc: 0x7000, sequence: 10, timestamp: 160, arrival: 2 * Fixture.second) == .accepted)
        #expect(session.didReceiveRTP(ssrc: 0x9999, sequence: 1, timestamp: 0, arrival: 2 * Fixture.second) == nil)
        #expect(session.members == 2)
        // Our own SSRC looped back is ignored.
        #expect(session.didReceiveRTP(ssrc: 0x1111_1111, sequence: 1, timestamp: 0, arrival: 0) == nil)
    }

    @Test func configurationIsValidated() {
        #expect(throws: RTCPSessionError.invalidCNAME) {
            _ = try RTCPSession(configuration: .init(ssrc: 1, cname: ""), now: 0)
        }
        #expect(throws: RTCPSessionError.invalidCNAME) {
            _ = try RTCPSession(configuration: .init(ssrc: 1, cname: String(repeating: "x", count: 256)), now: 0)
        }
        #expect(throws: RTCPSessionError.invalidConfiguration) {
            _ = try RTCPSession(configuration: .init(ssrc: 1, cname: "a@b", sessionBandwidth: 0), now: 0)
        }
    }
}
