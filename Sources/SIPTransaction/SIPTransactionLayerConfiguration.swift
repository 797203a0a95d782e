import SIPCore

/// Settings of a `SIPTransactionLayer`.
public struct SIPTransactionLayerConfiguration: Sendable {
    public var timers: SIPTimerSettings
    /// Incoming requests that would push the live transaction count (client + server) to more
    /// than this are answered 503 by the layer itself.
    public var maxTransactions: Int
    /// The Retry-After (seconds) of those 503 responses.
    public var retryAfterSeconds: UInt32
    /// Our own Via sent-by values; responses whose top Via names another are discarded
    /// (§18.1.2). Empty accepts every response.
    public var localSentBy: Set<SIPSentBy>

    public init(timers: SIPTimerSettings = .default, maxTransactions: Int = 1000,
                retryAfterSeconds: UInt32 = 5, localSentBy: Set<SIPSentBy> = []) {
        self.timers = timers
        self.maxTransactions = max(maxTransactions, 0)
        self.retryAfterSeconds = retryAfterSeconds
        self.localSentBy = localSentBy
    }
}
