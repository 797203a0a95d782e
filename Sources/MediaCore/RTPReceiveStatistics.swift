/// What `RTPReceiveStatistics.record` concluded about one packet.
public enum RTPSequenceVerdict: Sendable, Equatable {
    /// Counted as received (in order, late, or duplicate).
    case accepted
    /// Source not yet validated: too few consecutive packets so far.
    case probation
    /// A jump beyond the dropout/misorder limits; ignored unless the next
    /// packet confirms a restart.
    case invalidJump
    /// The sender restarted its sequence numbers (two consecutive packets
    /// after a large jump); counters were reset and this packet counted.
    case resynchronized
}

/// Loss and jitter figures for one reception report.
public struct RTPReceptionSummary: Sendable, Equatable {
    public var fractionLost: UInt8
    /// Clamped to the 24-bit signed range of the report block.
    public var cumulativeLost: Int32
    public var extendedHighestSequence: UInt32
    public var jitter: UInt32

    public init(fractionLost: UInt8, cumulativeLost: Int32, extendedHighestSequence: UInt32, jitter: UInt32) {
        self.fractionLost = fractionLost
        self.cumulativeLost = cumulativeLost
        self.extendedHighestSequence = extendedHighestSequence
        self.jitter = jitter
    }
}

/// Per-source receive statistics, following RFC 3550 Appendix A.1 (sequence
/// validation), A.3 (expected/lost, fraction lost per interval) and A.8
/// (interarrival jitter, integer form with gain 1/16).
///
/// Why the caller passes arrival time: it keeps this type deterministic and
/// testable and lets the socket layer use its receive timestamp.
/// The first packet creates the source; then `maxDropout`/`maxMisorder`
/// decide whether a sequence number is in order, late, or a restart.
/// Deviation from the RFC sample code: the probation check compares with
/// wrap-around (`maxSequence &+ 1`), so a source that starts at 65535 is
/// validated instead of being stuck in probation.
public struct RTPReceiveStatistics: Sendable {
    public struct Configuration: Sendable, Equatable {
        public var maxDropout: UInt16
        public var maxMisorder: UInt16
        /// Consecutive packets needed before a new source is accepted.
        public var minSequential: Int
        /// RTP clock rate, used only to convert nanosecond arrival times.
        public var clockRate: UInt32

        public init(maxDropout: UInt16 = 3000, maxMisorder: UInt16 = 100, minSequential: Int = 2, clockRate: UInt32 = 8000) {
            self.maxDropout = maxDropout
            self.maxMisorder = maxMisorder
            self.minSequential = minSequential
            self.clockRate = clockRate
        }
    }

    public let configuration: Configuration
    private var started = false
    private var maxSequence: UInt16 = 0
    /// Shifted count of sequence wraps (multiples of 65536).
    private var cycles: Int64 = 0
    private var baseSequence: UInt16 = 0
    /// Expected next sequence after a suspicious jump (RFC `bad_seq`); nil = none.
    private var badSequence: UInt16?
    private var probation = 0
    private var received: Int64 = 0
    private var expectedPrior: Int64 = 0
    private var receivedPrior: Int64 = 0
    private var lastTransit: UInt32?
    /// Jitter scaled by 16 (A.8 integer form).
    private var jitterScaled: UInt32 = 0

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// True once probation has ended.
    public var isValidated: Bool { started && probation == 0 }

    /// Packets counted as received (including duplicates) since (re)start.
    public var receivedCount: Int64 { received }

    /// Highest sequence number seen, extended with the wrap count.
    public var extendedHighestSequence: UInt32 {
        UInt32(truncatingIfNeeded: cycles + Int64(maxSequence))
    }

    /// Packets expected since the base sequence (A.3).
    public var expectedCount: Int64 {
        guard isValidated else { return 0 }
        return cycles + Int64(maxSequence) - Int64(baseSequence) + 1
    }

    /// expected - received, can be negative with duplicates; not clamped.
    public var cumulativeLost: Int64 { expectedCount - received }

    /// Interarrival jitter estimate in RTP timestamp units.
    public var jitter: UInt32 { jitterScaled >> 4 }

    /// Records a packet whose arrival time is already in RTP timestamp units.
    @discardableResult
    public mutating func record(sequence: UInt16, timestamp: UInt32, arrival: UInt32) -> RTPSequenceVerdict {
        let verdict = updateSequence(sequence)
        switch verdict {
        case .accepted, .resynchronized:
            updateJitter(timestamp: timestamp, arrival: arrival)
        case .probation, .invalidJump:
            break
        }
        return verdict
    }

    /// Records a packet with its arrival time from a monotonic clock in nanoseconds.
    @discardableResult
    public mutating func record(sequence: UInt16, timestamp: UInt32, arrivalNanoseconds: UInt64) -> RTPSequenceVerdict {
        record(sequence: sequence, timestamp: timestamp,
               arrival: Self.timestampUnits(nanoseconds: arrivalNanoseconds, clockRate: configuration.clockRate))
    }

    /// Converts nanoseconds to RTP clock units modulo 2^32 (only differences matter).
    public static func timestampUnits(nanoseconds: UInt64, clockRate: UInt32) -> UInt32 {
        let rate = UInt64(clockRate)
        let whole = (nanoseconds / 1_000_000_000) &* rate
        let part = (nanoseconds % 1_000_000_000) * rate / 1_000_000_000
        return UInt32(truncatingIfNeeded: whole &+ part)
    }

    /// Figures for a report block covering the interval since the previous
    /// call (A.3); advances the interval.
    public mutating func makeReceptionSummary() -> RTPReceptionSummary {
        let expected = expectedCount
        let expectedInterval = expected - expectedPrior
        expectedPrior = expected
        let receivedInterval = received - receivedPrior
        receivedPrior = received
        let lostInterval = expectedInterval - receivedInterval
        var fraction: Int64 = 0
        if expectedInterval > 0, lostInterval > 0 {
            fraction = min((lostInterval << 8) / expectedInterval, 255)
        }
        let lost = min(max(cumulativeLost, Int64(RTCPReportBlock.minCumulativeLost)), Int64(RTCPReportBlock.maxCumulativeLost))
        return RTPReceptionSummary(
            fractionLost: UInt8(fraction), cumulativeLost: Int32(lost),
            extendedHighestSequence: extendedHighestSequence, jitter: jitter)
    }

    /// A complete report block for `ssrc`; advances the interval.
    public mutating func makeReportBlock(
        ssrc: UInt32, lastSenderReport: UInt32 = 0, delaySinceLastSenderReport: UInt32 = 0
    ) -> RTCPReportBlock {
        let summary = makeReceptionSummary()
        return RTCPReportBlock(
            ssrc: ssrc, fractionLost: summary.fractionLost, cumulativeLost: summary.cumulativeLost,
            extendedHighestSequence: summary.extendedHighestSequence, jitter: summary.jitter,
            lastSenderReport: lastSenderReport, delaySinceLastSenderReport: delaySinceLastSenderReport)
    }

    // MARK: - A.1

    private mutating func resetSequence(_ sequence: UInt16) {
        baseSequence = sequence
        maxSequence = sequence
        badSequence = nil
        cycles = 0
        received = 0
        receivedPrior = 0
        expectedPrior = 0
    }

    private mutating func updateSequence(_ sequence: UInt16) -> RTPSequenceVerdict {
        if !started {
            started = true
            resetSequence(sequence)
            maxSequence = sequence &- 1
            probation = max(configuration.minSequential, 1)
        }
        let delta = sequence &- maxSequence
        if probation > 0 {
            if sequence == maxSequence &+ 1 {
                probation -= 1
                maxSequence = sequence
                if probation == 0 {
                    resetSequence(sequence)
                    received += 1
                    return .accepted
                }
            } else {
                probation = max(configuration.minSequential, 1) - 1
                maxSequence = sequence
            }
            return .probation
        }
        if delta < configuration.maxDropout {
            // In order, possibly with a gap.
            if sequence < maxSequence { cycles += 65_536 }
            maxSequence = sequence
        } else if Int(delta) <= 65_536 - Int(configuration.maxMisorder) {
            // A very large jump: accept only if the next packet follows it.
            if sequence == badSequence {
                resetSequence(sequence)
                lastTransit = nil
                received += 1
                return .resynchronized
            }
            badSequence = sequence &+ 1
            return .invalidJump
        } else {
            // Duplicate or late (reordered) packet: counted, no state change.
        }
        received += 1
        return .accepted
    }

    // MARK: - A.8

    private mutating func updateJitter(timestamp: UInt32, arrival: UInt32) {
        let transit = arrival &- timestamp
        defer { lastTransit = transit }
        guard let previous = lastTransit else { return }
        let difference = Int32(bitPattern: transit &- previous).magnitude
        let scaled = Int64(jitterScaled) + Int64(difference) - ((Int64(jitterScaled) + 8) >> 4)
        jitterScaled = UInt32(clamping: scaled)
    }
}
