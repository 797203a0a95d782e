import MediaCore
import MediaQuality
import Testing

@Suite("RTCP transmission interval (RFC 3550 §6.2, §6.3, A.7)")
struct RTCPIntervalTests {
    static let compensation = 2.718_281_828_459_045 - 1.5

    @Test func firstReportFallsWithinTheHalvedMinimumBounds() throws {
        // Td = 2.5 s before the first report; T = Td·U[0.5,1.5]/(e−3/2), and
        // reconsideration only ever picks one of those draws.
        let lower = 2.5 * 0.5 / Self.compensation  // 1.0260 s
        let upper = 2.5 * 1.5 / Self.compensation  // 3.0781 s
        var total = 0.0
        let runs = 2000
        for seed in 0..<UInt64(runs) {
            var session = try Fixture.session(seed: seed)
            let first = try #require(Fixture.nextReport(&session))
            let seconds = Double(first.time) / 1e9
            #expect(seconds >= lower - 1e-9 && seconds <= upper + 1e-9, "seed \(seed): \(seconds) s")
            total += seconds
        }
        // Reconsideration with the e − 3/2 compensation keeps the mean at Td.
        #expect(abs(total / Double(runs) - 2.5) < 0.05)
    }

    @Test func laterReportsAverageTheMinimumInterval() throws {
        var session = try Fixture.session(seed: 42)
        var previous = try #require(Fixture.nextReport(&session)).time
        var intervals: [Double] = []
        for _ in 0..<3000 {
            let report = try #require(Fixture.nextReport(&session))
            intervals.append(Double(report.time - previous) / 1e9)
            previous = report.time
        }
        let mean = intervals.reduce(0, +) / Double(intervals.count)
        #expect(abs(mean - 5.0) < 0.08, "mean \(mean)")
        #expect(intervals.allSatisfy { $0 >= 5 * 0.5 / Self.compensation - 1e-9 && $0 <= 5 * 1.5 / Self.compensation + 1e-9 })
    }

    @Test func deterministicIntervalScalesWithMembersAndBandwidth() {
        // 80 kbit/s session → 5% = 500 octets/s of RTCP.
        func td(members: Int, senders: Int = 0, weSent: Bool = false, bandwidth: Double = 500, size: Double = 100) -> Double {
            RTCPTransmissionInterval.deterministic(
                .init(members: members, senders: senders, rtcpBandwidth: bandwidth, weSent: weSent,
                      averagePacketSize: size, initial: false))
        }
        #expect(td(members: 2) == 5)  // small sessions sit at Tmin
        #expect(abs(td(members: 1000) - 100 * 1000 / 375) < 1e-9)  // receivers share 75%
        #expect(abs(td(members: 2000) - 2 * td(members: 1000)) < 1e-9)
        #expect(abs(td(members: 1000, bandwidth: 250) - 2 * td(members: 1000)) < 1e-9)
        // Few senders: a sender shares 25% with the other senders only.
        #expect(td(members: 1000, senders: 2, weSent: true) == 5)
        #expect(abs(td(members: 1000, senders: 100, weSent: true) - 100 * 100 / 125) < 1e-9)
        #expect(abs(td(members: 1000, senders: 100, weSent: false) - 100 * 900 / 375) < 1e-9)
        // Many senders (> 25%): no split, everybody shares the whole bandwidth.
        #expect(abs(td(members: 1000, senders: 600, weSent: true) - 100 * 1000 / 500) < 1e-9)
        // Initial: half the minimum.
        let initial = RTCPTransmissionInterval.deterministic(
            .init(members: 2, senders: 0, rtcpBandwidth: 500, weSent: false, averagePacketSize: 100, initial: true))
        #expect(initial == 2.5)
        let bounds = RTCPTransmissionInterval.bounds(
            .init(members: 2, senders: 0, rtcpBandwidth: 500, weSent: false, averagePacketSize: 100, initial: true))
        #expect(abs(bounds.lowerBound - 1.25 / Self.compensation) < 1e-12)
        #expect(abs(bounds.upperBound - 3.75 / Self.compensation) < 1e-12)
    }

    @Test func sessionIntervalGrowsWithMembersHeard() throws {
        var session = try Fixture.session(seed: 7) {
            $0.sessionBandwidth = 8_000  // 50 octets/s of RTCP
            $0.maximumRemoteSources = 400
        }
        // 300 receivers announce themselves with an RR + SDES each.
        func announce(at now: Int64) throws {
            for index in 0..<300 {
                let ssrc = UInt32(0x2000_0000 + index)
                let compound = RTCPCompound(packets: [
                    .receiverReport(RTCPReceiverReport(ssrc: ssrc)),
                    .sourceDescription(RTCPSourceDescription(chunks: [RTCPSDESChunk(source: ssrc, items: [RTCPSDESItem(type: .cname, text: "r\(index)@x")])])),
                ])
                _ = try session.didReceiveRTCP(try compound.serialized(), arrival: now, ntpNow: Fixture.ntp(now))
            }
        }
        try announce(at: 0)
        #expect(session.members == 301)
        var previous = try #require(Fixture.nextReport(&session)).time
        #expect(session.statistics.averageRTCPSize * 301 / (50 * 0.75) > 100)
        // Keep the members alive with more RRs, so nobody times out.
        for _ in 0..<20 {
            try announce(at: previous)
            let report = try #require(Fixture.nextReport(&session))
            let interval = Double(report.time - previous) / 1e9
            let td = session.statistics.averageRTCPSize * 301 / (50 * 0.75)
            #expect(interval >= 0.5 * td / Self.compensation * 0.9 && interval <= 1.5 * td / Self.compensation * 1.1)
            previous = report.time
        }
    }

    @Test func byeOfMostMembersPullsTheNextReportIn() throws {
        var session = try Fixture.session(seed: 3)
        let sources = (0..<9).map { UInt32(0x3000_0000 + $0) }
        for ssrc in sources {
            _ = try session.didReceiveRTCP(
                try RTCPCompound(packets: [.receiverReport(RTCPReceiverReport(ssrc: ssrc))]).serialized(),
                arrival: 0, ntpNow: Fixture.ntp(0))
        }
        _ = try #require(Fixture.nextReport(&session))  // members (10) recorded as pmembers
        let now = session.nextReportTime - 1 * Fixture.second
        let before = session.nextReportTime
        let bye = try RTCPCompound(packets: [
            .receiverReport(RTCPReceiverReport(ssrc: sources[0])), .bye(RTCPBye(sources: sources, reason: "done")),
        ]).serialized()
        let outputs = try session.didReceiveRTCP(bye, arrival: now, ntpNow: Fixture.ntp(now))
        #expect(outputs.count == 9)
        #expect(outputs.first == .sourceLeft(ssrc: sources[0], reason: "done"))
        #expect(session.members == 1)
        // §6.3.4: tn = tc + (members/pmembers)·(tn − tc) = now + 0.1 s.
        #expect(abs(Double(session.nextReportTime - now) - Double(before - now) / 10) <= 1)
    }

    @Test func silentMembersTimeOutAfterFiveIntervals() throws {
        var session = try Fixture.session(seed: 5)
        session.didReceiveRTP(ssrc: 0xAAAA, sequence: 1, timestamp: 0, arrival: 0)
        session.didReceiveRTP(ssrc: 0xAAAA, sequence: 2, timestamp: 160, arrival: 20 * Fixture.millisecond)
        #expect(session.members == 2)
        var timedOutAt: Int64?
        for _ in 0..<100 where timedOutAt == nil {
            let now = session.nextReportTime
            if session.advance(now: now).contains(.sourceTimedOut(ssrc: 0xAAAA)) { timedOutAt = now }
        }
        let at = try #require(timedOutAt)
        #expect(at > 25 * Fixture.second && at < 25 * Fixture.second + 7 * Fixture.second)
        #expect(session.members == 1)
    }
}
