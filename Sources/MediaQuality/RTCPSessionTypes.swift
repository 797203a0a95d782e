import MediaCore

/// Why `RTCPSession` refused an input or a configuration.
public enum RTCPSessionError: Error, Sendable, Equatable {
    /// The datagram is not a valid compound RTCP packet (RFC 3550 A.2).
    case malformed(RTCPParseError)
    /// The CNAME is empty or longer than the 255 bytes an SDES item can carry.
    case invalidCNAME
    /// A bandwidth, fraction or interval in the configuration is not a positive finite number.
    case invalidConfiguration
}

/// What the adapter must do after an `RTCPSession` call.
public enum RTCPOutput: Sendable, Equatable {
    /// Send this compound RTCP datagram to the remote RTCP address (or the
    /// RTP address with rtcp-mux).
    case send([UInt8])
    /// The source sent BYE (RFC 3550 §6.6): the far end left the session.
    case sourceLeft(ssrc: UInt32, reason: String?)
    /// Nothing (RTP or RTCP) heard from the source for 5 deterministic
    /// report intervals (§6.3.5): it was dropped from the member count.
    case sourceTimedOut(ssrc: UInt32)
}

/// What a remote receiver said about our stream in its latest report block.
public struct RemoteReception: Sendable, Equatable {
    /// Fraction lost over the remote's last interval, in percent (0–99.6).
    public var fractionLostPercent: Double
    /// Cumulative packets lost (24-bit signed on the wire).
    public var cumulativeLost: Int32
    public var extendedHighestSequence: UInt32
    /// Interarrival jitter converted to milliseconds with our clock rate.
    public var jitterMilliseconds: Double
    /// Monotonic time (ns) the report arrived.
    public var receivedAt: Int64

    public init(
        fractionLostPercent: Double, cumulativeLost: Int32, extendedHighestSequence: UInt32,
        jitterMilliseconds: Double, receivedAt: Int64
    ) {
        self.fractionLostPercent = fractionLostPercent
        self.cumulativeLost = cumulativeLost
        self.extendedHighestSequence = extendedHighestSequence
        self.jitterMilliseconds = jitterMilliseconds
        self.receivedAt = receivedAt
    }
}

/// Statistics of one remote source, as seen by us and as it sees us.
public struct RemoteSourceStatistics: Sendable, Equatable {
    public var ssrc: UInt32
    public var cname: String?
    /// RTP packets and payload octets received (after source validation).
    public var packetsReceived: Int64
    public var bytesReceived: UInt64
    /// Packets expected and lost since the first validated packet (A.3).
    public var packetsExpected: Int64
    public var cumulativeLost: Int64
    /// cumulativeLost / expected in percent, 0 when nothing expected (negative with duplicates clamped to 0).
    public var lossPercent: Double
    /// Fraction lost over the interval of our last report block about this source, in percent.
    public var intervalLossPercent: Double
    /// Interarrival jitter (A.8) in milliseconds.
    public var jitterMilliseconds: Double
    /// Latest and smoothed (gain 1/8) round-trip time from its report blocks about us.
    public var roundTripTimeMilliseconds: Double?
    public var smoothedRoundTripTimeMilliseconds: Double?
    /// Its latest report block about our stream.
    public var remoteReception: RemoteReception?
    /// Monotonic arrival times (ns) of its latest SR and RR.
    public var lastSenderReportAt: Int64?
    public var lastReceiverReportAt: Int64?
    /// It sent BYE.
    public var hasLeft: Bool
}

/// A snapshot of an RTCP session (`RTCPSession.statistics`).
public struct RTCPSessionStatistics: Sendable, Equatable {
    /// Our RTP packets and payload octets sent (the SR counters, not wrapped).
    public var packetsSent: UInt64
    public var bytesSent: UInt64
    /// Totals over all remote sources.
    public var packetsReceived: Int64
    public var bytesReceived: UInt64
    /// Member and sender counts used by the interval computation (ourselves included).
    public var members: Int
    public var senders: Int
    /// Compound reports we sent and the monotonic time (ns) of the last one.
    public var reportsSent: Int
    public var lastReportSentAt: Int64?
    /// Current `avg_rtcp_size` in octets (headers included).
    public var averageRTCPSize: Double
    /// Sorted by SSRC.
    public var remotes: [RemoteSourceStatistics]

    /// The first remote that has not left: the far end of a two-party call.
    public var primaryRemote: RemoteSourceStatistics? {
        remotes.first { !$0.hasLeft } ?? remotes.first
    }
}
