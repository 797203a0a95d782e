import SIPCore

/// Dialog states of RFC 3261 §12: a dialog created by a provisional response is
/// early, a 2xx makes it confirmed, and BYE (or a fatal response) terminates it.
///
/// ```
///   1xx+tag           2xx
///  ─────────► early ───────► confirmed
///               │                │  BYE / 481 / 408 / 2xx to BYE
///   3xx-6xx     ▼                ▼
///  ─────────► terminated ◄───────┘
/// ```
/// The set is closed by the RFC, so a plain enum is safe to switch over.
public enum SIPDialogState: Sendable, Hashable {
    case early
    case confirmed
    case terminated
}

/// Which side of the dialog-creating request we were on.
public enum SIPDialogRole: Sendable, Hashable {
    /// We sent the request (caller for INVITE).
    case uac
    /// We received it (callee).
    case uas
}

/// The state of one dialog (RFC 3261 §12.1) as a plain value: no I/O, no clock.
///
/// Create one with `uac(request:response:)` or `uas(request:localTag:localContact:)`,
/// feed it what arrives (`receiveRequest`, `receiveResponse`) and what we answer
/// (`didSendResponse`), and build in-dialog requests with `makeRequest`/`makeAck`.
/// Each of those returns what the runtime must do or know; nothing here sends.
///
/// Why most properties are read-only: the RFC fixes who may change them (target
/// refresh, route set only from the dialog-creating exchange), and the mutating
/// functions are the only places that apply those rules.
public struct SIPDialog: Sendable, Hashable {
    public internal(set) var id: SIPDialogID
    public internal(set) var role: SIPDialogRole
    public internal(set) var state: SIPDialogState
    /// Our address with our tag: From of the requests we send (§12.2.1.1).
    public internal(set) var localAddress: SIPAddress
    /// The peer's address with its tag: To of the requests we send.
    public internal(set) var remoteAddress: SIPAddress
    /// Last CSeq number we used; nil for a UAS that has not sent a request yet (§12.1.1).
    public internal(set) var localCSeq: UInt32?
    /// Last CSeq number the peer used; nil until it sends a request in the dialog (§12.1.2).
    public internal(set) var remoteCSeq: UInt32?
    /// Where in-dialog requests go: the Contact of the peer, refreshed by target refresh requests.
    public internal(set) var remoteTarget: SIPURI
    /// Proxies on the path, in the order requests must visit them (first = next hop).
    public internal(set) var routeSet: [SIPURI]
    /// The dialog was set up over TLS with a SIPS Request-URI (§12.1.1, §12.1.2).
    public internal(set) var isSecure: Bool
    /// Our Contact, sent in target refresh requests (INVITE, UPDATE) so the peer can reach us.
    public var localContact: SIPURI
    /// CSeq number of the request that created the dialog; responses to it drive
    /// early → confirmed (§13.2.2.4) and ACKs reuse it.
    public internal(set) var creatingCSeq: UInt32
    /// Method of the request that created the dialog (normally INVITE).
    public internal(set) var creatingMethod: SIPMethod
    /// First local CSeq a UAS uses once it sends a request (§12.2.1.1 says to pick
    /// one as in §8.1.1.5; kept as input so tests and the runtime stay deterministic).
    public internal(set) var initialLocalCSeq: UInt32
    /// Bounds applied when the route set or target is (re)computed.
    public var limits: SIPDialogLimits

    /// Our URI (From of our requests).
    public var localURI: SIPURI { localAddress.uri }
    /// The peer's URI (To of our requests).
    public var remoteURI: SIPURI { remoteAddress.uri }

    /// True when the first route is a strict router (no `lr`, RFC 2543 style).
    public var usesStrictRouting: Bool {
        guard let first = routeSet.first else { return false }
        return !first.isLooseRouter
    }

    /// Where requests built by this dialog must be sent, per RFC 3261 §8.1.2: the
    /// Request-URI when the first route is a strict router, else the first route, else
    /// the remote target. The runtime resolves it (RFC 3263) and sends there.
    public var nextHop: SIPURI {
        guard let first = routeSet.first else { return SIPDialog.requestURIForm(remoteTarget) }
        return first.isLooseRouter ? first : SIPDialog.requestURIForm(first)
    }

    /// True for requests that may change the remote target (RFC 3261 §12.2, RFC 3311).
    public static func isTargetRefresh(_ method: SIPMethod) -> Bool {
        method == .invite || method == .update
    }

    /// A URI as it may appear in a Request-URI: URI headers and the `method` parameter
    /// are not allowed there (RFC 3261 §19.1.1 table), everything else is kept.
    static func requestURIForm(_ uri: SIPURI) -> SIPURI {
        var u = uri
        u.headers = []
        u.parameters.remove("method")
        return u
    }
}
