import SIPCore
import SIPSession
import SIPTransaction
import Wire

/// What arrives, routed to the call it belongs to (RFC 3261 §8.2, §12.2.2, §17): requests in dialogs by Call-ID and our
/// tag, responses by their transaction, CANCEL by the INVITE it cancels. What belongs to no call is answered here:
/// OPTIONS, 405, 481, 420, and the table's verdicts on new INVITEs (call limit, unknown user, Replaces).
extension SignalingService {
    func handleRequest(_ request: SIPMessage, from: SIPTransportAddress, transaction: SIPServerTransactionID) {
        guard let method = request.method else { return }
        if let unsupported = UASResponses.unsupportedRequire(request, random: &context.random) {
            respond(unsupported, transaction: transaction)
            return
        }
        if (try? request.to()?.tag).flatMap({ $0 }) != nil {
            inDialogRequest(request, method: method, transaction: transaction)
            return
        }
        switch method {
        case .invite: newInvite(request, from: from, transaction: transaction)
        case .cancel: handleCancel(request, transaction: transaction)
        case .options: respond(UASResponses.options(to: request, random: &context.random), transaction: transaction)
        case .bye:
            // A BYE without a To tag cannot belong to any dialog of ours.
            respond(SIPResponseBuilder.response(to: request, status: 481, toTag: toTag(for: request)), transaction: transaction)
        default:
            respond(UASResponses.methodNotAllowed(request, random: &context.random), transaction: transaction)
        }
    }

    // MARK: new calls

    private func newInvite(_ request: SIPMessage, from: SIPTransportAddress, transaction: SIPServerTransactionID) {
        if let existing = sessionForRetransmittedInvite(InviteSession.inviteKey(request)) {
            // The INVITE came again after our 2xx ended its transaction: answer with the same 2xx, start nothing new.
            withSession(existing) { $0.receive(retransmittedInvite: request, transaction: transaction, now: $2, context: &$1) }
            return
        }
        let tag = SIPRandomToken.make(length: 10, using: &context.random)
        if sessions.count >= settings.maxCalls {
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
                respond(SIPResponseBuilder.response(to: request, status: 481, reason: "Replaced Dialog Does Not Exist", toTag: tag),
                        transaction: transaction)
                return
            }
            replaced = match
        }
        let invite = IncomingInvite(request: request, transaction: transaction, from: from,
                                    responseDestination: transactions.responseDestination(for: transaction), localTag: tag, replaces: replaced)
        let (created, actions) = InviteSession.incoming(invite, now: now, context: &context)
        guard let session = created else { return perform(actions, for: nil) }
        // Auto-answer with a slot orch left us (answered in this same pass); a call replacing another is orch's to decide.
        let slot = replaced == nil ? takeAnswerSlot() : nil
        let handle = insert(session)
        perform(actions, for: handle)
        withSession(handle) { $0.alert(answeringWith: slot, now: $2, context: &$1) }
    }

    /// The call a Replaces header value names (RFC 3891 §3: Call-ID, to-tag = our tag, from-tag = the peer's), if it is
    /// answered.
    func replacedCall(_ value: String) -> String? {
        guard let replaces = ReplacesHeader(value),
              let handle = callByDialogKey[InviteSession.dialogKey(callID: replaces.callID, localTag: replaces.toTag)],
              let session = sessions[handle], session.isReplaceable(fromTag: replaces.fromTag) else { return nil }
        return session.id
    }

    /// The incoming call an INVITE with this key (Call-ID, From tag, CSeq) started, if it is still there: the INVITE is
    /// a retransmission.
    private func sessionForRetransmittedInvite(_ key: String?) -> SessionHandle? {
        guard let key, let handle = callByInvite[key] else { return nil }
        guard hasSession(handle) else {
            callByInvite[key] = nil  // the call ended
            return nil
        }
        return handle
    }

    // MARK: CANCEL, ACK, in-dialog

    private func handleCancel(_ cancel: SIPMessage, transaction: SIPServerTransactionID) {
        guard let invite = transactions.matchingInvite(forCancel: cancel) else {
            respond(SIPResponseBuilder.response(to: cancel, status: 481, toTag: toTag(for: cancel)), transaction: transaction)
            return
        }
        if let handle = callByServerTransaction[invite], hasSession(handle) {
            withSession(handle) { $0.receive(cancel: cancel, transaction: transaction, now: $2, context: &$1) }
            return
        }
        // An INVITE of no call (answered by the table already): 200 to the CANCEL, and 487 if it still waits (§9.2).
        let tag = toTag(for: cancel)
        respond(SIPResponseBuilder.response(to: cancel, status: 200, toTag: tag), transaction: transaction)
        if transactions.isAwaitingFinalResponse(invite), let request = transactions.request(for: invite) {
            respond(SIPResponseBuilder.response(to: request, status: 487, toTag: tag), transaction: invite)
        }
    }

    func handleAck(_ ack: SIPMessage) {
        guard let handle = sessionForInDialog(ack) else { return }  // ACK is never answered
        withSession(handle) { $0.receive(ack: ack, now: $2, context: &$1) }
    }

    private func inDialogRequest(_ request: SIPMessage, method: SIPMethod, transaction: SIPServerTransactionID) {
        guard let handle = sessionForInDialog(request) else {
            if method == .options { respond(UASResponses.options(to: request, random: &context.random), transaction: transaction); return }
            respond(SIPResponseBuilder.response(to: request, status: 481, toTag: nil), transaction: transaction)
            return
        }
        let destination = method == .invite ? transactions.responseDestination(for: transaction) : nil
        withSession(handle) { $0.receive(request: request, transaction: transaction, responseDestination: destination, now: $2, context: &$1) }
    }

    func sessionForInDialog(_ request: SIPMessage) -> SessionHandle? {
        guard let callID = try? request.callID(), let tag = (try? request.to()?.tag).flatMap({ $0 }) else { return nil }
        return callByDialogKey[InviteSession.dialogKey(callID: callID, localTag: tag)]
    }

    func toTag(for request: SIPMessage) -> String? { UASResponses.toTag(for: request, random: &context.random) }

    // MARK: responses

    func handleResponse(_ response: SIPMessage, transaction: SIPClientTransactionID) {
        if let aor = accountByTransaction[transaction] {
            accountResponse(response, aor: aor)
            return
        }
        guard let (handle, purpose) = clientTransactions[transaction] else { return }
        withSession(handle) { $0.receive(response: response, purpose: purpose, now: $2, context: &$1) }
    }

    /// 2xx retransmissions (our ACK was lost) and 2xx from other forks (§13.2.2.4), found by Call-ID and our From tag.
    func handleStrayResponse(_ response: SIPMessage) {
        guard let callID = try? response.callID(), let fromTag = (try? response.from()?.tag).flatMap({ $0 }),
              let handle = callByDialogKey[InviteSession.dialogKey(callID: callID, localTag: fromTag)] else { return }
        withSession(handle) { $0.receive(strayResponse: response, now: $2, context: &$1) }
    }

    func handleClientFailure(_ transaction: SIPClientTransactionID, _ failure: RequestFailure) {
        if let aor = accountByTransaction[transaction] {
            accountTimeout(aor: aor)
            return
        }
        guard let (handle, purpose) = clientTransactions[transaction] else { return }
        withSession(handle) { $0.requestFailed(purpose: purpose, failure: failure, now: $2, context: &$1) }
    }
}
