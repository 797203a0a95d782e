import SDP
import SIPCore
import SIPDialog
import SIPTransaction
import Timebase
import Wire

/// Mid-call offers (RFC 3261 §14, RFC 3311 UPDATE, RFC 3264 §8.4 hold), both ways.
///
/// Ours: one re-INVITE at a time (hold, resume, a new offer, a session refresh); the command that asked answers once
/// the peer did. A 491 (the peer's own re-INVITE crossed ours) is retried after §14.1's random wait: 2.1-4 s for the
/// owner of the Call-ID (who placed the call), 0-2 s for the other side. The session stays as it was when the peer
/// refuses.
/// The peer's: a re-INVITE or UPDATE is answered with our same address and our own direction (sendonly while we
/// hold); a peer offering sendonly or inactive holds the call. One that crosses ours gets 491.
extension InviteSession {
    // MARK: the peer's offers

    /// A re-INVITE from the peer (§14.2): hold/resume or a new address; without an offer, ours goes in the 2xx and its
    /// answer comes in the ACK.
    mutating func handleReInvite(_ request: SIPMessage, transaction: SIPServerTransactionID, destination: SIPTransportAddress?,
                                 _ step: inout SessionStep) {
        guard var ok = midCallAnswer(request, transaction: transaction, method: .invite, &step) else { return }
        ok.set(.contentLength, String(ok.body.count))
        if destination != nil { startRetransmitting2xx(ok, to: destination, &step) }
        step.respond(ok, on: transaction)
        publishState(&step)
    }

    /// An UPDATE from the peer (RFC 3311): a new offer answered in its 200 (no ACK follows), or, without a body, a
    /// session refresh (RFC 4028).
    mutating func handleUpdate(_ request: SIPMessage, transaction: SIPServerTransactionID, _ step: inout SessionStep) {
        guard let ok = midCallAnswer(request, transaction: transaction, method: .update, &step) else { return }
        step.respond(ok, on: transaction)
        publishState(&step)
    }

    /// The 200 to a mid-call re-INVITE or UPDATE: our answer to its offer (or, for a re-INVITE without one, our offer),
    /// with the session timer; nil when an error response went out instead (491 glare, 422, 488: the call goes on with
    /// the old session, §14.2).
    private mutating func midCallAnswer(_ request: SIPMessage, transaction: SIPServerTransactionID, method: SIPMethod,
                                        _ step: inout SessionStep) -> SIPMessage? {
        guard let local = media, reinvite == nil, twoXX == nil || method == .update && request.body.isEmpty else {
            // Glare (§14.2, RFC 3311 §5.2): our own offer is pending, or the peer's previous one is not yet ACKed.
            var r = SIPResponseBuilder.response(to: request, status: media == nil ? 500 : 491, toTag: nil)
            r.set("Retry-After", "1")
            step.respond(r, on: transaction)
            return nil
        }
        if let tooSmall = Self.sessionIntervalTooSmall(request, toTag: nil, step.settings) {
            step.respond(tooSmall, on: transaction)
            return nil
        }
        var ok = SIPResponseBuilder.response(to: request, status: 200, toTag: nil)
        RequestFactory.decorate(&ok, contact: dialog?.localContact)
        applySessionTimer(request: request, response: &ok, &step)
        // The SDP carries the origin version as it was before this exchange counted (as sig always wrote it).
        let negotiation = step.context.media.with(preferences)
        if request.body.isEmpty {
            guard method == .invite else { return ok }  // UPDATE without offer: only a refresh
            step.context.media.sessionVersion += 1
            ok.body = negotiation.offer(address: local.address, port: local.port, direction: localDirection)
            offerInAck = true
        } else {
            step.context.media.sessionVersion += 1
            switch negotiation.answer(offerBody: request.body, address: local.address, port: local.port, direction: localDirection) {
            case .failure(let failure):
                var r = SIPResponseBuilder.response(to: request, status: 488, toTag: nil)
                r.set("Warning", "304 sip-client \"\(failure.description)\"")
                step.respond(r, on: transaction)
                return nil
            case .success(let answer):
                ok.body = answer.body
                codec = CodecName(answer.audio.codec.encoding)
                remoteMedia = MediaNegotiation.remoteMedia(answer.audio)
                if let peer = MediaNegotiation.peerDirection(body: request.body), let holds = Self.peerHolds(peer) { remoteHold = holds }
                refreshHoldState()
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

    // MARK: our offers

    /// An offer/answer exchange of ours or the peer's is under way: a new one must wait.
    var offerInProgress: Bool { reinvite != nil || glareRetry != nil || twoXX != nil }

    /// Puts the call on hold (offering `direction`, sendonly or inactive) or resumes it (sendrecv). Answers (nil here:
    /// later, through `reply`) once the peer accepted or refused (error `failed` with its status).
    mutating func setHold(_ hold: Bool, direction: MediaDirection, reply: ReplyToken?, _ step: inout SessionStep) -> Result<CommandReply, WireError>? {
        guard isAnswered, dialog != nil, media != nil else {
            return .failure(WireError(.failed, "call '\(id)' is \(state.rawValue): only an answered call can be held or resumed"))
        }
        if localHold == hold, !hold || holdDirection == direction {
            return .success(.hold(.init(call: CallID(id), state: wireState, changed: false)))
        }
        guard !offerInProgress, offerReply == nil else { return .failure(exchangeInProgress) }
        offerReply = PendingOfferReply(token: reply, restore: nil)
        if let failure = sendReinvite(hold: hold, direction: direction, &step) { finishReinvite(.failure(failure), &step) }
        return nil
    }

    /// A new offer with `codecs` (in order) for an answered call, e.g. to fall back along a codec chain under
    /// sustained loss; hold state and SDP attributes stay, and so do the old codecs when the peer refuses.
    /// `newMedia`: a new address and port of ours (a restarted media worker could not get the old port back).
    mutating func reoffer(codecs: [CodecName]?, media newMedia: MediaEndpoint?, reply: ReplyToken?,
                          _ step: inout SessionStep) -> Result<CommandReply, WireError>? {
        guard isAnswered, dialog != nil, media != nil else {
            return .failure(WireError(.failed, "call '\(id)' is \(state.rawValue): only an answered call gets a new offer"))
        }
        var parsedCodecs: [String]?
        if let codecs {
            guard case .success(let parsed?) = MediaPreferences.parse(codecs: codecs, attributes: nil) else {
                return .failure(WireError(.badArgs, "codecs must be a non-empty list of PCMU and PCMA"))
            }
            parsedCodecs = parsed.codecs
        }
        guard !offerInProgress, offerReply == nil else { return .failure(exchangeInProgress) }
        offerReply = PendingOfferReply(token: reply, restore: .some(preferences))
        if let parsedCodecs {
            var updated = preferences ?? MediaPreferences()
            updated.codecs = parsedCodecs
            preferences = updated
        }
        if let newMedia { media = (Self.isWildcard(newMedia.address) ? media?.address ?? newMedia.address : newMedia.address, newMedia.port) }
        if let failure = sendReinvite(hold: localHold, direction: holdDirection, &step) { finishReinvite(.failure(failure), &step) }
        return nil
    }

    private var exchangeInProgress: WireError {
        WireError(.unavailable, "an offer/answer exchange of call '\(id)' is in progress; try again in a moment")
    }

    /// Builds and sends the re-INVITE with our new offer; an error when the dialog cannot make one.
    @discardableResult
    mutating func sendReinvite(hold: Bool, direction: MediaDirection, attempt previous: PendingReinvite? = nil,
                               _ step: inout SessionStep) -> WireError? {
        guard let local = media else { return WireError(.notFound, "call '\(id)' ended") }
        step.context.media.sessionVersion += 1
        let offer = step.context.media.with(preferences).offer(address: local.address, port: local.port, direction: hold ? direction : .sendrecv)
        let sent: (request: SIPMessage, destination: SIPTransportAddress)
        switch sendInDialog(.invite, purpose: .reinvite, body: offer, contentType: .sdp, headers: sessionTimerHeaders(step.settings), &step) {
        case .failure(let error): return error
        case .success(let s): sent = s
        }
        if hold { holdDirection = direction }
        var pending = PendingReinvite(request: sent.request, destination: sent.destination, hold: hold, direction: holdDirection)
        pending.authAttempts = previous?.authAttempts ?? 0
        pending.glareRetries = previous?.glareRetries ?? 0
        reinvite = pending
        return nil
    }

    /// A final response to our re-INVITE: 2xx applies the answer and is ACKed by us (§13.2.2.4); 401/407 retries with
    /// credentials; 491 retries after §14.1's wait; anything else leaves the session as it was.
    mutating func reinviteResponse(_ response: SIPMessage, _ step: inout SessionStep) {
        guard let pending = reinvite, let code = response.statusCode, code >= 200 else { return }
        reinvite = nil
        if code == 481 || code == 408 {  // §12.2.1.2: the dialog is gone at the peer
            end(code: code, reason: "dialog gone at the peer (\(code))", normal: false, &step)
            return
        }
        switch code {
        case 200...299:
            authenticator?.confirm()
            if var dialog {
                _ = try? dialog.receiveResponse(response)  // a target refresh: the peer's Contact may have changed (§12.2.1.2)
                sendAck(for: pending.request, in: dialog, &step)
                sessionTimerFromAnswer(response, &step)
            }
            localHold = pending.hold
            if let remote = MediaNegotiation.remoteMedia(answerBody: response.body) {
                remoteMedia = remote
                codec = remote.codec
            }
            if let peer = MediaNegotiation.peerDirection(body: response.body), let holds = Self.peerHolds(peer, answering: localDirection) {
                remoteHold = holds
            }
            refreshHoldState()
            publishState(&step, code: code)
            finishReinvite(.success(.init(call: CallID(id), state: wireState, changed: true)), &step)
        case _ where (code == 401 || code == 407) && pending.authAttempts < 2 && authenticator != nil:
            do {
                _ = try authenticator!.handleChallenge(response, challenging: pending.request)
                var retry = pending
                retry.authAttempts += 1
                if let failure = sendReinvite(hold: pending.hold, direction: holdDirection, attempt: retry, &step) {
                    finishReinvite(.failure(failure), &step)
                }
            } catch {
                finishReinvite(.failure(WireError(.failed, "the peer wants credentials for the re-INVITE (\(code)): \(error)")), &step)
            }
        case 491 where pending.glareRetries < 3:
            // §14.1: the owner of the Call-ID (who placed the call) waits 2.1-4 s, the other side 0-2 s.
            let wait = direction == .outgoing ? Int.random(in: 2100...4000, using: &step.context.random)
                                              : Int.random(in: 0...2000, using: &step.context.random)
            var retry = pending
            retry.glareRetries += 1
            retry.direction = holdDirection
            glareRetry = retry
            step.add(.arm(.glareRetry, at: step.now + .milliseconds(wait)))
        default:
            let reason = "\(code) \(response.reasonPhrase ?? "")".trimmingCharacters(in: .whitespaces)
            finishReinvite(.failure(WireError(.failed, "the peer refused the re-INVITE: \(reason); the call goes on as it was")), &step)
        }
    }

    /// §14.1's wait after a 491 is over: the same offer again, unless another exchange started meanwhile.
    mutating func retryAfterGlare(_ step: inout SessionStep) {
        guard let retry = glareRetry else { return }
        glareRetry = nil
        guard reinvite == nil else { return finishReinvite(.failure(WireError(.notFound, "call '\(id)' ended")), &step) }
        if let failure = sendReinvite(hold: retry.hold, direction: retry.direction, attempt: retry, &step) { finishReinvite(.failure(failure), &step) }
    }

    /// Answers whoever waits for our offer (a refused reoffer gets its old codecs back).
    mutating func finishReinvite(_ result: Result<SigAPI.CallHold.Result, WireError>, _ step: inout SessionStep) {
        guard let pending = offerReply else { return }
        offerReply = nil
        if case .failure = result, case .some(let previous) = pending.restore { preferences = previous }
        if let token = pending.token { step.add(.reply(token, result.map { .hold($0) })) }
    }
}
