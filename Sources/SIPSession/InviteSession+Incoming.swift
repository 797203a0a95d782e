import SDP
import SIPCore
import SIPDialog
import SIPTransaction
import Timebase
import Wire

/// A new INVITE for us as the adapter hands it over, once the table decided it may become a call (not a
/// retransmission, within the call limit, for one of our users, and naming a live call if it carries Replaces).
public struct IncomingInvite: Sendable {
    public var request: SIPMessage
    public var transaction: SIPServerTransactionID
    public var from: SIPTransportAddress
    /// Where the transaction's responses go (§18.2.2).
    public var responseDestination: SIPTransportAddress?
    /// Our To tag for every response (the table's rejections used it too).
    public var localTag: String
    /// Our call this one replaces (RFC 3891, attended transfer).
    public var replaces: String?

    public init(request: SIPMessage, transaction: SIPServerTransactionID, from: SIPTransportAddress, responseDestination: SIPTransportAddress?,
                localTag: String, replaces: String?) {
        self.request = request
        self.transaction = transaction
        self.from = from
        self.responseDestination = responseDestination
        self.localTag = localTag
        self.replaces = replaces
    }
}

/// The UAS side (RFC 3261 §8.2, §13.3): an INVITE that reaches us, ringing, our answer or rejection, the caller's
/// CANCEL, and the ACK our 2xx waits for.
extension InviteSession {
    /// Screens a new INVITE (session interval, body type, a codec in common, a usable dialog) and makes the call;
    /// with no session, the actions carry the rejection. `alert(answeringWith:...)` then rings or answers at once.
    public static func incoming(_ invite: IncomingInvite, now: MonotonicTime,
                                context: inout SessionContext) -> (session: InviteSession?, actions: [SessionAction]) {
        var session: InviteSession?
        let actions = SessionStep.run(now: now, context: &context) { step in session = screen(invite, &step) }
        return (session, actions)
    }

    private static func screen(_ invite: IncomingInvite, _ step: inout SessionStep) -> InviteSession? {
        let (request, transaction, tag) = (invite.request, invite.transaction, invite.localTag)
        if let tooSmall = sessionIntervalTooSmall(request, toTag: tag, step.settings) {
            step.respond(tooSmall, on: transaction)
            return nil
        }
        let hasOffer = !request.body.isEmpty
        var offered: RemoteMedia?
        if hasOffer {
            if let type = try? request.contentType(), type.essence != "application/sdp" {
                var r = SIPResponseBuilder.response(to: request, status: 415, toTag: tag)
                r.set(.accept, RequestFactory.accept)
                step.respond(r, on: transaction)
                return nil
            }
            // Reject before ringing when no codec is in common (the answer is built again with real ports later).
            switch step.context.media.answer(offerBody: request.body, address: "127.0.0.1", port: 9) {
            case .failure(let failure):
                step.log("INVITE rejected: \(failure.description)", cause: "488", call: nil)
                var r = SIPResponseBuilder.response(to: request, status: 488, toTag: tag)
                r.set("Warning", "304 sip-client \"\(failure.description)\"")
                step.respond(r, on: transaction)
                return nil
            case .success(let answer):
                offered = MediaNegotiation.remoteMedia(answer.audio)
            }
        }
        guard let sipCallID = try? request.callID() else { return nil }
        let local = step.context.advertised(invite.from.transport, towards: invite.from.host)
        let contact = RequestFactory.contact(user: request.requestURI?.user, local: local)
        let dialog: SIPDialog
        do {
            dialog = try SIPDialog.uas(request: request, localTag: tag, localContact: contact, transport: invite.from.transport)
        } catch {
            step.log("INVITE cannot create a dialog: \(error)", cause: "bad-invite", call: nil)
            step.respond(SIPResponseBuilder.response(to: request, status: 400, reason: "Bad Request (\(error))", toTag: tag), on: transaction)
            return nil
        }
        var call = InviteSession(id: "c" + step.context.token(12), direction: .incoming, state: .incoming, sipCallID: sipCallID, localTag: tag,
                                 remote: (try? request.from()?.uri.description) ?? "", local: request.requestURI?.description ?? "")
        call.request = request
        call.serverTransaction = transaction
        call.serverTransactionLive = true
        call.responseDestination = invite.responseDestination
        call.dialog = dialog
        call.transport = invite.from.transport
        call.offerInAck = !hasOffer
        call.incoming = IncomingDetails(replaces: invite.replaces, offered: offered)
        return call
    }

    /// Rings (100, then 180, reliable when the caller requires 100rel) and tells orch; with an answer slot orch left
    /// us, answers at once instead: the 200 OK goes out in this same pass, with no 100 or 180 before it (RFC 3261
    /// §8.2.6.1: a final response within 200 ms needs no 100).
    public mutating func alert(answeringWith slot: AnswerSlot?, now: MonotonicTime, context: inout SessionContext) -> [SessionAction] {
        SessionStep.run(now: now, context: &context) { step in
            guard let request, let transaction = serverTransaction, let details = incoming else { return }
            incoming = nil
            if slot == nil {
                step.respond(SIPResponseBuilder.response(to: request, status: 100, toTag: nil), on: transaction)
                var ringing = SIPResponseBuilder.response(to: request, status: 180, toTag: localTag)
                RequestFactory.decorate(&ringing, contact: dialog?.localContact)
                if ((try? request.require()) ?? []).contains(where: { $0.lowercased() == "100rel" }) { makeReliable(&ringing, &step) }
                step.respond(ringing, on: transaction)
            }
            var event = CallIncomingEvent(call: CallID(id), sipCallID: sipCallID, from: remote, to: local,
                                          replaces: details.replaces.map { CallID($0) }, referredBy: request.firstValue(SIPHeaderName("Referred-By")),
                                          answered: slot)
            event.remoteMedia = details.offered
            step.emit(.incoming(event))
            publishState(&step)
            if let slot { _ = answer(address: slot.address, port: slot.port, preferences: nil, &step) }
        }
    }

    /// True while the INVITE can still get its final response.
    var awaitingFinalResponse: Bool { serverTransactionLive && !finalResponseSent }

    /// Answers with our SDP: an answer to the offer, or an offer when the INVITE had none (answered in the ACK).
    mutating func answer(address: String, port: UInt16, preferences: MediaPreferences?, _ step: inout SessionStep)
        -> Result<SigAPI.CallAnswer.Result, WireError> {
        guard direction == .incoming else { return .failure(WireError(.notFound, "no incoming call '\(id)'")) }
        guard !isAnswered, state != .terminated, let request, let transaction = serverTransaction, awaitingFinalResponse else {
            return .failure(WireError(.unavailable, "call '\(id)' can no longer be answered"))
        }
        let peerHost = responseDestination?.host ?? "127.0.0.1"
        let mediaHost = Self.isWildcard(address) ? step.context.advertised(transport, towards: peerHost).host : address
        media = (mediaHost, port)
        if let preferences { self.preferences = preferences }
        let negotiation = step.context.media.with(self.preferences)
        let body: [UInt8]
        if offerInAck {
            body = negotiation.offer(address: mediaHost, port: port)
        } else {
            switch negotiation.answer(offerBody: request.body, address: mediaHost, port: port) {
            case .failure(let failure):
                step.respond(SIPResponseBuilder.response(to: request, status: 488, toTag: localTag), on: transaction)
                finalResponseSent = true
                end(code: 488, reason: failure.description, normal: false, &step)
                return .failure(WireError(.failed, failure.description))
            case .success(let answer):
                body = answer.body
                codec = CodecName(answer.audio.codec.encoding)
                remoteMedia = MediaNegotiation.remoteMedia(answer.audio)
            }
        }
        var ok = SIPResponseBuilder.response(to: request, status: 200, toTag: localTag)
        RequestFactory.decorate(&ok, contact: dialog?.localContact)
        ok.set(.contentType, "application/sdp")
        ok.body = body
        ok.set(.contentLength, String(body.count))
        applySessionTimer(request: request, response: &ok, &step)
        stopReliableProvisional(&step)  // a 2xx may follow an unacknowledged reliable 180; it is not resent (RFC 3262 §3)
        if var dialog { _ = try? dialog.didSendResponse(ok); self.dialog = dialog }
        state = .connected
        finalResponse = ok
        // The INVITE server transaction ends with the 2xx; we retransmit it until the ACK (§13.3.1.4).
        startRetransmitting2xx(ok, to: responseDestination, &step)
        step.respond(ok, on: transaction)
        finalResponseSent = true
        publishState(&step)
        return .success(.init(call: CallID(id), codec: codec))
    }

    mutating func reject(code: Int, reason: String?, _ step: inout SessionStep) -> Result<CallReference, WireError> {
        guard direction == .incoming, let request, let transaction = serverTransaction, !isAnswered else {
            return .failure(WireError(.notFound, "no unanswered incoming call '\(id)'"))
        }
        guard (300...699).contains(code) else { return .failure(WireError(.badArgs, "code must be 300-699, got \(code)")) }
        var r = SIPResponseBuilder.response(to: request, status: code, reason: reason, toTag: localTag)
        RequestFactory.decorate(&r)
        if code == 503 { r.set("Retry-After", String(step.settings.retryAfter)) }
        step.respond(r, on: transaction, judged: false)
        finalResponseSent = true
        end(code: code, reason: "rejected with \(code)", normal: true, &step)
        return .success(CallReference(call: CallID(id)))
    }

    // MARK: CANCEL, ACK, 2xx retransmission

    /// §9.2: 200 to the CANCEL; the INVITE, still unanswered, gets 487 and the call ends.
    mutating func handleCancel(_ cancel: SIPMessage, transaction: SIPServerTransactionID, _ step: inout SessionStep) {
        step.respond(SIPResponseBuilder.response(to: cancel, status: 200, toTag: localTag), on: transaction)
        guard awaitingFinalResponse, let request, let invite = serverTransaction else { return }
        step.respond(SIPResponseBuilder.response(to: request, status: 487, toTag: localTag), on: invite)
        finalResponseSent = true
        if !isAnswered { end(code: 487, reason: "cancelled by caller", normal: true, &step) }
    }

    mutating func handleAck(_ ack: SIPMessage, _ step: inout SessionStep) {
        if twoXX != nil {
            twoXX?.acknowledge()
            twoXX = nil
            step.add(.disarm(.retransmit2xx))
        }
        guard offerInAck, !ack.body.isEmpty else { return }
        remoteMedia = MediaNegotiation.remoteMedia(answerBody: ack.body)
        codec = remoteMedia?.codec
        if let peer = MediaNegotiation.peerDirection(body: ack.body), let holds = Self.peerHolds(peer, answering: localDirection) { remoteHold = holds }
        refreshHoldState()
        offerInAck = false
        publishState(&step)
    }

    /// Our 2xx to an INVITE over UDP: resent at T1, 2T1 ... T2 until the ACK; given up after 64*T1.
    mutating func startRetransmitting2xx(_ ok: SIPMessage, to destination: SIPTransportAddress?, _ step: inout SessionStep) {
        guard !transport.isReliable else { return }
        let retransmitter = SIPTwoXXRetransmitter(response: ok, now: step.now, timers: step.timers)
        twoXX = retransmitter
        twoXXDestination = destination
        if let due = retransmitter.nextDeadline { step.add(.arm(.retransmit2xx, at: due)) }
    }

    mutating func retransmit2xx(_ step: inout SessionStep) {
        guard var retransmitter = twoXX else { return }
        for action in retransmitter.advance(to: step.now) {
            switch action {
            case .retransmit(let response):
                if let to = twoXXDestination { step.add(.send(response, to: to)) }
            case .gaveUp:
                // §13.3.1.4: no ACK for our 2xx within 64*T1: end the call with BYE.
                twoXX = nil
                step.log("no ACK for 200 OK", cause: "ack-timeout", call: id)
                _ = hangup(reason: "no ACK from peer", normal: false, &step)
                return
            }
        }
        twoXX = retransmitter.state == .retransmitting ? retransmitter : nil
        if let due = twoXX?.nextDeadline { step.add(.arm(.retransmit2xx, at: due)) }
    }
}

/// What an incoming call carries from its screening to its alerting.
struct IncomingDetails: Sendable {
    var replaces: String?
    var offered: RemoteMedia?
}
