import Wire

/// The local three-way conference: our user, and the peers of two (or more) calls, each hearing the others. The
/// mixing happens in sip-audio, which already meets every call's audio on one tick (see ConferenceMix); orch takes the
/// members off hold, attaches them with the microphone, and tells sip-audio who is in:
///
///     call.resume each held member ──► audio.attach each member ──► audio.conference ──► call.conference
///
/// Each step answers the client with its failure; `{"calls":[]}` ends the conference (the calls stay up).
extension CallCoordinator {
    struct ConferenceFlow: Sendable {
        enum Stage: Sendable {
            case resuming
            case attaching
            case mixing
        }

        var client: Client
        var audio: String
        var members: [CallID]
        var stage = Stage.resuming
        /// The member the current step is about.
        var next = 0
    }

    static let conferenceStates: Set<CallState> = [.connected, .held, .remoteHeld]

    mutating func conferenceCommand(_ command: OrchAPI.Conference, _ client: Client) throws(WireError) {
        guard let audio = topology.audio else {
            throw WireError(.unavailable, "sip-audio is not up (restarting?); the conference is mixed there")
        }
        for call in command.calls {
            guard let record = calls.active[call], Self.conferenceStates.contains(record.state) else {
                throw WireError(.failed, "call '\(call)' is not answered; only answered calls join a conference")
            }
        }
        resumeNextMember(ConferenceFlow(client: client, audio: audio, members: command.calls))
    }

    mutating func conferenceStep(_ flow: ConferenceFlow, _ reply: Reply) {
        // `next` has moved past the member the reply is about.
        let call = flow.next > 0 ? flow.members[flow.next - 1] : ""
        switch flow.stage {
        case .resuming:
            if case .failure(let error) = reply.outcome {
                answer(flow.client, error: WireError(.failed, "could not resume '\(call)' for the conference: \(error.message)"))
                return
            }
            resumeNextMember(flow)
        case .attaching:
            if case .failure(let error) = reply.typed(AudioAPI.Attach.Result.self) {
                answer(flow.client, error: error)
                return
            }
            calls.update(call) { $0.audioAttached = true }
            attachNextMember(flow)
        case .mixing:
            let outcome = reply.typed(AudioAPI.Conference.Result.self)
            if case .success = outcome { publish(CallConferenceEvent(calls: flow.members.sorted())) }
            answer(flow.client, outcome.map(\.wire))
        }
    }

    /// The held members are resumed one after the other (the state is looked at as each turn comes).
    private mutating func resumeNextMember(_ flow: ConferenceFlow) {
        var flow = flow
        while flow.next < flow.members.count {
            let call = flow.members[flow.next]
            flow.next += 1
            guard calls.active[call]?.state == .held else { continue }
            requestSig(SigAPI.CallResume(call: call), timeout: .seconds(40), then: .conference(flow))
            return
        }
        flow.stage = .attaching
        flow.next = 0
        attachNextMember(flow)
    }

    private mutating func attachNextMember(_ flow: ConferenceFlow) {
        var flow = flow
        guard flow.next < flow.members.count else {
            conference = Set(flow.members)
            flow.stage = .mixing
            request(AudioAPI.Conference(calls: flow.members), to: flow.audio, timeout: .seconds(3), then: .conference(flow))
            return
        }
        let call = flow.members[flow.next]
        flow.next += 1
        guard let record = calls.active[call] else {
            answer(flow.client, error: WireError(.notFound, "call '\(call)' ended"))
            return
        }
        request(AudioAPI.Attach(call: call, streams: record.streams), to: flow.audio, timeout: .seconds(3), then: .conference(flow))
    }

    /// A member that ended leaves the conference; with one member left it is an ordinary call again.
    mutating func leaveConference(_ call: CallID) {
        guard conference.remove(call) != nil else { return }
        if conference.count < 2 { conference = [] }
        publish(CallConferenceEvent(calls: conference.sorted(), left: call))
    }
}
