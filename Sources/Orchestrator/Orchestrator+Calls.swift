import Bus
import Foundation
import Logging
import Wire

/// Calls and registrations: orch owns their state and wires each call's pieces — a port pair from the least
/// loaded media worker, handed to sig for the SDP — and forwards the softphone commands to sig.
extension Orchestrator {
    static let callCommands: Set<String> = ["register", "unregister", "call", "answer", "reject", "hangup", "calls", "dtmf", "call_stats", "hold", "resume", "transfer", "conference", "record",
                                                  "devices", "mute", "unmute", "audio", "audio_state", "audio_attach", "audio_detach"]

    func answerCallCommand(_ request: Request) async -> Reply {
        let id = request.id
        let args = request.args
        switch request.command {
        case "calls":
            return Reply(id: id, result: ["calls": calls.activeJSON])
        case "register":
            guard let aor = args["aor"]?.stringValue, !aor.isEmpty else {
                return Reply(id: id, error: WireError(.badArgs, "register needs args.aor, e.g. sip:alice@example.com"))
            }
            accounts[aor] = .object(args)
            core.setExtraConfig("accounts", .array(Array(accounts.values)), forRole: "sig")
            let reply = await requestSig("account.add", args, timeout: .seconds(40))
            return Reply(id: id, outcome: reply.outcome)
        case "unregister":
            guard let aor = args["aor"]?.stringValue else {
                return Reply(id: id, error: WireError(.badArgs, "unregister needs args.aor"))
            }
            accounts[aor] = nil
            core.setExtraConfig("accounts", .array(Array(accounts.values)), forRole: "sig")
            let reply = await requestSig("account.remove", args, timeout: .seconds(40))
            return Reply(id: id, outcome: reply.outcome)
        case "call":
            return Reply(id: id, outcome: await placeCall(args).outcome)
        case "answer":
            guard let callID = args["call"]?.stringValue ?? onlyRingingCall() else {
                return Reply(id: id, error: WireError(.badArgs, "answer needs args.call (several or no calls are waiting)"))
            }
            if args["hold_others"]?.boolValue == true { await holdOthers(than: callID) }
            return Reply(id: id, outcome: await answerCall(callID, preferences: args.filter { ["codecs", "sdp_attributes"].contains($0.key) }).outcome)
        case "reject":
            guard let callID = args["call"]?.stringValue ?? onlyRingingCall() else {
                return Reply(id: id, error: WireError(.badArgs, "reject needs args.call (several or no calls are waiting)"))
            }
            var forward = args
            forward["call"] = .string(callID)
            return Reply(id: id, outcome: await requestSig("call.reject", forward, timeout: .seconds(5)).outcome)
        case "hangup":
            let targets: [String]
            if args["all"]?.boolValue == true { targets = Array(calls.active.keys) }
            else if let callID = args["call"]?.stringValue { targets = [callID] }
            else if calls.active.count == 1, let only = calls.active.keys.first { targets = [only] }
            else { return Reply(id: id, error: WireError(.badArgs, "hangup needs args.call or args.all (\(calls.active.count) calls active)")) }
            var results: [JSONValue] = []
            for callID in targets {
                let reply = await requestSig("call.hangup", ["call": .string(callID)], timeout: .seconds(5))
                if case .failure(let e) = reply.outcome, targets.count == 1 { return Reply(id: id, error: e) }
                results.append(.string(callID))
            }
            return Reply(id: id, result: ["hung_up": .array(results)])
        case "transfer":
            return Reply(id: id, outcome: await transferCall(args).outcome)
        case "conference":
            return Reply(id: id, outcome: await conferenceCommand(args).outcome)
        case "hold", "resume":
            let callID: String
            switch targetCall(args, command: request.command) {
            case .success(let c): callID = c
            case .failure(let e): return Reply(id: id, error: e)
            }
            var forward = args
            forward["call"] = .string(callID)
            forward["hold_others"] = nil
            if request.command == "resume", args["hold_others"]?.boolValue == true { await holdOthers(than: callID) }
            // The peer has 32 s (64*T1) to answer the re-INVITE; a 491 retry adds up to 4 s.
            return Reply(id: id, outcome: await requestSig("call.\(request.command)", forward, timeout: .seconds(40)).outcome)
        case "devices", "mute", "unmute", "audio", "audio_state", "audio_attach", "audio_detach":
            return await answerAudioCommand(request)
        case "dtmf", "call_stats", "record":
            let callID: String
            switch targetCall(args, command: request.command) {
            case .success(let c): callID = c
            case .failure(let e): return Reply(id: id, error: e)
            }
            guard let worker = calls.active[callID]?.worker else {
                return Reply(id: id, error: WireError(.notFound, "no call '\(callID)' with media"))
            }
            var forward = args
            forward["call"] = .string(callID)
            if request.command == "dtmf", let method = args["method"]?.stringValue, method != "rfc4733" {
                guard method == "info" else {
                    return Reply(id: id, error: WireError(.badArgs, "dtmf method must be rfc4733 (the default) or info"))
                }
                return Reply(id: id, outcome: await requestSig("call.dtmf_info", forward, timeout: .seconds(3)).outcome)
            }
            let command = ["dtmf": "media.dtmf", "record": "media.record"][request.command] ?? "media.stats"
            return Reply(id: id, outcome: await requestComponent(worker, command, forward, timeout: .seconds(3)).outcome)
        default:
            return Reply(id: id, error: WireError(.unknownCommand, "unknown call command '\(request.command)'"))
        }
    }

    // MARK: events from components

    func componentEvent(_ event: Event, from peer: String) {
        defer { if event.type.hasPrefix("call.") || event.type == "registration.state" { flushJournal() } }
        var data = event.data
        data["source"] = .string(peer)
        events?.publish(event.type, data)
        switch event.type {
        case "registration.state":
            if let aor = data["aor"]?.stringValue {
                data["source"] = nil
                registrations[aor] = data
                if data["state"]?.stringValue == "unregistered", accounts[aor] == nil { registrations[aor] = nil }
            }
        case "call.incoming":
            guard let callID = data["call"]?.stringValue else { return }
            var record = CallRecord(id: callID, direction: "incoming", state: "incoming", remote: data["from"]?.stringValue ?? "")
            record.local = data["to"]?.stringValue
            assignStreams(&record)
            if let answered = data["answered"], let slot = answered["slot"]?.stringValue {
                // sig answered at once with one of our slots: the call's media goes where the slot's port pair is.
                record.worker = answered["worker"]?.stringValue
                record.mediaPort = answered["port"]?.intValue
                record.answerSlot = slot
                calls.upsert(record)
                answerSlotUsed(slot)
                return
            }
            calls.upsert(record)
            if let replaced = data["replaces"]?.stringValue, calls.active[replaced] != nil {
                // RFC 3891: the new call takes the place of `replaced` (attended transfer): answered at once, the old one ended.
                Task {
                    let reply = await self.answerCall(callID)
                    if case .success = reply.outcome {
                        _ = await self.requestSig("call.hangup", ["call": .string(replaced)], timeout: .seconds(5))
                        self.events?.publish("call.replaced", ["call": .string(replaced), "new_call": .string(callID)])
                    }
                }
            } else if config.calls.autoAnswer {
                Task { _ = await self.answerCall(callID) }
            }
        case "call.referred":
            Task { await self.followReferral(data) }
        case "call.state":
            guard let record = calls.apply(state: data) else { return }
            if referrals[record.id] != nil { reportReferral(record) }
            if record.isTerminated {
                refillAnswerSlots()  // its port pair is free again
                leaveConference(record.id)
                lossWatch[record.id] = nil
                if let worker = record.worker {
                    Task { _ = await self.requestComponent(worker, "media.release", ["call": .string(record.id)], timeout: .seconds(2)) }
                    // Answered from a slot but ended before its media started: the slot's pair is still held under the slot's id.
                    if let slot = record.answerSlot { releaseAnswerSlots([AnswerSlotRecord(id: slot, worker: worker, address: "", port: 0)], on: worker) }
                }
                detachAudio(record)
            } else {
                applyMedia(record, remote: data["remote_media"])
            }
        case "media.stats":
            if let callID = data["call"]?.stringValue, let state = data["rtp_state"] {
                calls.update(callID) { $0.rtpState = state }
            }
            followQuality(data)
        case "media.stopped":
            // The call's quality report: the final figures of its media, under one name clients can wait for.
            guard let callID = data["call"]?.stringValue, !callID.hasPrefix("slot-") else { return }  // answer slots are no calls
            var report: [String: JSONValue] = ["call": .string(callID)]
            for key in ["mos", "r_factor", "jitter_ms", "loss_pct", "packets_sent", "packets_received", "packets_lost", "rtt_ms",
                        "concealed_ms", "codec", "remote_loss_pct", "remote_jitter_ms"] {
                if let v = data[key] { report[key] = v }
            }
            if let record = calls.active[callID] ?? calls.recent.last(where: { $0.id == callID }) {
                report["duration_s"] = record.json["duration_s"]
                report["remote"] = .string(record.remote)
            }
            events?.publish("call.quality", report)
        default:
            break
        }
    }

    /// Brings a live call's media and sound in line with its state: `media.start` again whenever the SDP settled
    /// (answer, early media, re-INVITE), with the hold music while we hold; the sound devices follow the call except
    /// while we hold it (the held party is neither heard nor hears the microphone).
    func applyMedia(_ record: CallRecord, remote: JSONValue?) {
        guard ["connected", "held", "remote-held", "early"].contains(record.state), let worker = record.worker else { return }
        let music: JSONValue? = record.state == "held" && !config.calls.holdMusic.isEmpty ? .string(config.calls.holdMusic) : nil
        if let remote, remote != record.mediaApplied || music != record.holdMusicApplied {
            calls.update(record.id) { $0.mediaApplied = remote; $0.holdMusicApplied = music }
            var args: [String: JSONValue] = ["call": .string(record.id), "remote": remote,
                                             "streams": ["playback": .init(Int(record.playbackStream)),
                                                         "capture": .init(Int(record.captureStream))]]
            if let music { args["hold_music"] = music }
            if let slot = record.answerSlot, let port = record.mediaPort {
                args["slot"] = .string(slot)  // the worker moves the slot's port pair to the call
                args["port"] = .init(port)
            }
            Task {
                let reply = await self.requestComponent(worker, "media.start", args, timeout: .seconds(2))
                if case .success(let result) = reply.outcome, record.answerSlot != nil {
                    self.calls.update(record.id) { $0.answerSlot = nil }
                    if let port = result["port"]?.intValue, port != record.mediaPort, let address = result["address"]?.stringValue {
                        await self.movedFromSlot(record, port: port, address: address)
                    }
                }
                switch reply.outcome {
                case .failure(let e):
                    // Not applied after all (e.g. a restarted worker that has not taken the call back yet): the next
                    // trigger, at the latest orch's audit against sig, starts it again.
                    self.calls.update(record.id) { if $0.mediaApplied == remote { $0.mediaApplied = nil } }
                    self.logger.warning("media.start failed", metadata: ["call": "\(record.id)", "error": "\(e)"])
                case .success(let result):
                    if let problem = result["hold_music_error"]?.stringValue {
                        self.logger.warning("\(problem)", metadata: ["call": "\(record.id)"])
                        self.events?.publish("call.warning", ["call": .string(record.id), "message": .string(problem)])
                    }
                }
            }
        }
        guard calls.active[record.id]?.mediaApplied != nil, let current = calls.active[record.id] else { return }
        if record.state == "held" { detachAudio(current) } else { attachAudio(current) }
    }

    /// The call a command is about: `args.call`, or the only active call when there is exactly one.
    func targetCall(_ args: [String: JSONValue], command: String) -> Result<String, WireError> {
        if let callID = args["call"]?.stringValue ?? (calls.active.count == 1 ? calls.active.keys.first : nil) { return .success(callID) }
        return .failure(WireError(.badArgs, "\(command) needs args.call (\(calls.active.count) calls active)"))
    }

    /// Call waiting and switching: every other call we are talking in (`connected`, or held by its peer) goes on hold
    /// before `callID` is answered or resumed, so the user speaks to one party at a time.
    func holdOthers(than callID: String) async {
        let others = calls.active.values.filter { $0.id != callID && ($0.state == "connected" || $0.state == "remote-held") && !conference.contains($0.id) }
        for other in others {
            let reply = await requestSig("call.hold", ["call": .string(other.id)], timeout: .seconds(40))
            if case .failure(let e) = reply.outcome { logger.warning("could not hold a call", metadata: ["call": "\(other.id)", "error": "\(e)"]) }
        }
    }

    /// Places a call: a port pair on the least loaded media worker, then sig's `call.dial` (also for a peer's REFER).
    func placeCall(_ args: [String: JSONValue]) async -> Reply {
        guard let to = args["to"]?.stringValue, !to.isEmpty else {
            return Reply(id: "", error: WireError(.badArgs, "call needs args.to, e.g. sip:bob@127.0.0.1:5062"))
        }
        let callID = args["call"]?.stringValue ?? Self.newCallID()
        var record = CallRecord(id: callID, direction: "outgoing", state: "dialing", remote: to)
        assignStreams(&record)
        switch await allocateMedia(for: callID) {
        case .failure(let error):
            return Reply(id: "", error: error)
        case .success(let media):
            record.worker = media["worker"]?.stringValue
            record.mediaPort = media["port"]?.intValue
            var dial = args
            dial["call"] = .string(callID)
            dial["media"] = .object(media)
            record.dialArgs = .object(dial)
            calls.upsert(record)
            flushJournal()  // before the INVITE goes out: an orch crash from here on keeps the call
            let reply = await requestSig("call.dial", dial, timeout: .seconds(10))
            if case .failure = reply.outcome { await endLocally(callID, reason: "dial failed") }
            return reply
        }
    }

    // MARK: requests to components

    func requestSig(_ command: String, _ args: [String: JSONValue], timeout: Duration) async -> Reply {
        guard let sig = core.upComponents(role: "sig").first else {
            return Reply(id: "", error: WireError(.unavailable, "sip-sig is not up (restarting?); try again in a moment"))
        }
        return await requestComponent(sig, command, args, timeout: timeout)
    }

    func requestComponent(_ name: String, _ command: String, _ args: [String: JSONValue], timeout: Duration) async -> Reply {
        requestCounter += 1
        let requestID = "orch-\(requestCounter)"
        sendControl(.request(Request(id: requestID, command: command, args: args)), to: name)
        return await withCheckedContinuation { continuation in
            pendingRequests[requestID] = continuation
            Task {
                try? await Task.sleep(for: timeout)
                self.componentReplied(Reply(id: requestID, error: WireError(.timeout, "\(name) did not answer '\(command)' within \(timeout)")))
            }
        }
    }

    func componentReplied(_ reply: Reply) {
        pendingRequests.removeValue(forKey: reply.id)?.resume(returning: reply)
    }

    // MARK: call plumbing

    /// Picks the media worker with the fewest calls and asks it for a port pair.
    func allocateMedia(for callID: String) async -> Result<[String: JSONValue], WireError> {
        let load = { (w: String) in self.calls.load(of: w) + self.pendingAllocations[w, default: 0] }
        let workers = core.upComponents(role: "rtp").sorted { load($0) < load($1) }
        guard !workers.isEmpty else { return .failure(WireError(.unavailable, "no media worker is up")) }
        var lastError = WireError(.unavailable, "no media worker could allocate ports")
        for worker in workers {
            pendingAllocations[worker, default: 0] += 1
            let reply = await requestComponent(worker, "media.allocate", ["call": .string(callID)], timeout: .seconds(2))
            pendingAllocations[worker, default: 1] -= 1
            switch reply.outcome {
            case .success(let result): if case .object(let o) = result { return .success(o) }
            case .failure(let e): lastError = e
            }
        }
        return .failure(lastError)
    }

    /// `preferences`: the client's `codecs` / `sdp_attributes` for this call, passed on to sig.
    func answerCall(_ callID: String, preferences: [String: JSONValue] = [:]) async -> Reply {
        guard var record = calls.active[callID] else {
            return Reply(id: "", error: WireError(.notFound, "no call '\(callID)'"))
        }
        switch await allocateMedia(for: callID) {
        case .failure(let error):
            _ = await requestSig("call.reject", ["call": .string(callID), "code": 503], timeout: .seconds(5))
            return Reply(id: "", error: error)
        case .success(let media):
            record.worker = media["worker"]?.stringValue
            record.mediaPort = media["port"]?.intValue
            if calls.active[callID] != nil { calls.upsert(record) }
            return await requestSig("call.answer", ["call": .string(callID), "media": .object(media)].merging(preferences) { a, _ in a },
                                    timeout: .seconds(5))
        }
    }

    func endLocally(_ callID: String, reason: String) async {
        guard var record = calls.active[callID] else { return }
        record.state = "terminated"
        record.reason = reason
        record.ended = Date()
        calls.upsert(record)
        if let worker = record.worker {
            _ = await requestComponent(worker, "media.release", ["call": .string(callID)], timeout: .seconds(2))
        }
        detachAudio(record)
    }

    /// Two PCM stream ids per call: playback (decoded audio) and capture (audio to send).
    func assignStreams(_ record: inout CallRecord) {
        nextStream &+= 2
        record.playbackStream = nextStream
        record.captureStream = nextStream + 1
    }

    func onlyRingingCall() -> String? {
        let waiting = calls.active.values.filter { $0.direction == "incoming" && ($0.state == "incoming" || $0.state == "ringing") }
        return waiting.count == 1 ? waiting.first?.id : nil
    }

    static func newCallID() -> String {
        var rng = SystemRandomNumberGenerator()
        return "c" + String(rng.next(), radix: 36) + String(rng.next() & 0xFFFF, radix: 36)
    }
}
