/// The RTCP transmission interval of RFC 3550 §6.2, §6.3.1 and Appendix A.7
/// (`rtcp_interval()`), as pure functions.
///
/// Why separate from `RTCPSession`: the formula is what tests and capacity
/// planning want to check directly (scaling with members and bandwidth),
/// without driving a session through time.
///
///     bw   = rtcpBandwidth                       (octets/s, 5% of the session)
///     n    = members
///     if senders <= 25% of members:               (§6.2 sender/receiver split)
///         weSent ? (bw *= 0.25, n = senders) : (bw *= 0.75, n = members - senders)
///     Td   = max(avgRTCPSize * n / bw, Tmin)       Tmin = 5 s, 2.5 s before our first report
///     T    = Td * U[0.5, 1.5] / (e - 3/2)          (randomization + reconsideration compensation)
public enum RTCPTransmissionInterval {
    /// e − 3/2: the reconsideration algorithm converges to an interval this
    /// much larger than the mean of the draws (§6.3.1), so the draw is
    /// divided by it to keep the average at `Td`.
    public static let compensation: Double = 2.718_281_828_459_045 - 1.5

    /// Inputs of one interval computation (the A.7 variables).
    public struct Parameters: Sendable, Equatable {
        /// Current member count including ourselves (at least 1).
        public var members: Int
        /// Current sender count including ourselves when `weSent`.
        public var senders: Int
        /// RTCP bandwidth in octets per second (all participants together).
        public var rtcpBandwidth: Double
        /// We sent RTP during the current or previous report interval.
        public var weSent: Bool
        /// `avg_rtcp_size` in octets, lower-layer headers included.
        public var averagePacketSize: Double
        /// No report sent yet: the minimum interval is halved (§6.2).
        public var initial: Bool
        /// Tmin in seconds (RTCP_MIN_TIME, 5 s).
        public var minimumInterval: Double
        /// Share of the RTCP bandwidth for senders when they are few (0.25).
        public var senderFraction: Double

        public init(
            members: Int, senders: Int, rtcpBandwidth: Double, weSent: Bool, averagePacketSize: Double,
            initial: Bool, minimumInterval: Double = 5, senderFraction: Double = 0.25
        ) {
            self.members = members
            self.senders = senders
            self.rtcpBandwidth = rtcpBandwidth
            self.weSent = weSent
            self.averagePacketSize = averagePacketSize
            self.initial = initial
            self.minimumInterval = minimumInterval
            self.senderFraction = senderFraction
        }
    }

    /// The deterministic interval `Td` in seconds (no randomization), also
    /// the base of the member and sender timeouts (§6.3.5).
    public static func deterministic(_ parameters: Parameters) -> Double {
        let minimum = parameters.initial ? parameters.minimumInterval / 2 : parameters.minimumInterval
        let members = max(parameters.members, 1)
        let senders = min(max(parameters.senders, 0), members)
        var bandwidth = parameters.rtcpBandwidth
        var count = members
        if Double(senders) <= Double(members) * parameters.senderFraction {
            if parameters.weSent {
                bandwidth *= parameters.senderFraction
                count = senders
            } else {
                bandwidth *= 1 - parameters.senderFraction
                count = members - senders
            }
        }
        // A zero or negative bandwidth means "as rarely as allowed": fall back to Tmin.
        guard bandwidth > 0, bandwidth.isFinite, parameters.averagePacketSize.isFinite else { return minimum }
        let interval = parameters.averagePacketSize * Double(max(count, 1)) / bandwidth
        return max(interval, minimum)
    }

    /// The randomized interval `T` in seconds for a draw `factor` in
    /// [0.5, 1.5] (values outside are clamped).
    public static func randomized(_ parameters: Parameters, factor: Double) -> Double {
        let clamped = min(max(factor, 0.5), 1.5)
        return deterministic(parameters) * clamped / compensation
    }

    /// Bounds of `randomized` for these parameters: `[Td/2, 3Td/2] / (e − 3/2)`.
    public static func bounds(_ parameters: Parameters) -> ClosedRange<Double> {
        randomized(parameters, factor: 0.5)...randomized(parameters, factor: 1.5)
    }
}

/// A small seedable generator (SplitMix64) for reproducible RTCP timing in
/// tests and simulations. Production code can pass
/// `SystemRandomNumberGenerator()` instead.
public struct SeededRandomNumberGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
