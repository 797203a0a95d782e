import MediaCore
import MediaQuality
import Testing

/// Two sessions over a simulated link with a fixed one-way delay.
@Suite("Round-trip time (RFC 3550 §6.4.1)")
struct RTCPRoundTripTests {
    static let ms = Fixture.millisecond

    /// Each side has its own monotonic origin and wall clock; only the
    /// link delay is shared. Steps of 1 ms for `duration`.
    struct Link {
        var alice: RTCPSession
        var bob: RTCPSession
        let oneWay: Int64
        // Clock offsets of each side relative to the simulation time.
        let aliceMonotonic: Int64 = 3 * Fixture.second
        let bobMonotonic: Int64 = 11 * Fixture.second
        let aliceWall: Int64 = 0
        let bobWall: Int64 = 3_600 * Fixture.second + 17 * Fixture.millisecond
        var inFlight: [(deliverAt: Int64, toBob: Bool, bytes: [UInt8])] = []

        init(oneWay: Int64, bobSends: Bool) throws {
            self.oneWay = oneWay
            alice = try RTCPSession(
                configuration: .init(ssrc: 0xA11C_E000, cname: "alice@a"), now: aliceMonotonic,
                random: SeededRandomNumberGenerator(seed: 11))
            bob = try RTCPSession(
                configuration: .init(ssrc: 0xB0B0_0000, cname: "bob@b"), now: bobMonotonic,
                random: SeededRandomNumberGenerator(seed: 12))
            self.bobSends = bobSends
        }

        let bobSends: Bool

        mutating func run(for duration: Int64) throws {
            var t: Int64 = 0
            while t < duration {
                // RTP every 20 ms each way (sequence/timestamp from the send slot).
                if t % (20 * ms) == 0 {
                    let slot = Int(t / (20 * ms))
                    alice.didSendRTP(bytes: 160, rtpTimestamp: UInt32(slot * 160), now: t + aliceMonotonic, ntpNow: Fixture.ntp(t + aliceWall))
                    if bobSends {
                        bob.didSendRTP(bytes: 160, rtpTimestamp: UInt32(90_000 + slot * 160), now: t + bobMonotonic, ntpNow: Fixture.ntp(t + bobWall))
                    }
                }
                if t >= oneWay, (t - oneWay) % (20 * ms) == 0 {
                    let slot = Int((t - oneWay) / (20 * ms))
                    bob.didReceiveRTP(ssrc: 0xA11C_E000, sequence: UInt16(truncatingIfNeeded: slot), timestamp: UInt32(slot * 160), arrival: t + bobMonotonic, payloadBytes: 160)
                    if bobSends {
                        alice.didReceiveRTP(ssrc: 0xB0B0_0000, sequence: UInt16(truncatingIfNeeded: slot), timestamp: UInt32(90_000 + slot * 160), arrival: t + aliceMonotonic, payloadBytes: 160)
                    }
                }
                // Deliver RTCP that has crossed the link.
                let due = inFlight.filter { $0.deliverAt <= t }
                inFlight.removeAll { $0.deliverAt <= t }
                for datagram in due {
                    if datagram.toBob {
                        _ = try bob.didReceiveRTCP(datagram.bytes, arrival: t + bobMonotonic, ntpNow: Fixture.ntp(t + bobWall))
                    } else {
                        _ = try alice.didReceiveRTCP(datagram.bytes, arrival: t + aliceMonotonic, ntpNow: Fixture.ntp(t + aliceWall))
                    }
                }
                for bytes in Fixture.datagrams(alice.advance(now: t + aliceMonotonic)) {
                    inFlight.append((t + oneWay, true, bytes))
                }
                for bytes in Fixture.datagrams(bob.advance(now: t + bobMonotonic)) {
                    inFlight.append((t + oneWay, false, bytes))
                }
                t += Fixture.millisecond
            }
        }
    }

    @Test func roundTripIsTwiceTheOneWayDelay() throws {
        var link = try Link(oneWay: 40 * Self.ms, bobSends: true)
        try link.run(for: 60 * Fixture.second)
        for (name, statistics) in [("alice", link.alice.statistics), ("bob", link.bob.statistics)] {
            let remote = try #require(statistics.primaryRemote, "\(name)")
            let rtt = try #require(remote.roundTripTimeMilliseconds, "\(name) has no RTT")
            let smoothed = try #require(remote.smoothedRoundTripTimeMilliseconds)
            #expect(abs(rtt - 80) < 1, "\(name) rtt \(rtt)")
            #expect(abs(smoothed - 80) < 1, "\(name) srtt \(smoothed)")
            // The peer saw our stream complete and with no jitter.
            let view = try #require(remote.remoteReception)
            #expect(view.cumulativeLost == 0 && view.fractionLostPercent == 0)
            #expect(view.jitterMilliseconds < 0.2)
            #expect(remote.lastSenderReportAt != nil)
            #expect(remote.lossPercent == 0)
        }
        #expect(link.alice.statistics.remotes.count == 1)
    }

    @Test func receiveOnlyPeerStillGivesTheSenderItsRTT() throws {
        var link = try Link(oneWay: 40 * Self.ms, bobSends: false)
        try link.run(for: 30 * Fixture.second)
        let alice = try #require(link.alice.statistics.primaryRemote)
        let rtt = try #require(alice.roundTripTimeMilliseconds)
        #expect(abs(rtt - 80) < 1)
        #expect(alice.lastSenderReportAt == nil && alice.lastReceiverReportAt != nil)
        // Bob never hears RTP from Alice about himself: no RTT on his side.
        #expect(link.bob.statistics.primaryRemote?.roundTripTimeMilliseconds == nil)
    }
}
