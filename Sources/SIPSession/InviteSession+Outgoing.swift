import SIPCore
import SIPDialog
import SIPDigest
import SIPTransaction
import Timebase
import Wire

/// The account a call goes out from, as the adapter found it (`from`, or the first account): From URI, credentials,
/// outbound proxy and transport.
public struct CallerAccount: Sendable {
    public var aor: SIPURI
    public var authUser: String?
    public var password: String
    public var outboundProxy: SIPURI?
    public var transport: SIPTransportKind

    public init(aor: SIPURI, authUser: String?, password: String, outboundProxy: SIPURI?, transport: SIPTransportKind) {
        self.aor = aor
        self.authUser = authUser
        self.password = password
        self.outboundProxy = outboundProxy
        self.transport = transport
    }
}

/// The UAC side (RFC 3261 §8.1, §13.2, §9.1): the call we place, its answers (provisional, final, forked), digest
/// challenges, redirects, CANCEL and the ACK of a 2xx.
extension InviteSession {
    /// `call.dial`: a new outgoing call and its INVITE, or (with no session) the reply saying what is wrong with the
    /// command. `preferences` are the command's codecs and attributes, already checked.
    public static func dial(_ command: SigAPI.CallDial, preferences: MediaPreferences?, account: CallerAccount?, reply: ReplyToken?,
                            now: MonotonicTime, context: inout SessionContext) -> (session: InviteSession?, actions: [SessionAction]) {
        var session: InviteSession?
        let actions = SessionStep.run(now: now, context: &context) { step in
            switch makeCall(command, preferences: preferences, account: account, &step) {
            case .failure(let error):
                if let reply { step.add(.reply(reply, .failure(error))) }
            case .success(var call):
                guard let invite = call.invite, let destination = call.inviteDestination else { return }
                step.add(.startTransaction(invite, to: destination, purpose: .invite, sendNow: true))
                call.inviteInFlight = true
                call.publishState(&step)
                if let reply { step.add(.reply(reply, .success(.dialed(.init(call: CallID(call.id), sipCallID: call.sipCallID))))) }
                session = call
            }
        }
        return (session, actions)
    }

    private static func makeCall(_ command: SigAPI.CallDial, preferences: MediaPreferences?, account: CallerAccount?,
                                 _ step: inout SessionStep) -> Result<InviteSession, WireError> {
        let target = command.to
        let text = target.hasPrefix("sip:") || target.hasPrefix("sips:") ? target : "sip:" + target
        guard let uri = try? SIPURI.parse(text), uri.isSIP else {
            return .failure(WireError(.badArgs, "'\(target)' is not a SIP URI, e.g. sip:bob@127.0.0.1:5062"))
        }
        // A `from` that names no account is used as the From URI as it is (no registrar, no credentials).
        var unregisteredFrom: SIPURI?
        if let fromAOR = command.from, account == nil {
            guard let uri = try? SIPURI.parse(fromAOR.hasPrefix("sip") ? fromAOR : "sip:" + fromAOR), uri.isSIP, uri.user != nil else {
                return .failure(WireError(.badArgs, "from '\(fromAOR)' is neither a registered account nor a SIP URI with a user, e.g. sip:alice@example.com"))
            }
            unregisteredFrom = uri
        }
        let routes = account?.outboundProxy.map { proxy -> SIPURI in
            var p = proxy
            p.parameters.set("lr", nil)
            return p
        }.map { [$0] } ?? []
        let destination = RequestFactory.destination(for: routes.first ?? uri, default: account?.transport ?? .udp)
        let local = step.context.advertised(destination.transport, towards: destination.host)
        let fromURI = account?.aor ?? unregisteredFrom ?? SIPURI(scheme: .sip, user: "sip-client", host: local.hostForURI, port: local.port)
        var fromAddress = SIPAddress(uri: fromURI)
        let tag = step.context.token(10)
        fromAddress.parameters.set("tag", tag)
        let mediaHost = isWildcard(command.media.address) ? local.host : command.media.address
        let sipCallID = step.context.token(16) + "@" + local.hostForURI
        let contact = RequestFactory.contact(user: fromURI.user, local: local)
        let offer = step.context.media.with(preferences).offer(address: mediaHost, port: command.media.port)
        var invite = RequestFactory.invite(callID: sipCallID, from: fromAddress, to: SIPAddress(uri: uri), requestURI: uri, cseq: 1,
                                           contact: contact, routes: routes, sdp: offer)
        var call = InviteSession(id: command.call.rawValue, direction: .outgoing, state: .dialing, sipCallID: sipCallID, localTag: tag,
                                 remote: uri.description, local: fromURI.description)
        call.media = (mediaHost, command.media.port)
        call.preferences = preferences
        call.routes = routes
        call.localAddress = local
        call.transport = destination.transport
        let user = command.authUser ?? account?.authUser ?? account?.aor.user
        if let secret = command.password ?? account?.password, !secret.isEmpty, let user {
            call.authenticator = SIPAuthenticator(credentials: SIPDigestCredentials(username: user, password: secret))
        }
        // The command's extra headers (Replaces, Referred-By) in a fixed order, then the session timer's.
        let headers = (command.headers ?? [:]).map { SIPHeaderField(SIPHeaderName($0.key), $0.value) }.sorted { $0.name.canonical < $1.name.canonical }
        for h in headers + call.sessionTimerHeaders(step.settings) {
            invite.headers.insert(h, at: max(0, invite.headers.count - 2))  // before Content-Type/-Length
        }
        step.context.stampVia(&invite, local: local)
        call.invite = invite
        call.inviteDestination = destination
        return .success(call)
    }

    // MARK: answers to our INVITE

    mutating func inviteResponse(_ response: SIPMessage, _ step: inout SessionStep) {
        guard let code = response.statusCode, let invite else { return }
        switch code {
        case 100:
            inviteProvisional = true
        case 101...199:
            inviteProvisional = true
            if (try? response.to()?.tag).flatMap({ $0 }) != nil, dialog == nil {
                dialog = try? SIPDialog.uac(request: invite, response: response, transport: transport)
            }
            prackIfReliable(response, &step)
            if !response.body.isEmpty {
                remoteMedia = MediaNegotiation.remoteMedia(answerBody: response.body)
                codec = remoteMedia?.codec
                state = .early
            } else if state == .dialing {
                state = .ringing
            }
            publishState(&step, code: code)
            if cancelRequested, !cancelSent { sendCancel(&step) }
        case 200...299:
            inviteInFlight = false
            authenticator?.confirm()
            answered(response, &step)
        case 300...399 where redirects < 3 && !cancelRequested:
            inviteInFlight = false
            // A 3xx without a Contact goes on as the next case does (as sig always did).
            guard let contact = (try? response.contacts())?.compactMap(\.address).first?.uri else { fallthrough }
            redirects += 1
            resend(to: contact, &step)
        case 401, 407:
            inviteInFlight = false
            guard !cancelRequested, var auth = authenticator else {
                end(code: code, reason: authenticator == nil ? "\(code) authentication required but no credentials given" : "\(code) after cancel",
                    normal: false, &step)
                return
            }
            do {
                _ = try auth.handleChallenge(response, challenging: invite)
                authenticator = auth
                resend(to: nil, &step)
            } catch {
                let why = error.kind == .credentialsRejected ? "\(code) after credentials: wrong password?" : "\(code): \(error)"
                end(code: code, reason: why, normal: false, &step)
            }
        default:
            inviteInFlight = false
            let reason = code == 487 && cancelRequested ? "cancelled" : "\(code) \(response.reasonPhrase ?? "")"
            end(code: code, reason: reason, normal: code == 487 && cancelRequested, &step)
        }
    }

    /// A new INVITE for the same call: after a 401/407 (with credentials) or towards a 3xx Contact.
    private mutating func resend(to redirect: SIPURI?, _ step: inout SessionStep) {
        guard var invite, let local = localAddress else { return }
        invite.removeAll(.via)
        let cseq = ((try? invite.cseq())?.sequence ?? 1) + 1
        invite.set(.cseq, "\(cseq) INVITE")
        var destination = inviteDestination ?? RequestFactory.destination(for: invite.requestURI ?? SIPURI(host: "127.0.0.1"))
        if let redirect {
            invite.startLine = .request(method: .invite, uri: redirect, version: "SIP/2.0")
            if routes.isEmpty { destination = RequestFactory.destination(for: redirect, default: destination.transport) }
        }
        authenticator?.authorize(&invite)
        step.context.stampVia(&invite, local: local)
        self.invite = invite
        inviteDestination = destination
        dialog = nil
        inviteInFlight = true
        inviteProvisional = false
        step.add(.startTransaction(invite, to: destination, purpose: .invite, sendNow: true))
    }

    /// 2xx to our INVITE: confirm the dialog, ACK it (§13.2.2.4), and report the call connected.
    private mutating func answered(_ response: SIPMessage, _ step: inout SessionStep) {
        guard let invite else { return }
        var confirmed: SIPDialog
        if var existing = dialog, existing.id.remoteTag == (try? response.to()?.tag).flatMap({ $0 }) {
            _ = try? existing.receiveResponse(response)
            confirmed = existing
        } else {
            do { confirmed = try SIPDialog.uac(request: invite, response: response, transport: transport) } catch {
                step.log("2xx without a usable dialog: \(error)", cause: "bad-2xx", call: id)
                end(code: 502, reason: "answer unusable: \(error)", normal: false, &step)
                return
            }
        }
        sendAck(for: invite, in: confirmed, &step)
        sessionTimerFromAnswer(response, &step)
        remoteMedia = MediaNegotiation.remoteMedia(answerBody: response.body) ?? remoteMedia
        codec = remoteMedia?.codec ?? codec
        state = .connected
        publishState(&step, code: response.statusCode)
        if cancelRequested { _ = hangup(reason: "local hangup", normal: true, &step) }
    }

    /// The ACK for a 2xx to one of our INVITEs (§13.2.2.4: the TU sends it, with the INVITE's CSeq and credentials);
    /// kept as `lastAck` for the 2xx's retransmissions.
    mutating func sendAck(for invite: SIPMessage, in dialog: SIPDialog, _ step: inout SessionStep) {
        let cseq = (try? invite.cseq())?.sequence ?? 1
        let ack = dialog.makeAck(forInviteCSeq: cseq, credentials: SIPDialog.credentials(of: invite))
        var message = ack.message
        let destination = RequestFactory.destination(for: ack.nextHop, default: transport)
        step.context.stampVia(&message, local: step.context.advertised(destination.transport, towards: destination.host))
        step.add(.send(message, to: destination))
        lastAck = (dialog.id.remoteTag, message, destination)
        self.dialog = dialog
    }

    /// 2xx retransmissions (our ACK was lost: the same ACK again) and 2xx from other forks (§13.2.2.4: ACK it, then
    /// BYE it; we keep the first answer).
    mutating func strayResponse(_ response: SIPMessage, _ step: inout SessionStep) {
        let remoteTag = (try? response.to()?.tag).flatMap { $0 }
        if let last = lastAck, last.remoteTag == remoteTag, (try? last.message.cseq())?.sequence == (try? response.cseq())?.sequence {
            step.add(.send(last.message, to: last.to))
            return
        }
        guard let invite, var fork = try? SIPDialog.uac(request: invite, response: response, transport: transport),
              let (ack, bye, nextHop) = try? fork.forkedAnswerActions(credentials: SIPDialog.credentials(of: invite)) else { return }
        let destination = RequestFactory.destination(for: nextHop, default: transport)
        let local = step.context.advertised(destination.transport, towards: destination.host)
        var ackMessage = ack
        step.context.stampVia(&ackMessage, local: local)
        step.add(.send(ackMessage, to: destination))
        var byeMessage = bye
        step.context.stampVia(&byeMessage, local: local)
        step.add(.startTransaction(byeMessage, to: destination, purpose: .forkBye, sendNow: true))
        step.log("forked 2xx answered with ACK and BYE", cause: "fork", call: id)
    }

    // MARK: CANCEL

    /// §9.1: a CANCEL only once a provisional arrived (else it goes out when one does); if the INVITE still has no
    /// final response 64*T1 later, it is considered cancelled (a peer that answered 180 and vanished must not ring
    /// forever).
    mutating func sendCancel(_ step: inout SessionStep) {
        guard inviteInFlight, inviteProvisional, let invite, let cancel = SIPTransactionLayer.makeCancel(forInvite: invite),
              let destination = inviteDestination else { return }
        cancelSent = true
        step.add(.arm(.cancelDeadline, at: step.now + step.timers.t1 * 64))
        step.add(.startTransaction(cancel, to: destination, purpose: .cancel, sendNow: true))
    }

    mutating func cancelDeadlinePassed(_ step: inout SessionStep) {
        step.log("no final response after CANCEL", cause: "cancel-timeout", call: id)
        end(code: 408, reason: "no final response to the INVITE within 64*T1 of our CANCEL", normal: true, &step)
    }
}
