import Wire

/// The client commands (docs/PROTOCOL.md §4, orch), decoded with the `OrchAPI` types: a defect is answered `bad_args`
/// at once. Most pass on to sig, the call's media worker or sip-audio with the component's typed result as the answer;
/// placing, answering, transferring and the conference have flows of their own (their files).
extension CallCoordinator {
    mutating func clientCommand(_ request: Request, _ client: Client) {
        do {
            try serve(request, client)
        } catch {
            answer(client, error: error)
        }
    }

    private mutating func serve(_ request: Request, _ client: Client) throws(WireError) {
        switch request.command {
        case OrchAPI.Calls.name:
            answer(client, typed: OrchAPI.Calls.Result(calls: calls.summaries(at: context.date)))
        case OrchAPI.Register.name:
            let account = try request.decode(OrchAPI.Register.self).account
            accounts[account.aor] = account
            emit(.setSigAccounts(Array(accounts.values)))
            forwardToSig(SigAPI.AccountAdd(account), timeout: .seconds(40), client)
        case OrchAPI.Unregister.name:
            let aor = try request.decode(OrchAPI.Unregister.self).aor
            accounts[aor] = nil
            emit(.setSigAccounts(Array(accounts.values)))
            forwardToSig(SigAPI.AccountRemove(aor: aor), timeout: .seconds(40), client)
        case OrchAPI.Call.name:
            placeCall(PlaceCall(try request.decode(OrchAPI.Call.self), call: nil, headers: nil, purpose: .client(client)))
        case OrchAPI.Answer.name:
            try answerCommand(try request.decode(OrchAPI.Answer.self), client)
        case OrchAPI.Reject.name:
            let reject = try request.decode(OrchAPI.Reject.self)
            guard let call = reject.call ?? onlyRingingCall() else {
                throw WireError(.badArgs, "reject needs args.call (several or no calls are waiting)")
            }
            forwardToSig(SigAPI.CallReject(call: call, code: reject.code, reason: reject.reason), timeout: .seconds(5), client)
        case OrchAPI.Hangup.name:
            hangup(try request.decode(OrchAPI.Hangup.self), client)
        case OrchAPI.Transfer.name:
            try transferCommand(try request.decode(OrchAPI.Transfer.self), client)
        case OrchAPI.Conference.name:
            try conferenceCommand(try request.decode(OrchAPI.Conference.self), client)
        case OrchAPI.Hold.name:
            let hold = try request.decode(OrchAPI.Hold.self)
            let call = try targetCall(hold.call, command: OrchAPI.Hold.name)
            // The peer has 32 s (64*T1) to answer the re-INVITE; a 491 retry adds up to 4 s.
            forwardToSig(SigAPI.CallHold(call: call, direction: hold.direction), timeout: .seconds(40), client)
        case OrchAPI.Resume.name:
            let resume = try request.decode(OrchAPI.Resume.self)
            let call = try targetCall(resume.call, command: OrchAPI.Resume.name)
            let command = SigAPI.CallResume(call: call)
            if resume.holdOthers == true {
                holdOthers(than: call, then: .resume(client, command))
            } else {
                forwardToSig(command, timeout: .seconds(40), client)
            }
        case OrchAPI.Devices.name: try forwardToAudio(OrchAPI.Devices.self, request, client)
        case OrchAPI.Mute.name: try forwardToAudio(OrchAPI.Mute.self, request, client)
        case OrchAPI.Unmute.name: try forwardToAudio(OrchAPI.Unmute.self, request, client)
        case OrchAPI.Audio.name: try forwardToAudio(OrchAPI.Audio.self, request, client)
        case OrchAPI.AudioState.name: try forwardToAudio(OrchAPI.AudioState.self, request, client)
        case OrchAPI.AudioAttach.name: try forwardToAudio(OrchAPI.AudioAttach.self, request, client)
        case OrchAPI.AudioDetach.name: try forwardToAudio(OrchAPI.AudioDetach.self, request, client)
        case OrchAPI.DTMF.name:
            let dtmf = try request.decode(OrchAPI.DTMF.self)
            let (call, worker) = try mediaOfCall(dtmf.call, command: OrchAPI.DTMF.name)
            if dtmf.method == .info {
                forwardToSig(dtmf.viaSig(call), timeout: .seconds(3), client)
            } else {
                forward(dtmf.viaWorker(call), to: worker, timeout: .seconds(3), client)
            }
        case OrchAPI.Record.name:
            let record = try request.decode(OrchAPI.Record.self)
            let (call, worker) = try mediaOfCall(record.call, command: OrchAPI.Record.name)
            forward(record.forwarded(call: call), to: worker, timeout: .seconds(3), client)
        case OrchAPI.CallStats.name:
            let stats = try request.decode(OrchAPI.CallStats.self)
            let (call, worker) = try mediaOfCall(stats.call, command: OrchAPI.CallStats.name)
            forward(stats.forwarded(call: call), to: worker, timeout: .seconds(3), client)
        default:
            throw WireError(.unknownCommand, "unknown call command '\(request.command)'")
        }
    }

    /// The call a command is about: `call`, or the only active call when there is exactly one.
    func targetCall(_ call: CallID?, command: String) throws(WireError) -> CallID {
        if let call = call ?? (calls.active.count == 1 ? calls.active.keys.first : nil) { return call }
        throw WireError(.badArgs, "\(command) needs args.call (\(calls.active.count) calls active)")
    }

    /// The incoming call waiting for an answer, when there is exactly one.
    func onlyRingingCall() -> CallID? {
        let waiting = calls.active.values.filter { $0.direction == .incoming && ($0.state == .incoming || $0.state == .ringing) }
        return waiting.count == 1 ? waiting.first?.id : nil
    }

    /// The target call and the worker carrying its media.
    private func mediaOfCall(_ call: CallID?, command: String) throws(WireError) -> (CallID, String) {
        let call = try targetCall(call, command: command)
        guard let worker = calls.active[call]?.worker else { throw WireError(.notFound, "no call '\(call)' with media") }
        return (call, worker)
    }

    /// The sound devices' commands go to sip-audio as they are; its answer is the client's.
    private mutating func forwardToAudio<C: OrchAudioCommand>(_ type: C.Type, _ request: Request, _ client: Client) throws(WireError) {
        guard let audio = topology.audio else {
            throw WireError(.unavailable, "sip-audio is not up (restarting?); try again in a moment")
        }
        forward(try request.decode(C.self).audio, to: audio, timeout: .seconds(3), client)
    }

    // MARK: hangup of one call or of all

    /// `hangup`: the calls one after the other; with a single one, its failure is the answer.
    struct HangupAll: Sendable {
        var client: Client
        var remaining: [CallID]
        var current: CallID?
        var done: [CallID] = []
        let single: Bool
    }

    private mutating func hangup(_ command: OrchAPI.Hangup, _ client: Client) {
        let targets: [CallID]
        if command.all {
            targets = Array(calls.active.keys)
        } else if let call = command.call {
            targets = [call]
        } else if calls.active.count == 1, let only = calls.active.keys.first {
            targets = [only]
        } else {
            answer(client, error: WireError(.badArgs, "hangup needs args.call or args.all (\(calls.active.count) calls active)"))
            return
        }
        hangupNext(HangupAll(client: client, remaining: targets, single: targets.count == 1))
    }

    private mutating func hangupNext(_ flow: HangupAll) {
        var flow = flow
        guard !flow.remaining.isEmpty else {
            answer(flow.client, typed: OrchAPI.Hangup.Result(hungUp: flow.done))
            return
        }
        let call = flow.remaining.removeFirst()
        flow.current = call
        requestSig(SigAPI.CallHangup(call: call), timeout: .seconds(5), then: .hangup(flow))
    }

    mutating func hungUp(_ flow: HangupAll, _ reply: Reply) {
        var flow = flow
        if case .failure(let error) = reply.outcome, flow.single {
            answer(flow.client, error: error)
            return
        }
        if let call = flow.current { flow.done.append(call) }
        hangupNext(flow)
    }
}
