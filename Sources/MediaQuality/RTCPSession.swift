import MediaCore

/// The RTCP side of one RTP session (RFC 3550 §6): when to report, what to
/// report, and what the peers' reports say. One per call leg: one SSRC of
/// ours, normally one remote source, but any number are tolerated.
///
/// Why a value with `now:` arguments: it is the state machine of the
/// "codec apart from I/O" habit. The media adapter feeds it every RTP packet
/// sent and received and every RTCP datagram, calls `advance(now:)` when
/// `nextReportTime` has come, and performs the returned `RTCPOutput`s.
/// No clock, socket or global random source is read inside.
///
/// Time: `now`/`arrival` are monotonic nanoseconds (any origin, never
/// negative); wall-clock time comes in as `NTPTimestamp` where an SR or a
/// round-trip time needs it. Between such calls the NTP time is extrapolated
/// from the latest (monotonic, NTP) pair the caller gave.
///
///     init ──► tn = now + T(initial: Tmin/2)
///     advance(now ≥ tn):  time-outs (§6.3.5) ─► T = interval()            (§6.3.6, A.7 OnExpire)
///                          tp + T ≤ now ? send SR|RR + SDES, tp = now, tn = now + T'
///                                       : tn = tp + T  (timer reconsideration)
///     BYE / time-out:      members shrink ─► reverse reconsideration      (§6.3.4)
///     bye(reason:now:):    SR|RR + SDES + BYE, then silent                 (§6.3.7, no BYE back-off)
public struct RTCPSession: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// Our SSRC (the one our RTP packets carry).
        public var ssrc: UInt32
        /// Our canonical name (§6.5.1), e.g. "user@host"; 1–255 UTF-8 bytes.
        public var cname: String
        /// RTP clock rate of the payload format (8000 for G.711).
        public var clockRate: UInt32
        /// Session bandwidth in bit/s, lower-layer headers included
        /// (G.711 at 20 ms: 64 kbit/s payload → 80 kbit/s with IP/UDP/RTP).
        public var sessionBandwidth: Double
        /// RTCP share of the session bandwidth (§6.2: 5%).
        public var rtcpFraction: Double
        /// Sender share of the RTCP bandwidth when senders are few (25%).
        public var senderFraction: Double
        /// Tmin in seconds (5 s; halved before our first report).
        public var minimumInterval: Double
        /// Lower-layer header octets added to each RTCP packet size for
        /// `avg_rtcp_size` (§6.2: 28 for UDP/IPv4, 48 for UDP/IPv6).
        public var headerOverhead: Int
        /// Deterministic intervals of silence before a member is dropped (§6.3.5: 5).
        public var timeoutIntervals: Int
        /// Sequence validation limits for remote sources. Its `clockRate` is
        /// replaced by `clockRate` above.
        public var receiveStatistics: RTPReceiveStatistics.Configuration
        /// Remote SSRCs tracked at most (bounds memory against sprayed
        /// SSRCs); packets from further new sources are ignored.
        public var maximumRemoteSources: Int

        public init(
            ssrc: UInt32, cname: String, clockRate: UInt32 = 8000, sessionBandwidth: Double = 80_000,
            rtcpFraction: Double = 0.05, senderFraction: Double = 0.25, minimumInterval: Double = 5,
            headerOverhead: Int = 28, timeoutIntervals: Int = 5,
            receiveStatistics: RTPReceiveStatistics.Configuration = .init(), maximumRemoteSources: Int = 64
        ) {
            self.ssrc = ssrc
            self.cname = cname
            self.clockRate = clockRate
            self.sessionBandwidth = sessionBandwidth
            self.rtcpFraction = rtcpFraction
            self.senderFraction = senderFraction
            self.minimumInterval = minimumInterval
            self.headerOverhead = headerOverhead
            self.timeoutIntervals = timeoutIntervals
            self.receiveStatistics = receiveStatistics
            self.maximumRemoteSources = maximumRemoteSources
        }

        /// RTCP bandwidth in octets per second.
        public var rtcpBandwidth: Double { sessionBandwidth * rtcpFraction / 8 }
    }

    /// What we know about one remote SSRC.
    struct RemoteSource: Sendable {
        var statistics: RTPReceiveStatistics
        var cname: String?
        var bytesReceived: UInt64 = 0
        var lastRTPArrival: Int64?
        var lastActivity: Int64
        var receivedSinceLastReport = false
        /// Middle 32 bits of its latest SR's NTP time, and when that SR arrived.
        var lastSenderReport: UInt32 = 0
        var lastSenderReportArrival: Int64?
        var lastReceiverReportArrival: Int64?
        var intervalFractionLost: UInt8 = 0
        var remoteReception: RemoteReception?
        var roundTripTime: Double?
        var smoothedRoundTripTime: Double?
        var hasLeft = false
        /// Counted as a member: sent RTCP, or RTP that passed validation (A.1).
        var isConfirmed = false
        var isMember: Bool { isConfirmed && !hasLeft }
    }

    public let configuration: Configuration
    let cnameItemForReports: RTCPSDESItem
    var random: any RandomNumberGenerator & Sendable

    // A.7 state (times in monotonic ns).
    /// tn: when `advance(now:)` has work to do.
    public private(set) var nextReportTime: Int64
    /// tp: when we last sent a report (the session start before the first).
    var previousTransmission: Int64
    var previousMembers = 1
    var initial = true
    var averageRTCPSize: Double

    // Our sending side.
    var packetsSent: UInt64 = 0
    var bytesSent: UInt64 = 0
    var lastSentRTPTimestamp: UInt32 = 0
    var lastRTPSendTime: Int64?
    var wallClock: (monotonic: Int64, ntp: NTPTimestamp)?

    /// Times of our latest two reports: "sender" means RTP since the older one (§6.4).
    var latestReportTime: Int64?
    var olderReportTime: Int64?
    var reportsSent = 0
    var hasLeft = false

    var remotes: [UInt32: RemoteSource] = [:]

    /// Starts the session at `now` and schedules the first report at
    /// `now + T` with the halved minimum (§6.3.2).
    public init(
        configuration: Configuration, now: Int64,
        random: any RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()
    ) throws(RTCPSessionError) {
        let cnameBytes = Array(configuration.cname.utf8)
        guard !cnameBytes.isEmpty, cnameBytes.count <= 255 else { throw .invalidCNAME }
        let positive = [configuration.sessionBandwidth, configuration.rtcpFraction, configuration.minimumInterval]
        guard positive.allSatisfy({ $0.isFinite && $0 > 0 }),
            configuration.senderFraction > 0, configuration.senderFraction < 1,
            configuration.clockRate > 0, configuration.headerOverhead >= 0, configuration.timeoutIntervals > 0,
            configuration.maximumRemoteSources > 0
        else { throw .invalidConfiguration }
        self.configuration = configuration
        self.cnameItemForReports = RTCPSDESItem(type: .cname, value: cnameBytes)
        self.random = random
        previousTransmission = now
        // §6.3.2: the probable size of our first packet (RR with one block + SDES CNAME).
        let sdesSize = 4 + (4 + 2 + cnameBytes.count + 1 + 3) / 4 * 4
        averageRTCPSize = Double(8 + RTCPReportBlock.size + sdesSize + configuration.headerOverhead)
        nextReportTime = now
        nextReportTime = now + drawInterval()
    }

    // MARK: - Feeding in RTP

    /// Records RTP packets we sent: `bytes` counts payload octets only (the
    /// SR octet count, §6.4.1); `rtpTimestamp` is the timestamp of the last
    /// of them, sent at `now` (monotonic) = `ntpNow` (wall clock).
    public mutating func didSendRTP(bytes: Int, packets: Int = 1, rtpTimestamp: UInt32, now: Int64, ntpNow: NTPTimestamp) {
        packetsSent &+= UInt64(max(packets, 0))
        bytesSent &+= UInt64(max(bytes, 0))
        lastSentRTPTimestamp = rtpTimestamp
        lastRTPSendTime = now
        wallClock = (now, ntpNow)
    }

    /// Records an RTP packet from `ssrc` that arrived at `arrival`
    /// (monotonic ns). Returns the sequence verdict, or nil when the packet
    /// was ignored (our own SSRC looped back, or a source that sent BYE).
    @discardableResult
    public mutating func didReceiveRTP(
        ssrc: UInt32, sequence: UInt16, timestamp: UInt32, arrival: Int64, payloadBytes: Int = 0
    ) -> RTPSequenceVerdict? {
        guard ssrc != configuration.ssrc, var source = remotes[ssrc] ?? makeRemote(now: arrival),
            !source.hasLeft
        else { return nil }
        let verdict = source.statistics.record(
            sequence: sequence, timestamp: timestamp, arrivalNanoseconds: UInt64(clamping: arrival))
        switch verdict {
        case .accepted, .resynchronized:
            source.bytesReceived &+= UInt64(max(payloadBytes, 0))
            source.isConfirmed = true
        case .probation, .invalidJump:
            break
        }
        source.lastRTPArrival = arrival
        source.lastActivity = max(source.lastActivity, arrival)
        source.receivedSinceLastReport = true
        remotes[ssrc] = source
        return verdict
    }

    // MARK: - Timer

    /// Runs the transmission timer (§6.3.6): nothing before
    /// `nextReportTime`; then member time-outs, timer reconsideration and,
    /// when due, one compound report. Call again at the new `nextReportTime`.
    public mutating func advance(now: Int64) -> [RTCPOutput] {
        guard !hasLeft, now >= nextReportTime else { return [] }
        var outputs = expireMembers(now: now)
        let due = previousTransmission + drawInterval()
        if due <= now {
            let datagram = makeCompound(now: now, bye: nil)
            outputs.append(.send(datagram))
            updateAverageSize(datagram.count)
            previousTransmission = now
            // §6.3.6 with the A.7 order fixed: the redraw after our first
            // report already uses the full minimum.
            initial = false
            nextReportTime = now + drawInterval()
        } else {
            nextReportTime = due
        }
        previousMembers = members
        return outputs
    }

    /// `advance(now:)` that first refreshes the wall clock used for SR timestamps.
    public mutating func advance(now: Int64, ntpNow: NTPTimestamp) -> [RTCPOutput] {
        wallClock = (now, ntpNow)
        return advance(now: now)
    }

    /// Leaves the session: returns the final compound (SR or RR, SDES, BYE
    /// with `reason` cut to 255 bytes) to send now; `advance` is silent
    /// afterwards. Sent at once, without the §6.3.7 BYE back-off (which only
    /// matters with 50+ members).
    public mutating func bye(reason: String? = nil, now: Int64) -> [UInt8] {
        let trimmed = reason.map { Self.truncatedUTF8($0, maxBytes: 255) }.flatMap { $0.isEmpty ? nil : $0 }
        let datagram = makeCompound(now: now, bye: RTCPBye(sources: [configuration.ssrc], reason: trimmed))
        hasLeft = true
        return datagram
    }

    /// True once `bye` was called.
    public var isClosed: Bool { hasLeft }

    // MARK: - Counting members

    /// Members including ourselves: remote sources heard and not gone.
    public var members: Int { 1 + remotes.values.count { $0.isMember } }

    /// Senders including ourselves: RTP since our second-latest report.
    public var senders: Int {
        (weSent ? 1 : 0) + remotes.values.count { $0.isMember && isRecent($0.lastRTPArrival) }
    }

    /// We sent RTP since our report before the last (§6.4: "during the
    /// interval since issuing the last report or the previous one").
    public var weSent: Bool { isRecent(lastRTPSendTime) }

    private func isRecent(_ time: Int64?) -> Bool {
        guard let time else { return false }
        guard let windowStart = olderReportTime else { return true }
        return time > windowStart
    }

    func intervalParameters(initial: Bool) -> RTCPTransmissionInterval.Parameters {
        RTCPTransmissionInterval.Parameters(
            members: members, senders: senders, rtcpBandwidth: configuration.rtcpBandwidth, weSent: weSent,
            averagePacketSize: averageRTCPSize, initial: initial,
            minimumInterval: configuration.minimumInterval, senderFraction: configuration.senderFraction)
    }

    /// A randomized interval T in nanoseconds.
    private mutating func drawInterval() -> Int64 {
        let factor = Double.random(in: 0.5...1.5, using: &random)
        let seconds = RTCPTransmissionInterval.randomized(intervalParameters(initial: initial), factor: factor)
        return Self.nanoseconds(seconds)
    }

    mutating func updateAverageSize(_ datagramSize: Int) {
        let size = Double(datagramSize + configuration.headerOverhead)
        averageRTCPSize = size / 16 + averageRTCPSize * 15 / 16
    }

    /// A new source record, or nil when `maximumRemoteSources` are tracked.
    func makeRemote(now: Int64) -> RemoteSource? {
        guard remotes.count < configuration.maximumRemoteSources else { return nil }
        var receive = configuration.receiveStatistics
        receive.clockRate = configuration.clockRate
        return RemoteSource(statistics: RTPReceiveStatistics(configuration: receive), lastActivity: now)
    }

    // MARK: - Time-outs and reverse reconsideration

    /// §6.3.5: drops members silent for `timeoutIntervals` × Td.
    private mutating func expireMembers(now: Int64) -> [RTCPOutput] {
        let limit = Self.nanoseconds(
            Double(configuration.timeoutIntervals) * RTCPTransmissionInterval.deterministic(intervalParameters(initial: false)))
        var outputs: [RTCPOutput] = []
        for (ssrc, source) in remotes.sorted(by: { $0.key < $1.key }) where now - source.lastActivity > limit {
            // Departed and never-validated sources are forgotten silently.
            remotes[ssrc] = nil
            if source.isMember { outputs.append(.sourceTimedOut(ssrc: ssrc)) }
        }
        if !outputs.isEmpty { reverseReconsider(now: now) }
        return outputs
    }

    /// §6.3.4: when members leave, pull the next report and tp in
    /// proportionally so a shrinking session does not fall silent.
    mutating func reverseReconsider(now: Int64) {
        let current = members
        guard current < previousMembers, previousMembers > 0 else { return }
        let ratio = Double(current) / Double(previousMembers)
        if nextReportTime > now {
            nextReportTime = now + Int64((Double(nextReportTime - now) * ratio).rounded())
        }
        previousTransmission = now - Int64((Double(max(now - previousTransmission, 0)) * ratio).rounded())
        previousMembers = current
    }

    // MARK: - Helpers

    static func nanoseconds(_ seconds: Double) -> Int64 {
        guard seconds.isFinite else { return Int64.max / 4 }
        return Int64((min(max(seconds, 0), 1e9) * 1e9).rounded())
    }

    static func truncatedUTF8(_ text: String, maxBytes: Int) -> String {
        guard text.utf8.count > maxBytes else { return text }
        var result = ""
        var used = 0
        for character in text {
            let size = character.utf8.count
            guard used + size <= maxBytes else { break }
            result.append(character)
            used += size
        }
        return result
    }
}
