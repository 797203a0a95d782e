import SDP
import SIPCore
import SIPDialog
import SIPTransaction
import Wire

/// The UAS side (RFC 3261 §8.2, §13.3, §15.1.2): requests that reach us, in and out of dialogs.
extension SignalingService {
    func handleRequest(_ request: SIPMessage, from: SIPTransportAddress, transaction: SIPServerTransactionID) {
        guard let method = request.method else { return }
        // §8.2.2.3: option tags we do not support in Require get 420.
        if method != .ack, method != .cancel, let required = try? request.require(),
           case let unknown = required.filter({ !Self.supportedOptions.contains($0.lowercased()) }), !unknown.isEmpty {
            var r = SIPResponseBuilder.response(to: request, status: 420, toTag: toTag(for: request))
            r.set(.unsupported, unknown.joined(separator: ", "))
            respond(r, transaction: transaction)
            return
        }
        let toTagged = (try? request.to()?.tag).flatMap { $0 } != nil
        if toTagged {
            handleInDialogRequest(request, method: method, from: from, transaction: transaction)
            return
        }
        switch method {
        case .invite: handleNewInvite(request, from: from, transaction: transaction)
        case .cancel: handleCancel(request, transaction: transaction)
        case .options: respond(optionsResponse(to: request), transaction: transaction)
        case .bye:
            // A BYE without a To tag cannot belong to any dialog of ours.
            respond(SIPResponseBuilder.response(to: request, status: 481, toTag: toTag(for: request)), transaction: transaction)
        default:
            respond(methodNotAllowed(request), transaction: transaction)
        }
    }

    // MARK: new calls

    private func handleNewInvite(_ request: SIPMessage, from: SIPTransportAddress, transaction: SIPServerTransactionID) {
        let inviteKey = Self.inviteKey(request)
        if let existing = callForRetransmittedInvite(inviteKey) {
            // The INVITE came again after our 2xx ended its transaction: answer with the same 2xx, start nothing new.
            if let ok = calls[existing]?.finalResponse { respond(ok, transaction: transaction) }
            else { respond(SIPResponseBuilder.response(to: request, status: 482, toTag: nil), transaction: transaction) }
            return
        }
        let tag = SIPRandomToken.make(length: 10)
        if calls.count >= settings.maxCalls {
            counters.rejectedCallLimit += 1
            log("call limit \(settings.maxCalls) reached", cause: "call-limit")
            var r = SIPResponseBuilder.response(to: request, status: 503, toTag: tag)
            r.set("Retry-After", String(settings.retryAfter))
            respond(r, transaction: transaction)
            return
        }
        // With accounts, only calls to one of their users are ours; without, any user at our address (direct IP).
        if !accounts.isEmpty {
            let user = request.requestURI?.user
            if !accounts.values.contains(where: { $0.config.aor.user == user }) {
                log("INVITE for unknown user \(user ?? "-")", cause: "unknown-user")
                respond(SIPResponseBuilder.response(to: request, status: 404, toTag: tag), transaction: transaction)
                return
            }
        }
        // RFC 3891: an INVITE that replaces one of our calls (attended transfer) must name a live dialog of ours.
        var replaced: String?
        if let value = request.firstValue(SIPHeaderName("Replaces")) {
            guard let match = replacedCall(value) else {
                respond(SIPResponseBuilder.response(to: request, status: 481, reason: "Replaced Dialog Does Not Exist", toTag: tag), transaction: transaction)
                return
            }
            replaced = match
        }
        if let tooSmall = sessionIntervalTooSmall(request, toTag: tag) {
            respond(tooSmall, transaction: transaction)
            return
        }
        let hasOffer = !request.body.isEmpty
        var precheck: Result<(body: [UInt8], audio: OfferAnswer.AcceptedAudio), MediaFailure>?
        if hasOffer {
            if let type = try? request.contentType(), type.essence != "application/sdp" {
                var r = SIPResponseBuilder.response(to: request, status: 415, toTag: tag)
                r.set(.accept, RequestFactory.accept)
                respond(r, transaction: transaction)
                return
            }
            // Reject before ringing when no codec is in common (the answer is built again with real ports later).
            precheck = media.answer(offerBody: request.body, address: "127.0.0.1", port: 9)
            if case .failure(let failure) = precheck {
                log("INVITE rejected: \(failure.description)", cause: "488")
                var r = SIPResponseBuilder.response(to: request, status: 488, toTag: tag)
                r.set("Warning", "304 sip-client \"\(failure.description)\"")
                respond(r, transaction: transaction)
                return
            }
        }
        guard let sipCallID = try? request.callID() else { return }
        let local = advertised(from.transport, towards: from.host)
        let contact = RequestFactory.contact(user: request.requestURI?.user, local: local)
        let dialog: SIPDialog
        do {
            dialog = try SIPDialog.uas(request: request, localTag: tag, localContact: contact, transport: from.transport)
        } catch {
            log("INVITE cannot create a dialog: \(error)", cause: "bad-invite")
            respond(SIPResponseBuilder.response(to: request, status: 400, reason: "Bad Request (\(error))", toTag: tag),
                    transaction: transaction)
            return
        }
        let id = "c" + SIPRandomToken.make(length: 12)
        var call = CallSession(id: id, direction: .incoming, state: .incoming, sipCallID: sipCallID, localTag: tag,
                               remote: (try? request.from()?.uri.description) ?? "", local: request.requestURI?.description ?? "")
        call.request = request
        call.serverTransaction = transaction
        call.responseDestination = transactions.responseDestination(for: transaction)
        call.dialog = dialog
        call.transport = from.transport
        call.offerInAck = !hasOffer
        // Auto-answer with a slot orch left us: the 200 OK goes out now, with no 100 or 180 before it (RFC 3261 §8.2.6.1:
        // a final response within 200 ms needs no 100). A call replacing another is orch's to decide.
        let slot = replaced == nil ? takeAnswerSlot() : nil
        var ringing: SIPMessage?
        if slot == nil {
            respond(SIPResponseBuilder.response(to: request, status: 100, toTag: nil), transaction: transaction)
            var r = SIPResponseBuilder.response(to: request, status: 180, toTag: tag)
            RequestFactory.decorate(&r, contact: contact)
            if ((try? request.require()) ?? []).contains(where: { $0.lowercased() == "100rel" }) { makeReliable(&r, call: &call) }
            ringing = r
        }
        calls[id] = call
        callByDialogKey[call.dialogKey] = id
        callByServerTransaction[transaction] = id
        if let inviteKey { callByInvite[inviteKey] = id }
        if let ringing { respond(ringing, transaction: transaction) }

        var incoming = CallIncomingEvent(call: CallID(id), sipCallID: sipCallID, from: call.remote, to: call.local,
                                         replaces: replaced.map { CallID($0) }, referredBy: request.firstValue(SIPHeaderName("Referred-By")),
                                         answered: slot)
        if case .success(let answer)? = precheck { incoming.remoteMedia = MediaNegotiation.remoteMedia(answer.audio) }
        emit(incoming)
        publishState(id)
        if let slot { _ = answer(callID: id, address: slot.address, port: slot.port) }
    }

    /// Answers an incoming call with our SDP (an answer to the offer, or an offer when the INVITE had none).
    func answer(callID: String, address: String, port: UInt16, preferences: MediaPreferences? = nil) -> Result<SigAPI.CallAnswer.Result, WireError> {
        guard var call = calls[callID], call.direction == .incoming else {
            return .failure(WireError(.notFound, "no incoming call '\(callID)'"))
        }
        guard !call.isAnswered, call.state != .terminated, let request = call.request, let transaction = call.serverTransaction,
              transactions.isAwaitingFinalResponse(transaction) else {
            return .failure(WireError(.unavailable, "call '\(callID)' can no longer be answered"))
        }
        let peerHost = call.responseDestination?.host ?? "127.0.0.1"
        let mediaHost = Self.isWildcard(address) ? advertised(call.transport, towards: peerHost).host : address
        call.media = (mediaHost, port)
        if let preferences { call.preferences = preferences }
        let negotiation = media.with(call.preferences)
        let body: [UInt8]
        if call.offerInAck {
            body = negotiation.offer(address: mediaHost, port: port)
        } else {
            switch negotiation.answer(offerBody: request.body, address: mediaHost, port: port) {
            case .failure(let failure):
                respond(SIPResponseBuilder.response(to: request, status: 488, toTag: call.localTag), transaction: transaction)
                calls[callID] = call
                end(callID, code: 488, reason: failure.description, normal: false)
                return .failure(WireError(.failed, failure.description))
            case .success(let answer):
                body = answer.body
                call.codec = CodecName(answer.audio.codec.encoding)
                call.remoteMedia = MediaNegotiation.remoteMedia(answer.audio)
            }
        }
        var ok = SIPResponseBuilder.response(to: request, status: 200, toTag: call.localTag)
        RequestFactory.decorate(&ok, contact: call.dialog?.localContact)
        ok.set(.contentType, "application/sdp")
        ok.body = body
        ok.set(.contentLength, String(body.count))
        applySessionTimer(request: request, response: &ok, call: &call)
        call.reliableProvisional = nil  // a 2xx may follow an unacknowledged reliable 180; it is not resent (RFC 3262 §3)
        if var dialog = call.dialog { _ = try? dialog.didSendResponse(ok); call.dialog = dialog }
        call.state = .connected
        call.finalResponse = ok
        // The INVITE server transaction ends with the 2xx; we retransmit it until the ACK (§13.3.1.4).
        if !call.transport.isReliable {
            call.twoXX = SIPTwoXXRetransmitter(response: ok, now: now, timers: timers)
            retransmitting2xx.insert(callID)
            call.twoXXDestination = call.responseDestination
        }
        calls[callID] = call
        respond(ok, transaction: transaction)
        publishState(callID)
        return .success(.init(call: CallID(callID), codec: call.codec))
    }

    func reject(callID: String, code: Int, reason: String?) -> Result<CallReference, WireError> {
        guard let call = calls[callID], call.direction == .incoming, let request = call.request,
              let transaction = call.serverTransaction, !call.isAnswered else {
            return .failure(WireError(.notFound, "no unanswered incoming call '\(callID)'"))
        }
        guard (300...699).contains(code) else {
            return .failure(WireError(.badArgs, "code must be 300-699, got \(code)"))
        }
        var r = SIPResponseBuilder.response(to: request, status: code, reason: reason, toTag: call.localTag)
        RequestFactory.decorate(&r)
        if code == 503 { r.set("Retry-After", String(settings.retryAfter)) }
        perform(transactions.sendResponse(r, transaction: transaction, now: now))
        end(callID, code: code, reason: "rejected with \(code)", normal: true)
        return .success(CallReference(call: CallID(callID)))
    }

    // MARK: CANCEL, ACK, in-dialog

    private func handleCancel(_ cancel: SIPMessage, transaction: SIPServerTransactionID) {
        guard let invite = transactions.matchingInvite(forCancel: cancel) else {
            respond(SIPResponseBuilder.response(to: cancel, status: 481, toTag: toTag(for: cancel)), transaction: transaction)
            return
        }
        let callID = callByServerTransaction[invite]
        let tag = callID.flatMap { calls[$0]?.localTag } ?? toTag(for: cancel)
        respond(SIPResponseBuilder.response(to: cancel, status: 200, toTag: tag), transaction: transaction)
        // §9.2: the INVITE, still unanswered, gets 487.
        if transactions.isAwaitingFinalResponse(invite), let request = transactions.request(for: invite) {
            respond(SIPResponseBuilder.response(to: request, status: 487, toTag: tag), transaction: invite)
            if let callID, calls[callID]?.isAnswered == false {
                end(callID, code: 487, reason: "cancelled by caller", normal: true)
            }
        }
    }

    func handleAck(_ ack: SIPMessage, from: SIPTransportAddress) {
        guard let id = callForInDialog(ack), var call = calls[id] else { return }  // ACK is never answered
        call.twoXX?.acknowledge()
        call.twoXX = nil
        if call.offerInAck, !ack.body.isEmpty {
            call.remoteMedia = MediaNegotiation.remoteMedia(answerBody: ack.body)
            call.codec = call.remoteMedia?.codec
            if let peer = MediaNegotiation.peerDirection(body: ack.body), let holds = Self.peerHolds(peer, answering: call.localDirection) { call.remoteHold = holds }
            call.refreshHoldState()
            call.offerInAck = false
            calls[id] = call
            publishState(id)
        } else {
            calls[id] = call
        }
    }

    private func handleInDialogRequest(_ request: SIPMessage, method: SIPMethod, from: SIPTransportAddress,
                                       transaction: SIPServerTransactionID) {
        guard let id = callForInDialog(request), var call = calls[id], var dialog = call.dialog else {
            if method == .options { respond(optionsResponse(to: request), transaction: transaction); return }
            respond(SIPResponseBuilder.response(to: request, status: 481, toTag: nil), transaction: transaction)
            return
        }
        switch dialog.receiveRequest(request) {
        case .reject(let code, let phrase):
            respond(SIPResponseBuilder.response(to: request, status: code, reason: phrase, toTag: nil), transaction: transaction)
            return
        case .accept:
            break
        }
        call.dialog = dialog
        calls[id] = call
        switch method {
        case .bye:
            respond(SIPResponseBuilder.response(to: request, status: 200, toTag: nil), transaction: transaction)
            end(id, code: nil, reason: "remote hangup", normal: true)
        case .invite:
            handleReInvite(request, callID: id, transaction: transaction)
        case .options:
            respond(optionsResponse(to: request), transaction: transaction)
        case .info:
            handleInfo(request, callID: id, transaction: transaction)
        case .prack:
            handlePrack(request, callID: id, transaction: transaction)
        case .update:
            handleUpdate(request, callID: id, transaction: transaction)
        case .refer:
            handleRefer(request, callID: id, transaction: transaction)
        case .notify:
            handleNotify(request, callID: id, transaction: transaction)
        default:
            respond(methodNotAllowed(request), transaction: transaction)
        }
    }

    /// A re-INVITE from the peer (§14.2): hold/resume or a new address. Answered with our same address and our own
    /// direction (sendonly while we hold); a peer offering sendonly or inactive holds the call (RFC 3264 §8.4).
    private func handleReInvite(_ request: SIPMessage, callID: String, transaction: SIPServerTransactionID) {
        guard var call = calls[callID], var ok = midCallAnswer(request, call: &call, transaction: transaction, method: .invite) else { return }
        let destination = transactions.responseDestination(for: transaction)
        if !call.transport.isReliable, let destination {
            call.twoXX = SIPTwoXXRetransmitter(response: ok, now: now, timers: timers)
            call.twoXXDestination = destination
            retransmitting2xx.insert(callID)
        }
        ok.set(.contentLength, String(ok.body.count))
        calls[callID] = call
        respond(ok, transaction: transaction)
        publishState(callID)
    }

    /// An UPDATE from the peer (RFC 3311): a new offer answered in its 200 (no ACK follows), or, without a body, a
    /// session refresh (RFC 4028).
    func handleUpdate(_ request: SIPMessage, callID: String, transaction: SIPServerTransactionID) {
        guard var call = calls[callID], let ok = midCallAnswer(request, call: &call, transaction: transaction, method: .update) else { return }
        calls[callID] = call
        respond(ok, transaction: transaction)
        publishState(callID)
    }

    /// The 200 to a mid-call re-INVITE or UPDATE: our answer to its offer (or, for a re-INVITE without one, our offer,
    /// answered in the ACK), with the session timer; nil when an error response went out instead (491 glare, 422,
    /// 488: the call goes on with the old session, §14.2).
    private func midCallAnswer(_ request: SIPMessage, call: inout CallSession, transaction: SIPServerTransactionID, method: SIPMethod) -> SIPMessage? {
        guard let local = call.media, call.reinvite == nil, call.twoXX == nil || method == .update && request.body.isEmpty else {
            // Glare (§14.2, RFC 3311 §5.2): our own offer is pending, or the peer's previous one is not yet ACKed.
            var r = SIPResponseBuilder.response(to: request, status: call.media == nil ? 500 : 491, toTag: nil)
            r.set("Retry-After", "1")
            respond(r, transaction: transaction)
            return nil
        }
        if let tooSmall = sessionIntervalTooSmall(request, toTag: nil) {
            respond(tooSmall, transaction: transaction)
            return nil
        }
        var ok = SIPResponseBuilder.response(to: request, status: 200, toTag: nil)
        RequestFactory.decorate(&ok, contact: call.dialog?.localContact)
        applySessionTimer(request: request, response: &ok, call: &call)
        let negotiation = media.with(call.preferences)
        if request.body.isEmpty {
            guard method == .invite else { return ok }  // UPDATE without offer: only a refresh
            media.sessionVersion += 1
            ok.body = negotiation.offer(address: local.address, port: local.port, direction: call.localDirection)
            call.offerInAck = true
        } else {
            media.sessionVersion += 1
            switch negotiation.answer(offerBody: request.body, address: local.address, port: local.port, direction: call.localDirection) {
            case .failure(let failure):
                var r = SIPResponseBuilder.response(to: request, status: 488, toTag: nil)
                r.set("Warning", "304 sip-client \"\(failure.description)\"")
                respond(r, transaction: transaction)
                return nil
            case .success(let answer):
                ok.body = answer.body
                call.codec = CodecName(answer.audio.codec.encoding)
                call.remoteMedia = MediaNegotiation.remoteMedia(answer.audio)
                if let peer = MediaNegotiation.peerDirection(body: request.body), let holds = Self.peerHolds(peer) { call.remoteHold = holds }
                call.refreshHoldState()
            }
        }
        ok.set(.contentType, "application/sdp")
        ok.set(.contentLength, String(ok.body.count))
        return ok
    }

    /// Whether the peer's SDP direction puts the call on hold (RFC 3264 §8.4, RFC 6337 §5.3): it offers or answers
    /// sendonly or inactive. nil when it cannot tell: an inactive answer to our inactive offer.
    static func peerHolds(_ peer: MediaDirection, answering ourOffer: MediaDirection? = nil) -> Bool? {
        if ourOffer == .inactive, peer == .inactive { return nil }
        return peer == .sendonly || peer == .inactive
    }

    /// The call a Replaces header value names (RFC 3891 §3: Call-ID, to-tag = our tag, from-tag = the peer's), if it is
    /// answered, or still ringing and placed by us (early-only is refused, §3).
    func replacedCall(_ value: String) -> String? {
        let parts = value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let callID = parts.first, !callID.isEmpty else { return nil }
        var params: [String: String] = [:]
        for p in parts.dropFirst() {
            let kv = p.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2 { params[kv[0].lowercased()] = kv[1] }
        }
        guard let toTag = params["to-tag"], let fromTag = params["from-tag"], let id = callByDialogKey[CallSession.dialogKey(callID: callID, localTag: toTag)],
              let call = calls[id], call.isAnswered, call.dialog?.id.remoteTag == fromTag else { return nil }
        return id
    }

    /// The incoming call an INVITE with this key (`inviteKey`: Call-ID, From tag, CSeq) started, if it is still there:
    /// the INVITE is a retransmission.
    func callForRetransmittedInvite(_ key: String?) -> String? {
        guard let key else { return nil }
        guard let id = callByInvite[key] else { return nil }
        guard calls[id] != nil else {
            callByInvite[key] = nil  // the call ended
            return nil
        }
        return id
    }

    /// Call-ID, From tag and CSeq: what makes an INVITE the same INVITE again (§17.2.3, with a To tag absent).
    static func inviteKey(_ request: SIPMessage) -> String? {
        guard let callID = try? request.callID(), let fromTag = (try? request.from()?.tag).flatMap({ $0 }),
              let cseq = try? request.cseq() else { return nil }
        return "\(callID)\u{1}\(fromTag)\u{1}\(cseq.sequence)"
    }

    func callForInDialog(_ request: SIPMessage) -> String? {
        guard let callID = try? request.callID(), let tag = (try? request.to()?.tag).flatMap({ $0 }) else { return nil }
        return callByDialogKey[CallSession.dialogKey(callID: callID, localTag: tag)]
    }

    // MARK: small answers

    func optionsResponse(to request: SIPMessage) -> SIPMessage {
        var r = SIPResponseBuilder.response(to: request, status: 200, toTag: toTag(for: request))
        RequestFactory.decorate(&r)
        r.set(.accept, RequestFactory.accept)
        r.set("Accept-Encoding", "identity")
        r.set("Accept-Language", "en")
        r.set(.supported, Self.supportedOptions.joined(separator: ", "))
        return r
    }

    func methodNotAllowed(_ request: SIPMessage) -> SIPMessage {
        var r = SIPResponseBuilder.response(to: request, status: 405, toTag: toTag(for: request))
        RequestFactory.decorate(&r)
        return r
    }

    func toTag(for request: SIPMessage) -> String? {
        ((try? request.to()?.tag).flatMap { $0 }) == nil ? SIPRandomToken.make(length: 10) : nil
    }

    static func isWildcard(_ host: String) -> Bool { host == "0.0.0.0" || host == "::" || host.isEmpty }
}
