/// How a call ended: returned by `Call.waitForEnd()` once the call is over and its final media figures are in.
public struct CallEnd: Sendable, Equatable {
    /// Why it ended, in sip-sig's words: `remote hangup`, `local hangup`, `486 Busy Here`, `cancelled`, ...
    public var reason: String
    /// The final SIP status when one decided the end (486, 487, 603, ...); nil for a BYE.
    public var sipStatus: Int?
    /// False when the call failed (an error status, a timeout, lost dialog); true for hang-ups, cancels and
    /// deliberate rejections.
    public var isNormal: Bool
    /// Whether the call was ever answered.
    public var wasAnswered: Bool
    /// Time from answer to end; nil for unanswered calls.
    public var duration: Duration?
    /// The media worker's final figures (`media.stopped`), nil when the call never had media.
    public var statistics: CallStatistics?

    /// An end, for tests and for applications that record calls of their own.
    public init(reason: String, sipStatus: Int?, isNormal: Bool, wasAnswered: Bool, duration: Duration?,
                statistics: CallStatistics?) {
        self.reason = reason
        self.sipStatus = sipStatus
        self.isNormal = isNormal
        self.wasAnswered = wasAnswered
        self.duration = duration
        self.statistics = statistics
    }

    /// The quality report of the call, when it had media.
    public var qualityReport: CallQualityReport? { statistics.map(CallQualityReport.init) }
}
