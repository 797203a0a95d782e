import Wire

/// The local three-way conference: our user, and the peers of two (or more) calls, each hearing the others. The
/// mixing happens in sip-audio, which already meets every call's audio on one tick (see ConferenceMix); orch takes
/// the members off hold, attaches them with the microphone, and tells sip-audio who is in.
extension Orchestrator {
    /// `conference {"calls":[A,B,...]}` joins them; `{"calls":[]}` ends the conference (the calls stay up).
    func conferenceCommand(_ args: [String: JSONValue]) async -> Reply {
        guard let list = args["calls"]?.arrayValue?.compactMap(\.stringValue), list.count != 1, list.count <= 8 else {
            return Reply(id: "", error: WireError(.badArgs, "conference needs args.calls: two or more call ids (at most 8), or [] to end it"))
        }
        guard let audio = core.upComponents(role: "audio").first else {
            return Reply(id: "", error: WireError(.unavailable, "sip-audio is not up (restarting?); the conference is mixed there"))
        }
        for call in list {
            guard let record = calls.active[call], ["connected", "held", "remote-held"].contains(record.state) else {
                return Reply(id: "", error: WireError(.failed, "call '\(call)' is not answered; only answered calls join a conference"))
            }
        }
        for call in list where calls.active[call]?.state == "held" {
            let reply = await requestSig("call.resume", ["call": .string(call)], timeout: .seconds(40))
            if case .failure(let e) = reply.outcome { return Reply(id: "", error: WireError(.failed, "could not resume '\(call)' for the conference: \(e.message)")) }
        }
        for call in list {
            guard let record = calls.active[call] else { return Reply(id: "", error: WireError(.notFound, "call '\(call)' ended")) }
            let attach: [String: JSONValue] = ["call": .string(call), "streams": ["playback": .init(Int(record.playbackStream)),
                                                                               "capture": .init(Int(record.captureStream))]]
            if case .failure(let e) = await requestComponent(audio, "audio.attach", attach, timeout: .seconds(3)).outcome {
                return Reply(id: "", error: e)
            }
            calls.update(call) { $0.audioAttached = true }
        }
        conference = Set(list)
        let reply = await requestComponent(audio, "audio.conference", ["calls": .array(list.map { .string($0) })], timeout: .seconds(3))
        if case .success = reply.outcome { events?.publish("call.conference", ["calls": .array(list.sorted().map { .string($0) })]) }
        return reply
    }

    /// A member that ended leaves the conference; with one member left it is an ordinary call again.
    func leaveConference(_ callID: String) {
        guard conference.remove(callID) != nil else { return }
        if conference.count < 2 { conference = [] }
        events?.publish("call.conference", ["calls": .array(conference.sorted().map { .string($0) }), "left": .string(callID)])
    }
}
