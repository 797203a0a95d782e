import SIPCore

/// The RFC 3261 timer values (§17, Table 4) a transaction layer runs with.
///
/// Why only T1, T2 and T4 are stored: every other timer is derived from them by the RFC
/// (B, F, H, J = 64*T1; I, K = T4), so one knob changes them consistently. Timer D has no
/// T-value ("at least 32 s") and is stored on its own; the 64*T1 timeouts can be overridden
/// together for deployments that need a shorter give-up. Reliable transports zero D, I, J, K
/// (§17.1.1.2, §17.1.2.2, §17.2.1, §17.2.2).
public struct SIPTimerSettings: Sendable, Hashable {
    /// RTT estimate (default 500 ms). Clamped to at least 1 ms so retransmission loops always advance.
    public let t1: Duration
    /// Maximum retransmit interval for non-INVITE requests and INVITE responses (default 4 s).
    public let t2: Duration
    /// Maximum time a message stays in the network (default 5 s).
    public let t4: Duration
    /// Timer D on unreliable transports (default 32 s, the RFC minimum).
    public let timerDUnreliable: Duration
    /// How long a server INVITE transaction waits for the TU's provisional before sending
    /// 100 Trying itself (§17.2.1: "200 ms").
    public let trying100Delay: Duration
    /// Replaces 64*T1 for timers B, F, H and J when set.
    public let transactionTimeoutOverride: Duration?

    public init(t1: Duration = .milliseconds(500), t2: Duration = .seconds(4), t4: Duration = .seconds(5),
                timerDUnreliable: Duration = .seconds(32), trying100Delay: Duration = .milliseconds(200),
                transactionTimeoutOverride: Duration? = nil) {
        let minimum = Duration.milliseconds(1)
        self.t1 = max(t1, minimum)
        self.t2 = max(t2, self.t1)
        self.t4 = max(t4, .zero)
        self.timerDUnreliable = max(timerDUnreliable, .zero)
        self.trying100Delay = max(trying100Delay, .zero)
        self.transactionTimeoutOverride = transactionTimeoutOverride.map { max($0, minimum) }
    }

    public static let `default` = SIPTimerSettings()

    /// 64*T1: the generic transaction timeout.
    private var sixtyFourT1: Duration { transactionTimeoutOverride ?? t1 * 64 }

    /// INVITE client transaction timeout (Calling state only).
    public var timerB: Duration { sixtyFourT1 }
    /// Non-INVITE client transaction timeout.
    public var timerF: Duration { sixtyFourT1 }
    /// Wait time for an ACK after a non-2xx final response to INVITE.
    public var timerH: Duration { sixtyFourT1 }
    /// Wait time for non-INVITE request retransmissions after the final response (unreliable).
    public func timerJ(reliable: Bool) -> Duration { reliable ? .zero : sixtyFourT1 }
    /// Wait time for response retransmissions after sending the ACK for a non-2xx (client INVITE).
    public func timerD(reliable: Bool) -> Duration { reliable ? .zero : timerDUnreliable }
    /// Wait time for ACK retransmissions in the Confirmed state (server INVITE).
    public func timerI(reliable: Bool) -> Duration { reliable ? .zero : t4 }
    /// Wait time for response retransmissions (client non-INVITE).
    public func timerK(reliable: Bool) -> Duration { reliable ? .zero : t4 }
    /// First interval of timers A (INVITE request), E (non-INVITE request) and G (INVITE response).
    public var initialRetransmitInterval: Duration { t1 }
}
