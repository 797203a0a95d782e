import SDP
import SIPCore
import SIPDialog
import SIPDigest
import SIPTransaction
import Timebase
import Wire

/// sip-sig's state for one call (one INVITE session, RFC 3261 §13), in either direction.
struct CallSession: Sendable {
    typealias Direction = CallDirection

    /// Bus-visible states (docs/PROTOCOL.md §5).
    /// `held`: we put the call on hold (our re-INVITE, sendonly or inactive); `remote-held`: the peer did (its offer
    /// was sendonly or inactive). Both at once shows `held`.
    enum State: String, Sendable { case dialing, ringing, early, incoming, connected, held, remoteHeld = "remote-held", terminated }

    let id: String
    let direction: Direction
    var state: State
    let sipCallID: String
    let localTag: String
    var remote: String
    var local: String

    /// Our media address and port (from orch's allocation), and the SDP we last sent.
    var media: (address: String, port: UInt16)?
    var remoteMedia: RemoteMedia?
    /// The client's codec order and extra SDP attributes for this call, if it gave any.
    var preferences: MediaPreferences?
    var codec: CodecName?
    var dialog: SIPDialog?

    // Outgoing.
    var invite: SIPMessage?
    var inviteTransaction: SIPClientTransactionID?
    var inviteDestination: SIPTransportAddress?
    var authAttempts = 0
    var redirects = 0
    var cancelRequested = false
    var cancelSent = false
    /// §9.1: when a CANCEL went out and the INVITE still has no final response by then (64*T1), the INVITE is
    /// considered cancelled and the call ends (a peer that answered 180 and vanished must not ring forever).
    var cancelDeadline: MonotonicTime?
    var lastAck: (remoteTag: String, message: SIPMessage, to: SIPTransportAddress)?
    var authenticator: SIPAuthenticator?
    var routes: [SIPURI] = []
    var localAddress: SIPTransportAddress?

    // Incoming.
    var request: SIPMessage?
    var serverTransaction: SIPServerTransactionID?
    var responseDestination: SIPTransportAddress?
    var twoXX: SIPTwoXXRetransmitter?
    /// Our 2xx to the INVITE, for a retransmitted INVITE that arrives after the INVITE server transaction
    /// ended with it (RFC 3261 §17.2.1; RFC 6026 fixes this with an Accepted state we do not model).
    var finalResponse: SIPMessage?
    var twoXXDestination: SIPTransportAddress?
    var offerInAck = false
    var transport: SIPTransportKind = .udp

    // Mid-call (RFC 3264 §8.4 hold, RFC 3261 §14 re-INVITE).
    /// We hold the call; `holdDirection` is what we offer while holding (sendonly, or inactive).
    var localHold = false
    var holdDirection: MediaDirection = .sendonly
    /// The peer holds the call (its last offer or answer did not send to us).
    var remoteHold = false
    /// Our re-INVITE in flight (at most one, §14.1).
    var reinvite: PendingReinvite?
    /// Our REFER (we transfer the peer) and the peer's REFER (it transfers us), RFC 3515.
    var referOut: PendingRefer?
    var referIn: ReferIn?
    /// RFC 4028 session timer, RFC 3262 state (the last RSeq we PRACKed; our reliable 180 awaiting its PRACK).
    var sessionTimer: SessionTimer?
    var lastRSeq: UInt32?
    var reliableProvisional: ReliableProvisional?

    init(id: String, direction: Direction, state: State, sipCallID: String, localTag: String, remote: String, local: String) {
        self.id = id
        self.direction = direction
        self.state = state
        self.sipCallID = sipCallID
        self.localTag = localTag
        self.remote = remote
        self.local = local
    }

    /// The key incoming in-dialog requests are found by: Call-ID and our tag.
    var dialogKey: String { Self.dialogKey(callID: sipCallID, localTag: localTag) }
    static func dialogKey(callID: String, localTag: String) -> String { callID + "\u{1}" + localTag }

    var isAnswered: Bool { state == .connected || state == .held || state == .remoteHeld }

    /// The state as the bus names it.
    var wireState: CallState { CallState(rawValue: state.rawValue) }

    /// The direction we offer and answer with: sendrecv, or the hold direction while we hold.
    var localDirection: MediaDirection { localHold ? holdDirection : .sendrecv }

    /// The state an answered call shows for its hold flags.
    mutating func refreshHoldState() {
        guard isAnswered else { return }
        state = localHold ? .held : remoteHold ? .remoteHeld : .connected
    }
}

/// A re-INVITE we sent and what it is for.
struct PendingReinvite: Sendable {
    var transaction: SIPClientTransactionID
    var request: SIPMessage
    var destination: SIPTransportAddress
    /// The hold flag the call has once the peer accepts.
    var hold: Bool
    var authAttempts = 0
    var glareRetries = 0
}
