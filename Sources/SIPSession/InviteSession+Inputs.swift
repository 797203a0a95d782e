import SDP
import SIPCore
import SIPDialog
import SIPTransaction
import Timebase
import Wire

/// orch's commands to one call, as a session takes them (decoded from their `SigAPI` types by the adapter).
public enum SessionCommand: Sendable {
    /// `call.answer` (or an answer slot): our SDP with this address and port; the call's own codecs and attributes.
    case answer(media: MediaEndpoint, preferences: MediaPreferences?)
    case reject(SigAPI.CallReject)
    case hangup(SigAPI.CallHangup)
    /// A hangup sig decides itself (shutting down, a transfer that succeeded).
    case end(reason: String, normal: Bool)
    case hold(SigAPI.CallHold)
    case resume(SigAPI.CallResume)
    case reoffer(SigAPI.CallReoffer)
    /// `call.transfer`; `partner` is our other call for an attended transfer (`replaces`), as the table found it.
    case transfer(SigAPI.CallTransfer, partner: TransferPartner?)
    case referNotify(SigAPI.CallReferNotify)
    case dtmfInfo(SigAPI.CallDTMFInfo)

    /// The error for a command naming a call the table does not have (each command words it as it always did).
    public func notFound(_ call: String) -> WireError {
        switch self {
        case .answer: WireError(.notFound, "no incoming call '\(call)'")
        case .reject: WireError(.notFound, "no unanswered incoming call '\(call)'")
        case .referNotify: WireError(.notFound, "call '\(call)' has no REFER from its peer in progress")
        default: WireError(.notFound, "no call '\(call)'")
        }
    }
}

/// Our other call in an attended transfer: its id, and the Refer-To that names its peer with Replaces (nil when it
/// is not an answered call with a dialog).
public struct TransferPartner: Sendable {
    public var call: String
    public var referTo: String?
    public init(call: String, referTo: String?) {
        self.call = call
        self.referTo = referTo
    }
}

/// The entry points: everything the adapter matched to this call, with the time and the shared context.
extension InviteSession {
    /// A request inside this call's dialog (its To tag is ours), with its server transaction and where its responses go.
    public mutating func receive(request: SIPMessage, transaction: SIPServerTransactionID, responseDestination: SIPTransportAddress?,
                                 now: MonotonicTime, context: inout SessionContext) -> [SessionAction] {
        SessionStep.run(now: now, context: &context) { step in
            inDialogRequest(request, transaction: transaction, responseDestination: responseDestination, &step)
        }
    }

    /// A response to a request this session sent, tagged with what the request was for.
    public mutating func receive(response: SIPMessage, purpose: RequestPurpose, now: MonotonicTime,
                                 context: inout SessionContext) -> [SessionAction] {
        SessionStep.run(now: now, context: &context) { step in
            switch purpose {
            case .invite: inviteResponse(response, &step)
            case .reinvite where reinvite != nil: reinviteResponse(response, &step)
            case .refer where referOut != nil: if !referResponse(response, &step) { inDialogResponse(response, &step) }
            case .info where infoQueue?.inFlight == true: if !infoResponse(response, &step) { inDialogResponse(response, &step) }
            case .notify, .prack, .cancel, .forkBye: break  // their answers concern no state of the call (RFC 5057)
            default: inDialogResponse(response, &step)
            }
        }
    }

    /// An ACK in this call's dialog: for our 2xx to an INVITE or re-INVITE (§13.3.1.4), perhaps with the answer to the
    /// offer we made in it.
    public mutating func receive(ack: SIPMessage, now: MonotonicTime, context: inout SessionContext) -> [SessionAction] {
        SessionStep.run(now: now, context: &context) { step in handleAck(ack, &step) }
    }

    /// A 2xx to our INVITE that no transaction matched: a retransmission (our ACK was lost) or another fork's answer.
    public mutating func receive(strayResponse response: SIPMessage, now: MonotonicTime, context: inout SessionContext) -> [SessionAction] {
        SessionStep.run(now: now, context: &context) { step in strayResponse(response, &step) }
    }

    /// A CANCEL for our INVITE server transaction (found by the transaction layer, §9.2).
    public mutating func receive(cancel: SIPMessage, transaction: SIPServerTransactionID, now: MonotonicTime,
                                 context: inout SessionContext) -> [SessionAction] {
        SessionStep.run(now: now, context: &context) { step in handleCancel(cancel, transaction: transaction, &step) }
    }

    /// The caller's INVITE again, on a new server transaction: our 2xx ended the first one (§17.2.1).
    public mutating func receive(retransmittedInvite request: SIPMessage, transaction: SIPServerTransactionID, now: MonotonicTime,
                                 context: inout SessionContext) -> [SessionAction] {
        SessionStep.run(now: now, context: &context) { step in
            if let ok = finalResponse { step.respond(ok, on: transaction) }
            else { step.respond(SIPResponseBuilder.response(to: request, status: 482, toTag: nil), on: transaction) }
        }
    }

    /// A request of ours got no final response: no answer in time, or the transport failed (§12.2.1.2: for a request
    /// in the dialog, that ends the dialog; for the INVITE, the call); or the transaction layer refused to start it.
    public mutating func requestFailed(purpose: RequestPurpose, failure: RequestFailure, now: MonotonicTime,
                                       context: inout SessionContext) -> [SessionAction] {
        SessionStep.run(now: now, context: &context) { step in
            let (code, reason): (Int, String)
            switch failure {
            case .timeout: (code, reason) = (408, "no answer from peer (timeout)")
            case .transport: (code, reason) = (503, "cannot reach the peer (transport error)")
            case .notStarted: return requestNotStarted(purpose, &step)
            }
            switch purpose {
            case .cancel, .forkBye: return
            case .invite: inviteInFlight = false
            default: break
            }
            end(code: code, reason: reason, normal: false, &step)
        }
    }

    /// A request that never went out: what waited for it learns so; the call goes on, except for its INVITE.
    private mutating func requestNotStarted(_ purpose: RequestPurpose, _ step: inout SessionStep) {
        let failure = WireError(.internal, "could not start the \(purpose.method) transaction")
        switch purpose {
        case .invite:
            inviteInFlight = false
            end(code: 500, reason: failure.message, normal: false, &step)
        case .reinvite:
            reinvite = nil
            finishReinvite(.failure(failure), &step)
        case .refer:
            referOut = nil
            if let reply = transferReply {
                transferReply = nil
                step.add(.reply(reply, .failure(failure)))
            }
        case .info:
            infoQueue = nil
        case .cancel, .update, .prack, .bye, .forkBye, .notify:
            break
        }
    }

    /// The INVITE server transaction ended (after our final response, or a transport failure): nothing can be
    /// answered on it any more.
    public mutating func inviteTransactionEnded() {
        serverTransactionLive = false
    }

    /// One of orch's commands; its reply (to `reply`) may come later, when the peer answers.
    public mutating func handle(_ command: SessionCommand, reply: ReplyToken?, now: MonotonicTime,
                                context: inout SessionContext) -> [SessionAction] {
        SessionStep.run(now: now, context: &context) { step in
            let result: Result<CommandReply, WireError>?
            switch command {
            case .answer(let media, let preferences):
                result = answer(address: media.address, port: media.port, preferences: preferences, &step).map(CommandReply.answered)
            case .reject(let c):
                result = reject(code: c.code ?? SigAPI.CallReject.defaultCode, reason: c.reason, &step).map(CommandReply.reference)
            case .hangup:
                result = hangup(reason: "local hangup", normal: true, &step).map(CommandReply.reference)
            case .end(let reason, let normal):
                result = hangup(reason: reason, normal: normal, &step).map(CommandReply.reference)
            case .hold(let c):
                result = setHold(true, direction: c.direction.flatMap { MediaDirection(rawValue: $0.rawValue) } ?? .sendonly, reply: reply, &step)
            case .resume:
                result = setHold(false, direction: .sendonly, reply: reply, &step)
            case .reoffer(let c):
                result = reoffer(codecs: c.codecs, media: c.media, reply: reply, &step)
            case .transfer(let c, let partner):
                result = transfer(target: c.target, replacing: c.replaces?.rawValue, partner: partner, reply: reply, &step)
            case .referNotify(let c):
                result = referNotify(code: c.code, reason: c.reason, &step).map(CommandReply.referNotify)
            case .dtmfInfo(let c):
                result = sendInfoDTMF(digits: c.digits, durationMs: c.durationMs ?? SigAPI.CallDTMFInfo.defaultDurationMs, &step).map(CommandReply.dtmfInfo)
            }
            if let result, let reply { step.add(.reply(reply, result)) }
        }
    }

    /// A timer this session armed is due.
    public mutating func timerFired(_ timer: SessionTimerName, now: MonotonicTime, context: inout SessionContext) -> [SessionAction] {
        SessionStep.run(now: now, context: &context) { step in
            guard state != .terminated else { return }
            switch timer {
            case .retransmit2xx: retransmit2xx(&step)
            case .cancelDeadline: cancelDeadlinePassed(&step)
            case .sessionTimer: sessionTimerDue(&step)
            case .reliableProvisional: retransmitReliableProvisional(&step)
            case .glareRetry: retryAfterGlare(&step)
            }
        }
    }

    // MARK: in-dialog requests

    /// §12.2.2: the dialog checks the request (CSeq order, target refresh), then each method goes to its verb.
    mutating func inDialogRequest(_ request: SIPMessage, transaction: SIPServerTransactionID, responseDestination: SIPTransportAddress?,
                                  _ step: inout SessionStep) {
        guard let method = request.method else { return }
        guard var dialog else {
            if method == .options { step.respond(UASResponses.options(to: request, random: &step.context.random), on: transaction); return }
            step.respond(SIPResponseBuilder.response(to: request, status: 481, toTag: nil), on: transaction)
            return
        }
        switch dialog.receiveRequest(request) {
        case .reject(let code, let phrase):
            step.respond(SIPResponseBuilder.response(to: request, status: code, reason: phrase, toTag: nil), on: transaction)
            return
        case .accept:
            break
        }
        self.dialog = dialog
        switch method {
        case .bye:
            step.respond(SIPResponseBuilder.response(to: request, status: 200, toTag: nil), on: transaction)
            end(code: nil, reason: "remote hangup", normal: true, &step)
        case .invite: handleReInvite(request, transaction: transaction, destination: responseDestination, &step)
        case .update: handleUpdate(request, transaction: transaction, &step)
        case .options: step.respond(UASResponses.options(to: request, random: &step.context.random), on: transaction)
        case .info: handleInfo(request, transaction: transaction, &step)
        case .prack: handlePrack(request, transaction: transaction, &step)
        case .refer: handleRefer(request, transaction: transaction, &step)
        case .notify: handleNotify(request, transaction: transaction, &step)
        default: step.respond(UASResponses.methodNotAllowed(request, random: &step.context.random), on: transaction)
        }
    }

    /// A final response to an in-dialog request nothing else claimed (BYE, a stale re-INVITE): 481 or 408 mean the
    /// dialog is gone at the peer (§12.2.1.2); otherwise the dialog takes note (a target refresh).
    mutating func inDialogResponse(_ response: SIPMessage, _ step: inout SessionStep) {
        guard let code = response.statusCode, code >= 200 else { return }
        if code == 481 || code == 408 {
            end(code: code, reason: "dialog gone at the peer (\(code))", normal: false, &step)
            return
        }
        if var dialog {
            _ = try? dialog.receiveResponse(response)
            self.dialog = dialog
        }
    }

    /// Builds the next request of the dialog (§12.2.1.1), stamps its Via, adds the call's credentials, and starts its
    /// client transaction with `purpose`.
    @discardableResult
    mutating func sendInDialog(_ method: SIPMethod, purpose: RequestPurpose, body: [UInt8] = [], contentType: SIPMediaType? = nil,
                               headers: [SIPHeaderField] = [], _ step: inout SessionStep)
        -> Result<(request: SIPMessage, destination: SIPTransportAddress), WireError> {
        guard var dialog else { return .failure(WireError(.notFound, "call '\(id)' has no dialog")) }
        let outgoing: SIPDialogOutgoingRequest
        do {
            outgoing = try dialog.makeRequest(method: method, body: body, contentType: contentType,
                                              extraHeaders: headers + [SIPHeaderField(.allow, RequestFactory.allow),
                                                                       SIPHeaderField("User-Agent", RequestFactory.userAgent)])
        } catch {
            return .failure(WireError(.failed, "cannot build the \(method) request: \(error)"))
        }
        var request = outgoing.message
        request.set(.contentLength, String(request.body.count))
        let destination = RequestFactory.destination(for: outgoing.nextHop, default: transport)
        step.context.stampVia(&request, local: step.context.advertised(destination.transport, towards: destination.host))
        authenticator?.authorize(&request)
        self.dialog = dialog
        step.add(.startTransaction(request, to: destination, purpose: purpose, sendNow: true))
        return .success((request, destination))
    }
}
