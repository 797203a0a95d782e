import Wire

/// Answering an incoming call (`answer`, auto-answer, and the new call of an attended transfer that replaces ours):
///
///     (hold_others: call.hold each other call we talk in, one by one)
///     media.allocate (least loaded worker first) ──success──► record's media ──► sig call.answer ──► answer
///            │ no worker could
///            ▼
///     sig call.reject 503 ──► error
///
/// A call sig answered at once from an answer slot never comes here (CallCoordinator+Events.swift).
extension CallCoordinator {
    struct AnswerCall: Sendable {
        enum Purpose: Sendable {
            case client(Client)
            /// RFC 3891: the new call takes the place of `old` (attended transfer): answered at once, the old one ended.
            case replaces(old: CallID)
            case automatic
        }

        var call: CallID
        /// The client's `codecs` / `sdp_attributes` for this call, passed on to sig.
        var codecs: [CodecName]?
        var sdpAttributes: [String]?
        var purpose: Purpose
    }

    /// Call waiting and switching: every other call we are talking in (`connected`, or held by its peer) goes on hold
    /// before the call is answered or resumed, so the user speaks to one party at a time.
    struct HoldOthers: Sendable {
        enum Then: Sendable {
            case answer(AnswerCall)
            case resume(Client, SigAPI.CallResume)
        }

        var remaining: [CallID]
        var current: CallID?
        var then: Then
    }

    mutating func answerCommand(_ command: OrchAPI.Answer, _ client: Client) throws(WireError) {
        guard let call = command.call ?? onlyRingingCall() else {
            throw WireError(.badArgs, "answer needs args.call (several or no calls are waiting)")
        }
        let flow = AnswerCall(call: call, codecs: command.codecs, sdpAttributes: command.sdpAttributes, purpose: .client(client))
        if command.holdOthers == true {
            holdOthers(than: call, then: .answer(flow))
        } else {
            answerCall(flow)
        }
    }

    mutating func answerCall(_ flow: AnswerCall) {
        guard calls.active[flow.call] != nil else {
            answered(flow, .failure(WireError(.notFound, "no call '\(flow.call)'")))
            return
        }
        allocateMedia(for: flow.call, purpose: .answer(flow))
    }

    mutating func answerAllocated(_ flow: AnswerCall, _ allocation: Result<MediaAPI.Allocate.Result, WireError>) {
        switch allocation {
        case .failure(let error):
            requestSig(SigAPI.CallReject(call: flow.call, code: 503), timeout: .seconds(5), then: .reject503(flow, error))
        case .success(let media):
            calls.update(flow.call) {
                $0.worker = media.worker
                $0.mediaPort = media.port
            }
            let answer = SigAPI.CallAnswer(call: flow.call, media: MediaEndpoint(address: media.address, port: media.port),
                                           codecs: flow.codecs, sdpAttributes: flow.sdpAttributes)
            requestSig(answer, timeout: .seconds(5), then: .answer(flow))
        }
    }

    /// sig answered the call (or the answer failed).
    mutating func answered(_ flow: AnswerCall, _ outcome: Result<SigAPI.CallAnswer.Result, WireError>) {
        switch flow.purpose {
        case .client(let client):
            answer(client, outcome.map(\.wire))
        case .replaces(let old):
            guard case .success = outcome else { return }
            requestSig(SigAPI.CallHangup(call: old), timeout: .seconds(5), then: .replaced(old: old, new: flow.call))
        case .automatic:
            break
        }
    }

    mutating func holdOthers(than call: CallID, then: HoldOthers.Then) {
        let others = calls.active.values.filter {
            $0.id != call && ($0.state == .connected || $0.state == .remoteHeld) && !conference.contains($0.id)
        }
        holdNext(HoldOthers(remaining: others.map(\.id), then: then))
    }

    private mutating func holdNext(_ flow: HoldOthers) {
        var flow = flow
        guard !flow.remaining.isEmpty else {
            switch flow.then {
            case .answer(let answer): answerCall(answer)
            case .resume(let client, let resume): forwardToSig(resume, timeout: .seconds(40), client)
            }
            return
        }
        let other = flow.remaining.removeFirst()
        flow.current = other
        requestSig(SigAPI.CallHold(call: other), timeout: .seconds(40), then: .holdOthers(flow))
    }

    mutating func held(_ flow: HoldOthers, _ reply: Reply) {
        if case .failure(let error) = reply.outcome, let other = flow.current {
            log(.warning, "could not hold a call", ["call": "\(other)", "error": "\(error)"])
        }
        holdNext(flow)
    }
}
