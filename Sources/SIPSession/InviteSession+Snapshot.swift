import SDP
import SIPCore
import SIPDialog
import SIPTransaction
import Timebase
import Wire

/// An answered call as sip-sig hands it to orch (`signaling` in `call.state`), and as a restarted sip-sig takes it
/// back (`call.restore`): the dialog (RFC 3261 §12) plus what the session needs to go on (media, codec, transport).
/// Transactions in flight are not carried: a restart loses them, the dialog survives. An outgoing call still being
/// set up carries its INVITE instead.
extension InviteSession {
    var snapshot: SignalingSnapshot? {
        if direction == .outgoing, !isAnswered, state != .terminated, let invite, let destination = inviteDestination {
            return pendingSnapshot(invite: invite, destination: destination)
        }
        guard isAnswered, let dialog, dialog.state == .confirmed else { return nil }
        let d = dialog.snapshot
        let dialogState = SignalingSnapshot.Dialog(
            callID: d.callID, localTag: d.localTag, remoteTag: d.remoteTag, role: SignalingSnapshot.Role(rawValue: d.role) ?? .uac,
            local: d.localAddress, remote: d.remoteAddress, remoteTarget: d.remoteTarget, routeSet: d.routeSet, secure: d.secure,
            localContact: d.localContact, creatingCSeq: d.creatingCSeq, localCSeq: d.localCSeq, remoteCSeq: d.remoteCSeq)
        return SignalingSnapshot(
            direction: direction, state: wireState, remote: remote, local: local, transport: Self.wireTransport(transport),
            media: mediaEndpoint, remoteMedia: remoteMedia, codec: codec, codecs: preferences?.wireCodecs,
            sdpAttributes: preferences?.wireAttributes, localHold: localHold ? RTPDirection(holdDirection) : nil, remoteHold: remoteHold,
            sessionTimer: sessionTimer.map { SignalingSnapshot.SessionTimer(interval: $0.interval, weRefresh: $0.weRefresh) },
            dialog: dialogState)
    }

    /// An outgoing call still being set up: the INVITE as sent (same branch), so a restarted sig can retransmit it
    /// as the same transaction and the peer's answer still finds it.
    private func pendingSnapshot(invite: SIPMessage, destination: SIPTransportAddress) -> SignalingSnapshot {
        SignalingSnapshot(
            direction: .outgoing, state: wireState, remote: remote, local: local, transport: Self.wireTransport(transport),
            media: mediaEndpoint, codecs: preferences?.wireCodecs,
            pendingInvite: String(decoding: invite.serialized(), as: UTF8.self),
            destination: SignalingSnapshot.Destination(transport: Self.wireTransport(destination.transport), host: destination.host,
                                                       port: destination.port))
    }

    var mediaEndpoint: MediaEndpoint? { media.map { MediaEndpoint(address: $0.address, port: $0.port) } }

    static func wireTransport(_ kind: SIPTransportKind) -> SignalingSnapshot.Transport {
        SignalingSnapshot.Transport(rawValue: kind.rawValue)
    }

    static func transport(_ name: SignalingSnapshot.Transport) -> SIPTransportKind {
        SIPTransportKind(token: name.rawValue) ?? .udp
    }

    // MARK: restore

    /// `call.restore`: takes back a call a previous sip-sig had, so in-dialog requests from the peer match it again
    /// and a hangup sends a proper BYE. A call being set up sends its INVITE again as the same transaction (at once
    /// only when no provisional answer had come: otherwise the peer has it and is answering).
    public static func restore(id: String, snapshot: SignalingSnapshot, reply: ReplyToken?, now: MonotonicTime,
                               context: inout SessionContext) -> (session: InviteSession?, actions: [SessionAction]) {
        var session: InviteSession?
        let actions = SessionStep.run(now: now, context: &context) { step in
            let result = snapshot.pendingInvite != nil ? restorePending(id: id, snapshot: snapshot, &step)
                                                       : restoreAnswered(id: id, snapshot: snapshot, &step)
            switch result {
            case .failure(let error):
                if let reply { step.add(.reply(reply, .failure(error))) }
            case .success(let call):
                session = call
                if let reply { step.add(.reply(reply, .success(.restored(.init(call: CallID(id), restored: true))))) }
            }
        }
        return (session, actions)
    }

    private static func bad(_ why: String) -> Result<InviteSession, WireError> { .failure(WireError(.badArgs, "call.restore: \(why)")) }

    /// An outgoing call being set up, from its pending snapshot.
    private static func restorePending(id: String, snapshot s: SignalingSnapshot, _ step: inout SessionStep) -> Result<InviteSession, WireError> {
        guard let text = s.pendingInvite, let target = s.destination else {
            return bad("a pending call needs pending_invite and destination {transport, host, port}")
        }
        guard let invite = try? SIPMessageParser().parseDatagram(Array(text.utf8)), invite.method == .invite,
              let callID = try? invite.callID(), let tag = (try? invite.from())??.tag else {
            return bad("pending_invite is not an INVITE with a Call-ID and a From tag")
        }
        let transport = Self.transport(target.transport)
        var call = InviteSession(id: id, direction: .outgoing, state: s.state == .ringing ? .ringing : .dialing,
                                 sipCallID: callID, localTag: tag, remote: s.remote, local: s.local)
        if let m = s.media { call.media = (m.address, m.port) }
        call.transport = transport
        if case .success(let prefs) = MediaPreferences.parse(codecs: s.codecs, attributes: s.sdpAttributes) { call.preferences = prefs }
        let destination = SIPTransportAddress(transport: transport, host: target.host, port: target.port)
        call.invite = invite
        call.inviteDestination = destination
        call.inviteInFlight = true
        step.add(.startTransaction(invite, to: destination, purpose: .invite, sendNow: call.state == .dialing))
        step.add(.log(SessionLog("resumed a call being set up", level: .notice, call: id, sipCallID: callID)))
        return .success(call)
    }

    /// An answered call, from its snapshot. A restored session timer starts again from now: we refresh at once if we
    /// are the refresher (the previous sig may have died just before its refresh), or give the peer a whole interval.
    private static func restoreAnswered(id: String, snapshot s: SignalingSnapshot, _ step: inout SessionStep) -> Result<InviteSession, WireError> {
        guard let d = s.dialog else {
            return bad("signaling.dialog lacks call_id, tags, role, local, remote, remote_target, local_contact or creating_cseq")
        }
        let snapshot = SIPDialogSnapshot(
            callID: d.callID, localTag: d.localTag, remoteTag: d.remoteTag, role: d.role.rawValue, localAddress: d.local,
            remoteAddress: d.remote, localCSeq: d.localCSeq, remoteCSeq: d.remoteCSeq, remoteTarget: d.remoteTarget,
            routeSet: d.routeSet, secure: d.secure, localContact: d.localContact, creatingCSeq: d.creatingCSeq)
        let dialog: SIPDialog
        do { dialog = try SIPDialog(restoring: snapshot) } catch { return bad("the dialog does not parse: \(error)") }
        var call = InviteSession(id: id, direction: s.direction, state: .connected, sipCallID: d.callID, localTag: d.localTag,
                                 remote: s.remote, local: s.local)
        if let hold = s.localHold.flatMap({ MediaDirection(rawValue: $0.rawValue) }) {
            call.localHold = true
            call.holdDirection = hold
        }
        call.remoteHold = s.remoteHold
        call.refreshHoldState()
        call.dialog = dialog
        if let m = s.media { call.media = (m.address, m.port) }
        call.remoteMedia = s.remoteMedia
        call.codec = s.codec
        call.transport = Self.transport(s.transport)
        if case .success(let p) = MediaPreferences.parse(codecs: s.codecs, attributes: s.sdpAttributes) { call.preferences = p }
        if let timer = s.sessionTimer, timer.interval > 0 {
            call.startSessionTimer(interval: timer.interval, weRefresh: timer.weRefresh, at: timer.weRefresh ? step.now : nil, &step)
        }
        step.add(.log(SessionLog("restored a call", level: .notice, call: id, sipCallID: d.callID)))
        return .success(call)
    }
}
