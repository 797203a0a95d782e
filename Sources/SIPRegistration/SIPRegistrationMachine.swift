import SIPCore
import SIPDigest
import Timebase

/// Client registration for one account (RFC 3261 §10.2), as a value that returns actions.
///
/// ```
///              start                 2xx                       refresh timer
///  unregistered ───▶ registering ──────────▶ registered ──────────────▶ (registered, REGISTER in flight)
///       ▲               │  ▲ 401/407, 423:                 │     ▲ 2xx: new expiresAt
///       │               │  │ resend, new CSeq              │     │
///       │  failure/408  ▼  │ retry timer                   ▼ failure
///       │             failed(reason, retryAt) ◀────────────┘
///       │ 2xx/any final/timeout            stop (binding may exist)
///       └──────────────── unregistering ◀──────────────── any state
/// ```
/// The runtime feeds responses, transaction timeouts (as `handleTimeout`) and the clock
/// (`advance(to:)` at `nextDeadline`), and performs the returned actions. Every REGISTER of the
/// machine's life shares one Call-ID and From tag, and CSeq grows by one per request
/// (§10.2.4); a response whose CSeq or Call-ID is not the one in flight is ignored, so late
/// answers to superseded requests cannot move the state.
///
/// Via: requests are returned without one. The runtime (transaction layer) prepends Via with a
/// fresh branch for every `.send`, since each REGISTER, including an authenticated resend, is a
/// new transaction (§8.1.1.7).
public struct SIPRegistrationMachine: Sendable {
    struct Pending: Sendable {
        var cseq: UInt32
        var request: SIPMessage
        var isUnregister: Bool
    }

    public let config: SIPRegistrationConfig
    /// Shared by every REGISTER of this binding (RFC 3261 §10.2.4).
    public let callID: String
    public let fromTag: String
    public private(set) var state: SIPRegistrationState = .unregistered
    /// CSeq of the last REGISTER built.
    public private(set) var cseq: UInt32
    /// Expiry we ask for; raised by a 423's Min-Expires and kept for later refreshes.
    public internal(set) var requestedExpires: UInt32

    var authenticator: SIPAuthenticator
    var random: SIPRandomSource
    var pending: Pending?
    /// When the refresh REGISTER is due (registered, nothing in flight).
    var refreshAt: MonotonicTime?
    /// Until when the registrar may hold a binding of ours; decides whether `stop` must
    /// unregister.
    var bindingExpiresAt: MonotonicTime?
    /// Consecutive failed attempts, for the backoff.
    var failures = 0
    /// 401/407 followed within the current attempt.
    var authAttempts = 0
    /// 423 followed within the current attempt.
    var intervalRetries = 0

    /// - Parameters:
    ///   - random: cnonces, the Call-ID, the tag and retry jitter. `.system` in production.
    ///   - callID: to keep the Call-ID across process restarts; random by default.
    ///   - initialCSeq: the CSeq before the first REGISTER (the first one sent is this + 1).
    public init(config: SIPRegistrationConfig, random: SIPRandomSource = .system, callID: String? = nil,
                initialCSeq: UInt32 = 0) {
        var random = random
        self.config = config
        self.callID = callID ?? random.hex(bytes: 16)
        self.fromTag = random.hex(bytes: 8)
        self.cseq = initialCSeq
        self.requestedExpires = config.expires
        let credentials = SIPDigestCredentials(username: config.username, password: config.password, realm: config.realm)
        self.authenticator = SIPAuthenticator(credentials: credentials, random: .seeded(random.next()))
        self.random = random
    }

    /// When `advance(to:)` must next be called: the refresh or the retry. Nil while a request is
    /// in flight (the transaction reports a timeout) or when idle.
    public var nextDeadline: MonotonicTime? {
        guard pending == nil else { return nil }
        switch state {
        case .registered: return refreshAt
        case .failed(_, let retryAt): return retryAt
        default: return nil
        }
    }

    /// Starts registering. No effect while registering or registered; from `failed` it retries now.
    public mutating func start(now: MonotonicTime) -> [SIPRegistrationAction] {
        switch state {
        case .registering, .registered: return []
        case .unregistered, .failed, .unregistering:
            failures = 0
            return beginAttempt(now: now) + transition(to: .registering)
        }
    }

    /// Runs the refresh and retry timers.
    public mutating func advance(to now: MonotonicTime) -> [SIPRegistrationAction] {
        guard pending == nil else { return [] }
        switch state {
        case .registered:
            guard let refreshAt, refreshAt <= now else { return [] }
            self.refreshAt = nil
            return beginAttempt(now: now)
        case .failed(_, let retryAt):
            guard retryAt <= now else { return [] }
            return beginAttempt(now: now) + transition(to: .registering)
        default:
            return []
        }
    }

    /// The transaction of the REGISTER in flight timed out or hit a transport error; handled
    /// like a 408 response.
    public mutating func handleTimeout(now: MonotonicTime) -> [SIPRegistrationAction] {
        guard let p = pending else { return [] }
        pending = nil
        let reason = "408 Request Timeout: no response from registrar"
        if p.isUnregister { return finishUnregister(statusCode: 408, reason: reason) }
        return fail(now: now, statusCode: 408, reason: reason, retryAfter: nil)
    }

    /// Unregisters (REGISTER with Expires: 0) if the registrar may hold our binding, else goes
    /// straight to `unregistered`. Either way no timer remains.
    public mutating func stop(now: MonotonicTime) -> [SIPRegistrationAction] {
        if case .unregistering = state { return [] }
        refreshAt = nil
        let mayHoldBinding = pending != nil || (bindingExpiresAt.map { $0 > now } ?? false)
        guard mayHoldBinding else {
            pending = nil
            return transition(to: .unregistered)
        }
        authAttempts = 0
        intervalRetries = 0
        return [sendRegister(unregister: true)] + transition(to: .unregistering)
    }

    // MARK: - Internals shared with the response handling

    /// A new REGISTER attempt (first, refresh or retry).
    mutating func beginAttempt(now: MonotonicTime) -> [SIPRegistrationAction] {
        authAttempts = 0
        intervalRetries = 0
        refreshAt = nil
        return [sendRegister(unregister: false)]
    }

    /// Builds the next REGISTER, pre-authorized with any remembered challenge, and remembers it
    /// as the one in flight.
    mutating func sendRegister(unregister: Bool) -> SIPRegistrationAction {
        cseq &+= 1
        var request = SIPRegistrationRequest.build(config: config, callID: callID, fromTag: fromTag, cseq: cseq,
                                                   expires: unregister ? 0 : requestedExpires)
        authenticator.authorize(&request)
        pending = Pending(cseq: cseq, request: request, isUnregister: unregister)
        return .send(request)
    }

    /// Records a failure and schedules the retry.
    mutating func fail(now: MonotonicTime, statusCode: Int?, reason: String, retryAfter: Duration?) -> [SIPRegistrationAction] {
        pending = nil
        refreshAt = nil
        failures += 1
        if let b = bindingExpiresAt, b <= now { bindingExpiresAt = nil }
        // Start the next attempt from a clean slate: a fresh challenge, not a rejected nonce.
        authenticator.reset()
        let delay = retryAfter.map { max($0, config.timing.minRetryAfter) }
            ?? config.timing.retryDelay(failures: failures, random: &random)
        return transition(to: .failed(reason: reason, retryAt: now + delay), statusCode: statusCode, reason: reason)
    }

    mutating func finishUnregister(statusCode: Int?, reason: String?) -> [SIPRegistrationAction] {
        pending = nil
        refreshAt = nil
        bindingExpiresAt = nil
        failures = 0
        return transition(to: .unregistered, statusCode: statusCode, reason: reason)
    }

    /// Changes the state; emits an event only when the value changed.
    mutating func transition(to new: SIPRegistrationState, statusCode: Int? = nil,
                             reason: String? = nil) -> [SIPRegistrationAction] {
        guard new != state else { return [] }
        state = new
        return [.stateChanged(SIPRegistrationEvent(aor: config.aor, state: new, statusCode: statusCode, reason: reason))]
    }
}
