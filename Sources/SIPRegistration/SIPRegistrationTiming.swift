import SIPDigest
import Timebase

/// When to refresh a binding and how long to wait after a failure.
///
/// Refresh: at `max(granted / 2, granted − refreshMargin)` after the 200 OK. With the default
/// 30 s margin that is 3570 s for 3600, 30 s for 60 and 5 s for 10: long grants refresh shortly
/// before expiry like PJSIP (which uses `expires − 5 s`), short grants at half-life like
/// baresip, so a refresh always has time for retransmissions before the binding lapses.
///
/// Retry: exponential backoff with "equal jitter": for the n-th consecutive failure,
/// `d = min(retryCap, retryBase · 2^(n−1))` and the wait is uniform in `[d/2, d]`.
/// Never zero (full jitter can retry at once, which turns a registrar outage into a storm),
/// yet thousands of phones restarted together spread out. Defaults: 30 s base, 30 min cap,
/// so failures wait 15–30 s, 30–60 s, 60–120 s, ... up to 15–30 min.
public struct SIPRegistrationTiming: Sendable, Hashable {
    public var refreshMargin: Duration
    public var retryBase: Duration
    public var retryCap: Duration
    /// 423 Interval Too Brief answers followed in a row before giving up.
    public var maxIntervalRetries: Int
    /// 401/407 answers followed for one registration attempt (stale loops end here).
    public var maxAuthAttempts: Int
    /// Shortest wait a `Retry-After` can impose, so `Retry-After: 0` cannot cause a tight loop.
    public var minRetryAfter: Duration

    public init(refreshMargin: Duration = .seconds(30), retryBase: Duration = .seconds(30),
                retryCap: Duration = .seconds(1800), maxIntervalRetries: Int = 2, maxAuthAttempts: Int = 4,
                minRetryAfter: Duration = .seconds(1)) {
        self.refreshMargin = refreshMargin
        self.retryBase = retryBase
        self.retryCap = retryCap
        self.maxIntervalRetries = maxIntervalRetries
        self.maxAuthAttempts = maxAuthAttempts
        self.minRetryAfter = minRetryAfter
    }

    /// Delay from a 200 OK granting `granted` seconds to the refresh REGISTER.
    public func refreshDelay(granted: UInt32) -> Duration {
        let g = Duration.seconds(Int64(granted))
        let half = g / 2
        let early = g - refreshMargin
        return max(half, early)
    }

    /// The longest wait after `failures` consecutive failures (1 for the first), before jitter.
    public func retryCeiling(failures: Int) -> Duration {
        let base = retryBase.wholeNanoseconds
        let cap = retryCap.wholeNanoseconds
        guard base > 0, cap > 0 else { return .zero }
        var d = base
        var n = 1
        while n < failures, d < cap {
            d = d > cap / 2 ? cap : d * 2
            n += 1
        }
        return .nanoseconds(min(d, cap))
    }

    /// The wait after `failures` consecutive failures: uniform in `[ceiling/2, ceiling]`.
    public func retryDelay(failures: Int, random: inout SIPRandomSource) -> Duration {
        let d = retryCeiling(failures: max(1, failures)).wholeNanoseconds
        let half = d / 2
        let jitter = Int64((Double(d - half) * random.fraction()).rounded(.down))
        return .nanoseconds(half + min(jitter, d - half))
    }
}
