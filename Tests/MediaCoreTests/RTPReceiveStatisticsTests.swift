import Testing
import MediaCore

@Suite struct RTPReceiveStatisticsTests {
    /// Feeds sequence numbers with perfect timing (jitter stays 0).
    static func feed(_ stats: inout RTPReceiveStatistics, _ sequences: [UInt16]) -> [RTPSequenceVerdict] {
        sequences.map { seq in stats.record(sequence: seq, timestamp: UInt32(seq) * 160, arrival: UInt32(seq) * 160 + 5) }
    }

    @Test func probationThenInOrderWithoutLoss() {
        var stats = RTPReceiveStatistics()
        let verdicts = Self.feed(&stats, Array(1000..<1100))
        #expect(verdicts[0] == .probation)
        #expect(verdicts[1...].allSatisfy { $0 == .accepted })
        // The probation packet is not counted: base sequence is 1001.
        #expect(stats.expectedCount == 99)
        #expect(stats.receivedCount == 99)
        #expect(stats.cumulativeLost == 0)
        let summary = stats.makeReceptionSummary()
        #expect(summary == RTPReceptionSummary(fractionLost: 0, cumulativeLost: 0, extendedHighestSequence: 1099, jitter: 0))
    }

    @Test func probationRestartsOnNonSequentialPacket() {
        var stats = RTPReceiveStatistics()
        #expect(Self.feed(&stats, [10, 50, 51, 52]) == [.probation, .probation, .accepted, .accepted])
        #expect(stats.isValidated)
        #expect(stats.expectedCount == 2)  // base 51
    }

    @Test func wrapAroundCountsCycles() {
        var stats = RTPReceiveStatistics()
        let sequences: [UInt16] = Array(65_530...65_535) + Array(0...5)
        #expect(Self.feed(&stats, sequences).dropFirst().allSatisfy { $0 == .accepted })
        // base 65531, extended max 65536 + 5.
        #expect(stats.extendedHighestSequence == 0x1_0005)
        #expect(stats.expectedCount == 11)
        #expect(stats.cumulativeLost == 0)
    }

    @Test func sourceStartingAt65535PassesProbation() {
        var stats = RTPReceiveStatistics()
        #expect(Self.feed(&stats, [65_535, 0, 1]) == [.probation, .accepted, .accepted])
        // Validation re-bases at 0, so no cycle has been counted yet.
        #expect(stats.extendedHighestSequence == 1)
        #expect(stats.expectedCount == 2)
    }

    @Test func lossAndFractionPerInterval() {
        var stats = RTPReceiveStatistics()
        let lost1: Set<UInt16> = [10, 20, 30, 40, 50]
        _ = Self.feed(&stats, (0...100).filter { !lost1.contains($0) })
        // Interval 1: base 1, max 100 -> expected 100, received 95.
        let first = stats.makeReceptionSummary()
        #expect(first.cumulativeLost == 5)
        #expect(first.fractionLost == 12)  // (5 << 8) / 100 = 12.8
        let lost2: Set<UInt16> = [150, 160]
        _ = Self.feed(&stats, (101...200).filter { !lost2.contains($0) })
        let second = stats.makeReceptionSummary()
        #expect(second.cumulativeLost == 7)
        #expect(second.fractionLost == 5)  // (2 << 8) / 100 = 5.12
        #expect(second.extendedHighestSequence == 200)
        // Empty interval: nothing expected, nothing lost.
        #expect(stats.makeReceptionSummary().fractionLost == 0)
    }

    @Test func duplicatesMakeLossNegative() {
        var stats = RTPReceiveStatistics()
        #expect(Self.feed(&stats, [0, 1, 2, 3, 4, 5, 5, 6, 6, 7, 8, 9, 10]).dropFirst().allSatisfy { $0 == .accepted })
        #expect(stats.expectedCount == 10)
        #expect(stats.receivedCount == 12)
        let summary = stats.makeReceptionSummary()
        #expect(summary.cumulativeLost == -2)
        #expect(summary.fractionLost == 0)
    }

    @Test func reorderingIsLateNotLost() {
        var stats = RTPReceiveStatistics()
        _ = Self.feed(&stats, [0, 1, 2, 3, 5])
        let first = stats.makeReceptionSummary()
        #expect(first.cumulativeLost == 1)  // 4 missing so far
        #expect(first.fractionLost == 51)  // (1 << 8) / 5
        #expect(Self.feed(&stats, [4, 6]) == [.accepted, .accepted])
        let second = stats.makeReceptionSummary()
        #expect(second.cumulativeLost == 0)
        #expect(second.fractionLost == 0)  // lost in interval = 1 - 2 < 0
        #expect(second.extendedHighestSequence == 6)
    }

    @Test func lateAcrossWrapDoesNotAddCycle() {
        var stats = RTPReceiveStatistics()
        _ = Self.feed(&stats, [65_532, 65_533, 65_535, 0, 1, 2])
        #expect(Self.feed(&stats, [65_534]) == [.accepted])
        #expect(stats.extendedHighestSequence == 0x1_0002)
        #expect(stats.cumulativeLost == 0)  // base 65533 .. 65538: 6 expected, 6 received
    }

    @Test func largeJumpNeedsConfirmationThenResynchronizes() {
        var stats = RTPReceiveStatistics()
        _ = Self.feed(&stats, Array(0...20))
        #expect(Self.feed(&stats, [20_000]) == [.invalidJump])
        #expect(stats.extendedHighestSequence == 20)
        #expect(Self.feed(&stats, [21]) == [.accepted])
        #expect(Self.feed(&stats, [30_000, 30_001]) == [.invalidJump, .resynchronized])
        #expect(stats.expectedCount == 1)
        #expect(stats.receivedCount == 1)
        #expect(stats.extendedHighestSequence == 30_001)
        // A dropout below maxDropout is a gap, not a jump.
        #expect(Self.feed(&stats, [32_000]) == [.accepted])
        #expect(stats.cumulativeLost == 1998)
    }

    @Test func zeroJitterForPerfectTiming() {
        var stats = RTPReceiveStatistics()
        for i in 0..<50 {
            stats.record(sequence: UInt16(i), timestamp: UInt32(i * 160), arrival: 77_777 + UInt32(i * 160))
        }
        #expect(stats.jitter == 0)
    }

    /// Transit alternates by D = 80 units. A.8 integer form: J16 += |D| - ((J16 + 8) >> 4).
    /// Packet 0 is in probation, packet 1 sets the transit, updates start at 2:
    /// J16 = 80 (5), 155 (9), 225 (14); the fixed point is J16 = 1272 -> 79.
    @Test func constantAlternatingJitter() {
        var stats = RTPReceiveStatistics()
        var reported: [UInt32] = []
        for i in 0..<1000 {
            let offset: UInt32 = i % 2 == 0 ? 0 : 80
            stats.record(sequence: UInt16(i), timestamp: UInt32(i * 160), arrival: 1_000 + UInt32(i * 160) + offset)
            reported.append(stats.jitter)
        }
        #expect(Array(reported[0..<5]) == [0, 0, 5, 9, 14])
        #expect(reported.last == 79)
    }

    @Test func jitterFromNanosecondArrivalTimes() {
        // 8 kHz: one unit = 125 us. Packet i arrives 20 ms apart, every odd one 10 ms late.
        var stats = RTPReceiveStatistics(configuration: .init(clockRate: 8000))
        for i in 0..<4 {
            let late: UInt64 = i % 2 == 0 ? 0 : 10_000_000
            stats.record(sequence: UInt16(i), timestamp: UInt32(i * 160), arrivalNanoseconds: 5_000_000_000 + UInt64(i) * 20_000_000 + late)
        }
        #expect(stats.jitter == 9)
        #expect(RTPReceiveStatistics.timestampUnits(nanoseconds: 1_000_000_000, clockRate: 8000) == 8000)
        #expect(RTPReceiveStatistics.timestampUnits(nanoseconds: 125_000, clockRate: 8000) == 1)
        #expect(RTPReceiveStatistics.timestampUnits(nanoseconds: .max, clockRate: 48_000) > 0)
    }

    @Test func reportBlockCarriesFiguresAndTimingFields() {
        var stats = RTPReceiveStatistics()
        _ = Self.feed(&stats, [0, 1, 2, 4])
        let block = stats.makeReportBlock(ssrc: 0xAA, lastSenderReport: 0x1234_5678, delaySinceLastSenderReport: 65_536)
        #expect(block == RTCPReportBlock(
            ssrc: 0xAA, fractionLost: 64, cumulativeLost: 1, extendedHighestSequence: 4, jitter: 0,
            lastSenderReport: 0x1234_5678, delaySinceLastSenderReport: 65_536))
    }
}
