import Wire

/// Where an account's registration stands.
public enum RegistrationState: Sendable, Hashable, CustomStringConvertible {
    /// A REGISTER is on its way (first one, refresh, or retry).
    case registering
    /// The registrar accepted the account; refreshes follow by themselves.
    case registered
    /// The registrar refused or did not answer; a retry is scheduled (`retryIn`).
    case failed
    /// The account is being removed (REGISTER with Expires: 0).
    case unregistering
    /// The account is removed.
    case unregistered
    /// A state a later protocol version adds.
    case other(String)

    init(wire: String) {
        switch wire {
        case "registering": self = .registering
        case "registered": self = .registered
        case "failed": self = .failed
        case "unregistering": self = .unregistering
        case "unregistered": self = .unregistered
        default: self = .other(wire)
        }
    }

    /// The wire name, e.g. `registered`.
    public var description: String {
        switch self {
        case .registering: "registering"
        case .registered: "registered"
        case .failed: "failed"
        case .unregistering: "unregistering"
        case .unregistered: "unregistered"
        case .other(let s): s
        }
    }
}

/// An account's registration changed (`registration.state`): refreshes, failures with the registrar's status,
/// and the retry schedule after a failure.
public struct RegistrationStateEvent: Sendable, Equatable {
    /// The account's address of record.
    public var aor: String
    /// Where the registration stands now.
    public var state: RegistrationState
    /// The registrar's status (200, 401, 403, ...), when there was one.
    public var sipStatus: Int?
    /// Why it failed or changed, in sip-sig's words.
    public var reason: String?
    /// Seconds the registration lasts (registered only).
    public var expires: Int?
    /// Seconds until the next attempt (failed only).
    public var retryIn: Double?

    init(_ event: Wire.RegistrationStateEvent) {
        aor = event.aor
        state = RegistrationState(wire: event.state.rawValue)
        sipStatus = event.code
        reason = event.reason
        expires = event.expires
        retryIn = event.retryInS.map(Double.init)
    }
}
