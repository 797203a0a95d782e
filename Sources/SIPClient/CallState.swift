import Wire

/// Where a call is in its life, as sip-sig reports it in `call.state` events.
///
///     outgoing: idle -> dialing -> ringing / early -> connected <-> held / remoteHeld -> terminated
///     incoming: idle -> incoming -> connected <-> held / remoteHeld -> terminated
///
/// Any state can go to `terminated`; `early` means the peer already sends audio (a ring-back tone or an
/// announcement) before answering.
public enum CallState: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Not yet placed: the request to dial has not been sent.
    case idle
    /// Our INVITE is out and nothing but `100 Trying` came back.
    case dialing
    /// The peer rings (180 without audio).
    case ringing
    /// An incoming call waits to be answered or rejected.
    case incoming
    /// The peer sends early media (183 with SDP) before answering.
    case early
    /// Answered; audio flows both ways.
    case connected
    /// We put the call on hold (`hold()`: our re-INVITE offered sendonly or inactive). Also shown when both sides hold.
    case held
    /// The peer put the call on hold (its re-INVITE offered sendonly or inactive); wire name `remote-held`.
    case remoteHeld = "remote-held"
    /// Over: hung up, rejected, cancelled or failed. Final.
    case terminated

    /// Reads the wire name; states a later protocol version adds map to nil and are ignored.
    init?(wire: String) { self.init(rawValue: wire) }

    /// Answered at some point (audio was or is set up).
    public var isAnswered: Bool { self == .connected || self == .held || self == .remoteHeld }

    /// The wire name, e.g. `connected`.
    public var description: String { rawValue }
}

/// Which side placed the call.
public enum CallDirection: String, Sendable, Hashable, CustomStringConvertible {
    /// We called the peer.
    case outgoing
    /// The peer called us.
    case incoming

    /// The wire name, e.g. `connected`.
    public var description: String { rawValue }

    /// The bus's direction of a call.
    init(_ wire: Wire.CallDirection) {
        switch wire {
        case .outgoing: self = .outgoing
        case .incoming: self = .incoming
        }
    }
}
