import Foundation
import SDP
import SIPCore
import SIPDialog
import SIPTransaction
import Wire

/// Our re-INVITEs (RFC 3261 §14.1): hold and resume (RFC 3264 §8.4). One at a time per call; a 491 from a peer
/// whose own re-INVITE crossed ours is retried after the randomised wait of §14.1; the session stays as it was when
/// the peer refuses.
extension SignalingService {
    /// Puts a call on hold (`hold`: offering `direction`, sendonly or inactive) or resumes it (sendrecv). Answers once
    /// the peer accepted (`{"call","state"}`) or refused (error `failed` with its status).
    func setHold(callID id: String, hold: Bool, direction: MediaDirection = .sendonly) async -> Result<SigAPI.CallHold.Result, WireError> {
        guard let call = calls[id] else { return .failure(WireError(.notFound, "no call '\(id)'")) }
        guard call.isAnswered, call.dialog != nil, call.media != nil else {
            return .failure(WireError(.failed, "call '\(id)' is \(call.state.rawValue): only an answered call can be held or resumed"))
        }
        if call.localHold == hold, !hold || call.holdDirection == direction {
            return .success(.init(call: CallID(id), state: call.wireState, changed: false))
        }
        guard call.reinvite == nil, call.twoXX == nil, reinviteWaiters[id] == nil else {
            return .failure(WireError(.unavailable, "an offer/answer exchange of call '\(id)' is in progress; try again in a moment"))
        }
        return await withCheckedContinuation { continuation in
            reinviteWaiters[id] = continuation
            if let failure = sendReinvite(id, hold: hold, direction: direction) { finishReinvite(id, .failure(failure)) }
        }
    }

    /// A new offer with `codecs` (in order) for an answered call, e.g. to fall back along a codec chain under sustained
    /// loss; hold state and SDP attributes stay. Answers once the peer accepted or refused (then the old codecs stay).
    /// `media`: a new address and port of ours (a restarted media worker could not get the old port back).
    func reoffer(callID id: String, codecs: [CodecName]?, media newMedia: MediaEndpoint? = nil) async -> Result<SigAPI.CallHold.Result, WireError> {
        guard var call = calls[id] else { return .failure(WireError(.notFound, "no call '\(id)'")) }
        guard call.isAnswered, call.dialog != nil, call.media != nil else {
            return .failure(WireError(.failed, "call '\(id)' is \(call.state.rawValue): only an answered call gets a new offer"))
        }
        var parsedCodecs: [String]?
        if let codecs {
            guard case .success(let parsed?) = MediaPreferences.parse(codecs: codecs, attributes: nil) else {
                return .failure(WireError(.badArgs, "codecs must be a non-empty list of PCMU and PCMA"))
            }
            parsedCodecs = parsed.codecs
        }
        guard call.reinvite == nil, call.twoXX == nil, reinviteWaiters[id] == nil else {
            return .failure(WireError(.unavailable, "an offer/answer exchange of call '\(id)' is in progress; try again in a moment"))
        }
        let previous = call.preferences
        if let parsedCodecs {
            var preferences = call.preferences ?? MediaPreferences()
            preferences.codecs = parsedCodecs
            call.preferences = preferences
        }
        if let newMedia { call.media = (Self.isWildcard(newMedia.address) ? call.media?.address ?? newMedia.address : newMedia.address, newMedia.port) }
        calls[id] = call
        let reply = await withCheckedContinuation { continuation in
            reinviteWaiters[id] = continuation
            if let failure = sendReinvite(id, hold: call.localHold, direction: call.holdDirection) { finishReinvite(id, .failure(failure)) }
        }
        if case .failure = reply, calls[id] != nil { calls[id]?.preferences = previous }
        return reply
    }

    /// Builds and sends the re-INVITE with our new offer; an error when the dialog cannot make one.
    @discardableResult
    func sendReinvite(_ id: String, hold: Bool, direction: MediaDirection, attempt previous: PendingReinvite? = nil) -> WireError? {
        guard let call = calls[id], let local = call.media else {
            return WireError(.notFound, "call '\(id)' ended")
        }
        media.sessionVersion += 1
        let offer = media.with(call.preferences).offer(address: local.address, port: local.port, direction: hold ? direction : .sendrecv)
        let sent: (transaction: SIPClientTransactionID, request: SIPMessage, destination: SIPTransportAddress)
        switch sendInDialog(id, method: .invite, body: offer, contentType: .sdp, headers: sessionTimerHeaders(for: call)) {
        case .failure(let error): return error
        case .success(let s): sent = s
        }
        guard var call = calls[id] else { return WireError(.notFound, "call '\(id)' ended") }
        let (transaction, request, destination) = sent
        var pending = PendingReinvite(transaction: transaction, request: request, destination: destination, hold: hold)
        pending.authAttempts = previous?.authAttempts ?? 0
        pending.glareRetries = previous?.glareRetries ?? 0
        call.holdDirection = hold ? direction : call.holdDirection
        call.reinvite = pending
        calls[id] = call
        return nil
    }

    /// A final response to our re-INVITE: 2xx applies the answer and is ACKed by us (§13.2.2.4); 401/407 retries with
    /// credentials; 491 retries after §14.1's wait; anything else leaves the session as it was.
    func reinviteResponse(_ response: SIPMessage, callID id: String) {
        guard var call = calls[id], let pending = call.reinvite, let code = response.statusCode, code >= 200 else { return }
        call.reinvite = nil
        calls[id] = call
        if code == 481 || code == 408 {  // §12.2.1.2: the dialog is gone at the peer
            end(id, code: code, reason: "dialog gone at the peer (\(code))", normal: false)
            return
        }
        switch code {
        case 200...299:
            call.authenticator?.confirm()
            if var dialog = call.dialog {
                _ = try? dialog.receiveResponse(response)  // a target refresh: the peer's Contact may have changed (§12.2.1.2)
                sendAck(for: pending.request, in: dialog, call: &call)
                sessionTimerFromAnswer(response, call: &call)
            }
            call.localHold = pending.hold
            if let remote = MediaNegotiation.remoteMedia(answerBody: response.body) {
                call.remoteMedia = remote
                call.codec = remote.codec
            }
            if let peer = MediaNegotiation.peerDirection(body: response.body),
               let holds = Self.peerHolds(peer, answering: call.localDirection) { call.remoteHold = holds }
            call.refreshHoldState()
            calls[id] = call
            publishState(id, code: code)
            finishReinvite(id, .success(.init(call: CallID(id), state: call.wireState, changed: true)))
        case _ where (code == 401 || code == 407) && pending.authAttempts < 2 && call.authenticator != nil:
            do {
                _ = try call.authenticator!.handleChallenge(response, challenging: pending.request)
                calls[id] = call
                var retry = pending
                retry.authAttempts += 1
                if let failure = sendReinvite(id, hold: pending.hold, direction: call.holdDirection, attempt: retry) { finishReinvite(id, .failure(failure)) }
            } catch {
                calls[id] = call
                finishReinvite(id, .failure(WireError(.failed, "the peer wants credentials for the re-INVITE (\(code)): \(error)")))
            }
        case 491 where pending.glareRetries < 3:
            // §14.1: the owner of the Call-ID (who placed the call) waits 2.1-4 s, the other side 0-2 s.
            calls[id] = call
            let wait = call.direction == .outgoing ? Int.random(in: 2100...4000) : Int.random(in: 0...2000)
            var retry = pending
            retry.glareRetries += 1
            let hold = pending.hold, direction = call.holdDirection
            Task {
                try? await Task.sleep(for: .milliseconds(wait))
                self.retryReinvite(id, hold: hold, direction: direction, attempt: retry)
            }
        default:
            calls[id] = call
            let reason = "\(code) \(response.reasonPhrase ?? "")".trimmingCharacters(in: .whitespaces)
            finishReinvite(id, .failure(WireError(.failed, "the peer refused the re-INVITE: \(reason); the call goes on as it was")))
        }
    }

    private func retryReinvite(_ id: String, hold: Bool, direction: MediaDirection, attempt: PendingReinvite) {
        guard let call = calls[id], call.reinvite == nil else { return finishReinvite(id, .failure(WireError(.notFound, "call '\(id)' ended"))) }
        if let failure = sendReinvite(id, hold: hold, direction: direction, attempt: attempt) { finishReinvite(id, .failure(failure)) }
    }

    /// Answers whoever waits for this call's re-INVITE (a call that ends answers with an error).
    func finishReinvite(_ id: String, _ reply: Result<SigAPI.CallHold.Result, WireError>) {
        reinviteWaiters.removeValue(forKey: id)?.resume(returning: reply)
    }

    /// Builds the next request of a call's dialog (§12.2.1.1), stamps its Via, adds the call's credentials, and starts
    /// its client transaction; its responses come back through `inDialogTransactions`.
    func sendInDialog(_ id: String, method: SIPMethod, body: [UInt8] = [], contentType: SIPMediaType? = nil, headers: [SIPHeaderField] = [])
        -> Result<(transaction: SIPClientTransactionID, request: SIPMessage, destination: SIPTransportAddress), WireError> {
        guard var call = calls[id], var dialog = call.dialog else { return .failure(WireError(.notFound, "call '\(id)' has no dialog")) }
        let outgoing: SIPDialogOutgoingRequest
        do {
            outgoing = try dialog.makeRequest(method: method, body: body, contentType: contentType,
                                              extraHeaders: headers + [SIPHeaderField(.allow, RequestFactory.allow), SIPHeaderField("User-Agent", RequestFactory.userAgent)])
        } catch {
            return .failure(WireError(.failed, "cannot build the \(method) request: \(error)"))
        }
        var request = outgoing.message
        request.set(.contentLength, String(request.body.count))
        let destination = RequestFactory.destination(for: outgoing.nextHop, default: call.transport)
        RequestFactory.stampVia(&request, local: advertised(destination.transport, towards: destination.host))
        call.authenticator?.authorize(&request)
        call.dialog = dialog
        calls[id] = call
        guard let transaction = startTransaction(request, to: destination) else {
            return .failure(WireError(.internal, "could not start the \(method) transaction"))
        }
        inDialogTransactions[transaction] = id
        return .success((transaction, request, destination))
    }
}
