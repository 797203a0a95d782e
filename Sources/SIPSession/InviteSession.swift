import SDP
import SIPCore
import SIPDialog
import SIPDigest
import SIPTransaction
import Timebase
import Wire

/// One call: an INVITE session (RFC 3261 §13) in either direction, with its mid-call exchanges, as a plain value.
///
/// It takes what the adapter matched to it (requests and responses of its dialog, orch's commands, its timers, the
/// failures of its transactions) together with the time, and returns `SessionAction`s; it never sends, waits or reads
/// a clock. The verbs live in one file each, in the spirit of baresip's `sipsess`:
/// ```
/// InviteSession+Outgoing     UAC: dial, provisional and final answers, forks, 401/407, 3xx, CANCEL, ACK
/// InviteSession+Incoming     UAS: screening, ringing, answer, reject, CANCEL, ACK, 2xx retransmission
/// InviteSession+Modify       re-INVITE and UPDATE both ways: hold, resume, new offers, glare (491)
/// InviteSession+Prack        100rel both ways (RFC 3262)
/// InviteSession+SessionTimer RFC 4028
/// InviteSession+Refer        REFER and NOTIFY both ways (RFC 3515, 5589, 3891)
/// InviteSession+Info         DTMF by INFO
/// InviteSession+Bye          hangup, BYE, the end of the session
/// InviteSession+Snapshot     what orch keeps of a call, and a restarted sig's restore
/// ```
///
/// Bus-visible states (docs/PROTOCOL.md §5): `held` is our hold (our re-INVITE was sendonly or inactive),
/// `remote-held` the peer's (its offer was sendonly or inactive); both at once shows `held`.
/// ```
/// outgoing: dialing ──1xx──► ringing/early ──2xx──► connected ⇄ held / remote-held ──BYE──► terminated
/// incoming: incoming ──answer (200)──► connected ...                       (reject, CANCEL) ──► terminated
/// ```
public struct InviteSession: Sendable {
    enum State: String, Sendable { case dialing, ringing, early, incoming, connected, held, remoteHeld = "remote-held", terminated }

    public let id: String
    public let direction: CallDirection
    var state: State
    public let sipCallID: String
    public let localTag: String
    var remote: String
    var local: String

    /// Our media address and port (from orch's allocation), what the peer's SDP said, the client's codec order and
    /// extra SDP attributes for this call (if it gave any), and the codec in use.
    var media: (address: String, port: UInt16)?
    var remoteMedia: RemoteMedia?
    var preferences: MediaPreferences?
    var codec: CodecName?
    var dialog: SIPDialog?
    var transport: SIPTransportKind = .udp

    // Outgoing (InviteSession+Outgoing).
    var invite: SIPMessage?
    var inviteDestination: SIPTransportAddress?
    /// Our INVITE's client transaction is live (no final response, timeout or transport error yet), and has had a
    /// provisional response: a CANCEL may go out (§9.1).
    var inviteInFlight = false
    var inviteProvisional = false
    var redirects = 0
    var cancelRequested = false
    var cancelSent = false
    var lastAck: (remoteTag: String, message: SIPMessage, to: SIPTransportAddress)?
    var authenticator: SIPAuthenticator?
    var routes: [SIPURI] = []
    var localAddress: SIPTransportAddress?

    // Incoming (InviteSession+Incoming).
    var request: SIPMessage?
    var serverTransaction: SIPServerTransactionID?
    /// The INVITE server transaction still exists (until a transport failure or the end after our final response).
    var serverTransactionLive = false
    var finalResponseSent = false
    /// What the screening found, until `alert`.
    var incoming: IncomingDetails?
    var responseDestination: SIPTransportAddress?
    var twoXX: SIPTwoXXRetransmitter?
    var twoXXDestination: SIPTransportAddress?
    /// Our 2xx to the INVITE, for a retransmitted INVITE that arrives after the INVITE server transaction ended with
    /// it (RFC 3261 §17.2.1; RFC 6026 fixes this with an Accepted state we do not model).
    var finalResponse: SIPMessage?
    var offerInAck = false

    // Mid-call (InviteSession+Modify, RFC 3264 §8.4 hold, RFC 3261 §14 re-INVITE).
    /// We hold the call; `holdDirection` is what we offer while holding (sendonly, or inactive).
    var localHold = false
    var holdDirection: MediaDirection = .sendonly
    /// The peer holds the call (its last offer or answer did not send to us).
    var remoteHold = false
    /// Our re-INVITE in flight (at most one, §14.1), the one waiting out a 491, and the command waiting for them.
    var reinvite: PendingReinvite?
    var glareRetry: PendingReinvite?
    var offerReply: PendingOfferReply?
    /// Our REFER (we transfer the peer) and the peer's REFER (it transfers us), RFC 3515.
    var referOut: PendingRefer?
    var referIn = false
    var transferReply: ReplyToken?
    /// RFC 4028 session timer; RFC 3262 state (the last RSeq we PRACKed; our reliable 180 awaiting its PRACK).
    var sessionTimer: SessionExpiry?
    var lastRSeq: UInt32?
    var reliableProvisional: ReliableProvisional?
    /// DTMF digits going out as INFO.
    var infoQueue: InfoDTMFQueue?

    init(id: String, direction: CallDirection, state: State, sipCallID: String, localTag: String, remote: String, local: String) {
        self.id = id
        self.direction = direction
        self.state = state
        self.sipCallID = sipCallID
        self.localTag = localTag
        self.remote = remote
        self.local = local
    }

    /// The key incoming in-dialog requests (and stray 2xx to our INVITE) are found by: Call-ID and our tag.
    public var dialogKey: String { Self.dialogKey(callID: sipCallID, localTag: localTag) }
    public static func dialogKey(callID: String, localTag: String) -> String { callID + "\u{1}" + localTag }

    public var isAnswered: Bool { state == .connected || state == .held || state == .remoteHeld }

    /// The state as the bus names it.
    public var wireState: CallState { CallState(rawValue: state.rawValue) }

    /// The INVITE server transaction of an incoming call (CANCELs for it find the call through it).
    public var inviteServerTransaction: SIPServerTransactionID? { serverTransaction }

    /// Call-ID, From tag and CSeq of an incoming call's INVITE: what a retransmission of it repeats.
    public var inviteKey: String? { direction == .incoming ? request.flatMap(Self.inviteKey) : nil }

    /// True when this call is the dialog a Replaces header names by its peer's tag (RFC 3891 §3): answered, and
    /// `fromTag` is the peer's tag.
    public func isReplaceable(fromTag: String) -> Bool { isAnswered && dialog?.id.remoteTag == fromTag }

    /// The direction we offer and answer with: sendrecv, or the hold direction while we hold.
    var localDirection: MediaDirection { localHold ? holdDirection : .sendrecv }

    /// The state an answered call shows for its hold flags.
    mutating func refreshHoldState() {
        guard isAnswered else { return }
        state = localHold ? .held : remoteHold ? .remoteHeld : .connected
    }

    /// Call-ID, From tag and CSeq: what makes an INVITE the same INVITE again (§17.2.3, with a To tag absent).
    public static func inviteKey(_ request: SIPMessage) -> String? {
        guard let callID = try? request.callID(), let fromTag = (try? request.from()?.tag).flatMap({ $0 }),
              let cseq = try? request.cseq() else { return nil }
        return "\(callID)\u{1}\(fromTag)\u{1}\(cseq.sequence)"
    }

    static func isWildcard(_ host: String) -> Bool { host == "0.0.0.0" || host == "::" || host.isEmpty }

    // MARK: what orch sees

    /// What `call.state` says of the call (also what `call.describe` answers, so orch can catch up on a lost event).
    public func stateEvent(code: Int? = nil, reason: String? = nil, normal: Bool? = nil) -> CallStateEvent {
        CallStateEvent(call: CallID(id), state: wireState, direction: direction, remote: remote, local: local, sipCallID: sipCallID,
                       code: code, reason: reason, normal: normal, codec: codec, remoteMedia: remoteMedia,
                       signaling: state == .terminated ? nil : snapshot)
    }

    /// The call's line in `calls` (short: a listing of hundreds of calls stays far below the bus message limit).
    public var listEntry: SigAPI.Calls.Entry {
        SigAPI.Calls.Entry(call: CallID(id), state: wireState, direction: direction, remote: remote, sipCallID: sipCallID,
                           codec: codec, remotePort: remoteMedia?.port, mediaDirection: remoteMedia?.direction)
    }

    func publishState(_ step: inout SessionStep, code: Int? = nil, reason: String? = nil, normal: Bool? = nil) {
        step.emit(.state(stateEvent(code: code, reason: reason, normal: normal)))
    }
}

/// A re-INVITE we sent (or are about to send again after a 491) and what it is for.
struct PendingReinvite: Sendable {
    var request: SIPMessage
    var destination: SIPTransportAddress
    /// The hold flag and direction the call has once the peer accepts.
    var hold: Bool
    var direction: MediaDirection
    var authAttempts = 0
    var glareRetries = 0
}

/// The command waiting for the outcome of our offer (hold, resume, reoffer), and what a refused reoffer puts back.
struct PendingOfferReply: Sendable {
    var token: ReplyToken?
    /// For a reoffer: the codec preferences before it (restored when the peer refuses).
    var restore: MediaPreferences??
}
