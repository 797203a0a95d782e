import SIPCore
import Timebase

/// What the runtime shows for one account (published as bus event `registration.state`).
///
/// While a refresh is in flight the state stays `registered`: the binding is still valid, and
/// flapping to `registering` every hour would be noise. A failed refresh becomes `failed`.
public enum SIPRegistrationState: Sendable, Hashable, CustomStringConvertible {
    /// No binding and nothing scheduled (initial, and after `stop`).
    case unregistered
    /// A REGISTER is in flight and we are not registered.
    case registering
    /// The registrar holds our binding until `expiresAt`.
    case registered(expiresAt: MonotonicTime)
    /// The last attempt failed; another starts at `retryAt`.
    case failed(reason: String, retryAt: MonotonicTime)
    /// An unregister (Expires: 0) is in flight.
    case unregistering

    /// Short name for events and logs: "unregistered", "registering", ...
    public var name: String {
        switch self {
        case .unregistered: return "unregistered"
        case .registering: return "registering"
        case .registered: return "registered"
        case .failed: return "failed"
        case .unregistering: return "unregistering"
        }
    }

    public var description: String {
        switch self {
        case .registered(let t): return "registered(expiresAt: \(t))"
        case .failed(let r, let t): return "failed(\(r), retryAt: \(t))"
        default: return name
        }
    }
}

/// A state change, with what caused it.
public struct SIPRegistrationEvent: Sendable, Hashable {
    /// The account.
    public var aor: SIPURI
    public var state: SIPRegistrationState
    /// Status code of the response that caused the change (408 for a timeout); nil when the
    /// change came from `start`, `stop` or a timer.
    public var statusCode: Int?
    /// Human-readable cause, e.g. "401 after credentials: wrong password?".
    public var reason: String?

    public init(aor: SIPURI, state: SIPRegistrationState, statusCode: Int? = nil, reason: String? = nil) {
        self.aor = aor
        self.state = state
        self.statusCode = statusCode
        self.reason = reason
    }
}

/// What the runtime must do after feeding the state machine an event.
public enum SIPRegistrationAction: Sendable, Hashable {
    /// Send this REGISTER in a new client transaction. It has no Via: the runtime prepends
    /// one with a fresh branch and its sent-by, then sends it to the top Route or the registrar.
    case send(SIPMessage)
    /// Publish the new state.
    case stateChanged(SIPRegistrationEvent)
}
