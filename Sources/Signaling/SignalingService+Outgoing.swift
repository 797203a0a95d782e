import SIPCore
import SIPDialog
import SIPDigest
import SIPTransaction
import Timebase
import Wire

/// The UAC side (RFC 3261 §8.1, §13.2, §9.1, §15.1.1): calls we place, their answers, and ending calls.
extension SignalingService {
    /// `call.dial`: the call's codecs and attributes checked, its extra headers (Replaces, Referred-By) in a fixed order.
    func dial(_ command: SigAPI.CallDial) -> Result<SigAPI.CallDial.Result, WireError> {
        let preferences: MediaPreferences?
        switch MediaPreferences.parse(codecs: command.codecs, attributes: command.sdpAttributes) {
        case .success(let p): preferences = p
        case .failure(let e): return .failure(e)
        }
        let headers = (command.headers ?? [:]).map { SIPHeaderField(SIPHeaderName($0.key), $0.value) }
        return dial(callID: command.call.rawValue, to: command.to, from: command.from, address: command.media.address, port: command.media.port,
                    authUser: command.authUser, password: command.password, preferences: preferences,
                    headers: headers.sorted { $0.name.canonical < $1.name.canonical })
    }

    func dial(callID: String, to target: String, from fromAOR: String?, address: String, port: UInt16, authUser: String?,
              password: String?, preferences: MediaPreferences? = nil, headers: [SIPHeaderField] = []) -> Result<SigAPI.CallDial.Result, WireError> {
        guard calls[callID] == nil else { return .failure(WireError(.badArgs, "call '\(callID)' exists already")) }
        guard calls.count < settings.maxCalls else {
            return .failure(WireError(.unavailable, "call limit (\(settings.maxCalls)) reached; raise sip.max_calls"))
        }
        let text = target.hasPrefix("sip:") || target.hasPrefix("sips:") ? target : "sip:" + target
        guard let uri = try? SIPURI.parse(text), uri.isSIP else {
            return .failure(WireError(.badArgs, "'\(target)' is not a SIP URI, e.g. sip:bob@127.0.0.1:5062"))
        }
        let account = fromAOR.flatMap { accounts[$0] } ?? (fromAOR == nil ? accounts.values.first : nil)
        // A `from` that names no account is used as the From URI as it is (no registrar, no credentials).
        var unregisteredFrom: SIPURI?
        if let fromAOR, account == nil {
            guard let uri = try? SIPURI.parse(fromAOR.hasPrefix("sip") ? fromAOR : "sip:" + fromAOR), uri.isSIP, uri.user != nil else {
                return .failure(WireError(.badArgs, "from '\(fromAOR)' is neither a registered account nor a SIP URI with a user, e.g. sip:alice@example.com"))
            }
            unregisteredFrom = uri
        }
        let routes = account?.config.outboundProxy.map { proxy -> SIPURI in
            var p = proxy
            p.parameters.set("lr", nil)
            return p
        }.map { [$0] } ?? []
        let defaultTransport = account?.config.transport ?? .udp
        let destination = RequestFactory.destination(for: routes.first ?? uri, default: defaultTransport)
        let local = advertised(destination.transport, towards: destination.host)
        let fromURI = account?.config.aor ?? unregisteredFrom ?? SIPURI(scheme: .sip, user: "sip-client", host: local.hostForURI, port: local.port)
        var fromAddress = SIPAddress(uri: fromURI)
        let tag = SIPRandomToken.make(length: 10)
        fromAddress.parameters.set("tag", tag)
        let mediaHost = Self.isWildcard(address) ? local.host : address
        let sipCallID = SIPRandomToken.make(length: 16) + "@" + local.hostForURI
        let contact = RequestFactory.contact(user: fromURI.user, local: local)
        var invite = RequestFactory.invite(callID: sipCallID, from: fromAddress, to: SIPAddress(uri: uri), requestURI: uri, cseq: 1,
                                           contact: contact, routes: routes, sdp: media.with(preferences).offer(address: mediaHost, port: port))
        var call = CallSession(id: callID, direction: .outgoing, state: .dialing, sipCallID: sipCallID, localTag: tag,
                               remote: uri.description, local: fromURI.description)
        call.media = (mediaHost, port)
        call.preferences = preferences
        call.routes = routes
        call.localAddress = local
        call.transport = destination.transport
        let user = authUser ?? account?.config.authUser ?? account?.config.aor.user
        if let secret = password ?? account?.config.password, !secret.isEmpty, let user {
            call.authenticator = SIPAuthenticator(credentials: SIPDigestCredentials(username: user, password: secret))
        }
        for h in headers + sessionTimerHeaders(for: nil) { invite.headers.insert(h, at: max(0, invite.headers.count - 2)) }  // before Content-Type/-Length
        RequestFactory.stampVia(&invite, local: local)
        call.invite = invite
        call.inviteDestination = destination
        calls[callID] = call
        callByDialogKey[call.dialogKey] = callID
        guard let transaction = startTransaction(invite, to: destination) else {
            calls[callID] = nil
            callByDialogKey[call.dialogKey] = nil
            return .failure(WireError(.internal, "could not start the INVITE transaction"))
        }
        calls[callID]?.inviteTransaction = transaction
        callByClientTransaction[transaction] = callID
        publishState(callID)
        return .success(.init(call: CallID(callID), sipCallID: sipCallID))
    }

    // MARK: responses

    func handleResponse(_ response: SIPMessage, transaction: SIPClientTransactionID) {
        if let aor = accountByTransaction[transaction] {
            accountResponse(response, aor: aor)
            return
        }
        if let id = inDialogTransactions[transaction] {
            if calls[id]?.reinvite?.transaction == transaction { reinviteResponse(response, callID: id) }
            else if notifyTransactions.contains(transaction) { return }
            else if referResponse(response, transaction: transaction, callID: id) { return }
            else if !infoResponse(response, transaction: transaction, callID: id) { inDialogResponse(response, callID: id) }
            return
        }
        guard let id = callByClientTransaction[transaction], var call = calls[id], let code = response.statusCode,
              let invite = call.invite else { return }
        switch code {
        case 100:
            break
        case 101...199:
            if (try? response.to()?.tag).flatMap({ $0 }) != nil, call.dialog == nil {
                call.dialog = try? SIPDialog.uac(request: invite, response: response, transport: call.transport)
            }
            calls[id] = call
            prackIfReliable(response, callID: id)
            call = calls[id] ?? call
            if !response.body.isEmpty {
                call.remoteMedia = MediaNegotiation.remoteMedia(answerBody: response.body)
                call.codec = call.remoteMedia?.codec
                call.state = .early
            } else if call.state == .dialing {
                call.state = .ringing
            }
            calls[id] = call
            publishState(id, code: code)
            if call.cancelRequested, !call.cancelSent { sendCancel(id) }
        case 200...299:
            call.authenticator?.confirm()
            answered(id, session: call, response: response)
        case 300...399 where call.redirects < 3 && !call.cancelRequested:
            guard let contact = (try? response.contacts())?.compactMap(\.address).first?.uri else { fallthrough }
            call.redirects += 1
            calls[id] = call
            resend(id, to: contact)
        case 401, 407:
            guard !call.cancelRequested, var auth = call.authenticator else {
                end(id, code: code, reason: call.authenticator == nil ? "\(code) authentication required but no credentials given"
                                                                      : "\(code) after cancel", normal: false)
                return
            }
            do {
                _ = try auth.handleChallenge(response, challenging: invite)
                call.authenticator = auth
                calls[id] = call
                resend(id, to: nil)
            } catch {
                let why = error.kind == .credentialsRejected ? "\(code) after credentials: wrong password?" : "\(code): \(error)"
                end(id, code: code, reason: why, normal: false)
            }
        default:
            let reason = code == 487 && call.cancelRequested ? "cancelled" : "\(code) \(response.reasonPhrase ?? "")"
            end(id, code: code, reason: reason, normal: code == 487 && call.cancelRequested)
        }
    }

    /// A new INVITE for the same call: after a 401/407 (with credentials) or towards a 3xx Contact.
    private func resend(_ id: String, to redirect: SIPURI?) {
        guard var call = calls[id], var invite = call.invite, let local = call.localAddress else { return }
        invite.removeAll(.via)
        let cseq = ((try? invite.cseq())?.sequence ?? 1) + 1
        invite.set(.cseq, "\(cseq) INVITE")
        var destination = call.inviteDestination ?? RequestFactory.destination(for: invite.requestURI ?? SIPURI(host: "127.0.0.1"))
        if let redirect {
            invite.startLine = .request(method: .invite, uri: redirect, version: "SIP/2.0")
            if call.routes.isEmpty { destination = RequestFactory.destination(for: redirect, default: destination.transport) }
        }
        call.authenticator?.authorize(&invite)
        RequestFactory.stampVia(&invite, local: local)
        call.invite = invite
        call.inviteDestination = destination
        call.dialog = nil
        guard let transaction = startTransaction(invite, to: destination) else {
            calls[id] = call
            end(id, code: 500, reason: "could not resend the INVITE", normal: false)
            return
        }
        call.inviteTransaction = transaction
        calls[id] = call
        callByClientTransaction[transaction] = id
    }

    /// 2xx to our INVITE: confirm the dialog, ACK it (§13.2.2.4), and report the call connected.
    private func answered(_ id: String, session: CallSession, response: SIPMessage) {
        var call = session
        guard let invite = call.invite else { return }
        var dialog: SIPDialog
        if var existing = call.dialog, existing.id.remoteTag == (try? response.to()?.tag).flatMap({ $0 }) {
            _ = try? existing.receiveResponse(response)
            dialog = existing
        } else {
            do { dialog = try SIPDialog.uac(request: invite, response: response, transport: call.transport) } catch {
                log("2xx without a usable dialog: \(error)", cause: "bad-2xx", call: id)
                end(id, code: 502, reason: "answer unusable: \(error)", normal: false)
                return
            }
        }
        sendAck(for: invite, in: dialog, call: &call)
        sessionTimerFromAnswer(response, call: &call)
        call.remoteMedia = MediaNegotiation.remoteMedia(answerBody: response.body) ?? call.remoteMedia
        call.codec = call.remoteMedia?.codec ?? call.codec
        call.state = .connected
        calls[id] = call
        publishState(id, code: response.statusCode)
        if call.cancelRequested { hangup(callID: id, reason: "local hangup") }
    }

    /// The ACK for a 2xx to one of our INVITEs (§13.2.2.4: the TU sends it, with the INVITE's CSeq and credentials);
    /// kept as the call's `lastAck` for the 2xx's retransmissions.
    func sendAck(for invite: SIPMessage, in dialog: SIPDialog, call: inout CallSession) {
        let cseq = (try? invite.cseq())?.sequence ?? 1
        let ack = dialog.makeAck(forInviteCSeq: cseq, credentials: SIPDialog.credentials(of: invite))
        var ackMessage = ack.message
        let destination = RequestFactory.destination(for: ack.nextHop, default: call.transport)
        RequestFactory.stampVia(&ackMessage, local: advertised(destination.transport, towards: destination.host))
        send(ackMessage, to: destination)
        call.lastAck = (dialog.id.remoteTag, ackMessage, destination)
        call.dialog = dialog
    }

    /// 2xx retransmissions (our ACK was lost) and 2xx from other forks (§13.2.2.4).
    func handleStrayResponse(_ response: SIPMessage) {
        guard let callID = try? response.callID(), let fromTag = (try? response.from()?.tag).flatMap({ $0 }),
              let id = callByDialogKey[CallSession.dialogKey(callID: callID, localTag: fromTag)], let call = calls[id] else { return }
        let remoteTag = (try? response.to()?.tag).flatMap { $0 }
        if let last = call.lastAck, last.remoteTag == remoteTag,
           (try? last.message.cseq())?.sequence == (try? response.cseq())?.sequence {
            send(last.message, to: last.to)
            return
        }
        // Another fork answered: ACK it, then BYE it: we keep the first answer.
        guard let invite = call.invite, var fork = try? SIPDialog.uac(request: invite, response: response, transport: call.transport),
              let (ack, bye, nextHop) = try? fork.forkedAnswerActions(credentials: SIPDialog.credentials(of: invite)) else { return }
        let destination = RequestFactory.destination(for: nextHop, default: call.transport)
        let local = advertised(destination.transport, towards: destination.host)
        var ackMessage = ack
        RequestFactory.stampVia(&ackMessage, local: local)
        send(ackMessage, to: destination)
        var byeMessage = bye
        RequestFactory.stampVia(&byeMessage, local: local)
        _ = startTransaction(byeMessage, to: destination)
        log("forked 2xx answered with ACK and BYE", cause: "fork", call: id)
    }

    func handleClientFailure(_ transaction: SIPClientTransactionID, code: Int, reason: String) {
        if let aor = accountByTransaction[transaction] {
            accountTimeout(aor: aor)
            return
        }
        if let id = inDialogTransactions[transaction] {
            // §12.2.1.2: 408 (or no answer) to an in-dialog request ends the dialog.
            if calls[id] != nil { end(id, code: code, reason: reason, normal: false) }
            return
        }
        guard let id = callByClientTransaction[transaction], calls[id] != nil else { return }
        end(id, code: code, reason: reason, normal: false)
    }

    private func inDialogResponse(_ response: SIPMessage, callID id: String) {
        guard let code = response.statusCode, code >= 200, var call = calls[id] else { return }
        if code == 481 || code == 408 {
            end(id, code: code, reason: "dialog gone at the peer (\(code))", normal: false)
            return
        }
        if var dialog = call.dialog {
            _ = try? dialog.receiveResponse(response)
            call.dialog = dialog
            calls[id] = call
        }
    }

    // MARK: ending calls

    /// Ends a call from our side: CANCEL before an answer to our INVITE, 487 to an unanswered incoming one, BYE after.
    @discardableResult
    func hangup(callID id: String, reason: String = "local hangup", normal: Bool = true) -> Result<CallReference, WireError> {
        guard var call = calls[id] else { return .failure(WireError(.notFound, "no call '\(id)'")) }
        if call.isAnswered, var dialog = call.dialog {
            if let outgoing = try? dialog.makeRequest(method: .bye) {
                var bye = outgoing.message
                let destination = RequestFactory.destination(for: outgoing.nextHop, default: call.transport)
                RequestFactory.stampVia(&bye, local: advertised(destination.transport, towards: destination.host))
                call.authenticator?.authorize(&bye)
                if let transaction = startTransaction(bye, to: destination) { inDialogTransactions[transaction] = id }
            }
            call.dialog = dialog
            calls[id] = call
            end(id, code: nil, reason: reason, normal: normal)
        } else if call.direction == .incoming {
            return reject(callID: id, code: 487, reason: "Request Terminated")
        } else {
            call.cancelRequested = true
            calls[id] = call
            // §9.1: a CANCEL only once a provisional arrived; otherwise it goes out when one does.
            if let t = call.inviteTransaction, transactions.hasReceivedProvisional(t) { sendCancel(id) }
            else if call.inviteTransaction == nil || !transactions.contains(.client(call.inviteTransaction!)) {
                end(id, code: nil, reason: reason, normal: true)
            }
        }
        return .success(CallReference(call: CallID(id)))
    }

    private func sendCancel(_ id: String) {
        guard var call = calls[id], let t = call.inviteTransaction, let cancel = transactions.makeCancel(for: t),
              let destination = call.inviteDestination else { return }
        call.cancelSent = true
        call.cancelDeadline = now + settings.t1 * 64
        calls[id] = call
        _ = startTransaction(cancel, to: destination)
    }

    /// Marks a call terminated, publishes it, and forgets it.
    func end(_ id: String, code: Int?, reason: String, normal: Bool) {
        guard var call = calls[id] else { return }
        call.state = .terminated
        calls[id] = call
        publishState(id, code: code, reason: reason, normal: normal)
        calls[id] = nil
        callByDialogKey[call.dialogKey] = nil
        retransmitting2xx.remove(id)
        if call.direction == .incoming, let request = call.request, let key = Self.inviteKey(request) { callByInvite[key] = nil }
        finishReinvite(id, .failure(WireError(.failed, "call '\(id)' ended: \(reason)")))
        infoDTMFQueues[id] = nil
        transferWaiters.removeValue(forKey: id)?.resume(returning: .failure(WireError(.failed, "call '\(id)' ended: \(reason)")))
        if let t = call.inviteTransaction { callByClientTransaction[t] = nil }
        if let t = call.serverTransaction { callByServerTransaction[t] = nil }
    }

    func publishState(_ id: String, code: Int? = nil, reason: String? = nil, normal: Bool? = nil) {
        guard let call = calls[id] else { return }
        var event = stateEvent(call)
        event.code = code
        event.reason = reason
        event.normal = normal
        emit(event)
    }

    /// What `call.state` says of a call (also what `call.describe` answers, so orch can catch up on a lost event).
    func stateEvent(_ call: CallSession) -> CallStateEvent {
        CallStateEvent(call: CallID(call.id), state: call.wireState, direction: call.direction, remote: call.remote, local: call.local,
                       sipCallID: call.sipCallID, codec: call.codec, remoteMedia: call.remoteMedia,
                       signaling: call.state == .terminated ? nil : call.snapshot)
    }

    /// sig's calls, one short entry each (a listing of hundreds of calls stays far below the bus message limit);
    /// `call.describe` gives one call's whole `call.state`.
    func callEntries() -> [SigAPI.Calls.Entry] {
        calls.values.sorted { $0.id < $1.id }.map { c in
            SigAPI.Calls.Entry(call: CallID(c.id), state: c.wireState, direction: c.direction, remote: c.remote, sipCallID: c.sipCallID,
                               codec: c.codec, remotePort: c.remoteMedia?.port, mediaDirection: c.remoteMedia?.direction)
        }
    }
}
