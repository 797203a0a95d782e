import Wire

/// Events from components: each is republished as it came (with `source`), then read with its type and applied:
/// registrations, new calls, state changes (media, sound devices, slots, referrals, the conference follow), the
/// media figures (RTP state for a restarted worker, loss for the codec fallback) and the quality report.
extension CallCoordinator {
    mutating func componentEvent(_ event: Event, from source: String) {
        emit(.republish(event.republished(from: source)))
        do {
            try apply(event)
        } catch {
            log(.debug, "an event orch could not read", ["type": "\(event.type)", "source": "\(source)", "error": "\(error)"])
        }
        if event.type.hasPrefix("call.") || event.is(RegistrationStateEvent.self) { flushJournal() }
    }

    private mutating func apply(_ event: Event) throws(WireError) {
        if let registration = try event.decode(RegistrationStateEvent.self) {
            registered(registration)
        } else if let incoming = try event.decode(CallIncomingEvent.self) {
            callIncoming(incoming)
        } else if let referred = try event.decode(CallReferredEvent.self) {
            followReferral(referred)
        } else if let state = try event.decode(CallStateEvent.self) {
            callState(state)
        } else if let stats = try event.decode(MediaStatsEvent.self) {
            if let rtp = stats.stats.rtpState { calls.update(stats.stats.call) { $0.rtpState = rtp } }
            followQuality(stats.stats)
        } else if let stopped = try event.decode(MediaStoppedEvent.self) {
            reportQuality(stopped.stats)
        }
    }

    private mutating func registered(_ event: RegistrationStateEvent) {
        var state = event
        state.source = nil
        registrations[event.aor] = state
        if event.state == .unregistered, accounts[event.aor] == nil { registrations[event.aor] = nil }
    }

    private mutating func callIncoming(_ event: CallIncomingEvent) {
        var record = CallRecord(id: event.call, direction: .incoming, state: .incoming, remote: event.from, created: context.date)
        record.local = event.to
        assignStreams(&record)
        if let slot = event.answered {
            // sig answered at once with one of our slots: the call's media goes where the slot's port pair is.
            record.worker = slot.worker
            record.mediaPort = slot.port
            record.answerSlot = slot.slot
            calls.upsert(record)
            answerSlotUsed(slot.slot)
            return
        }
        calls.upsert(record)
        if let replaced = event.replaces, calls.active[replaced] != nil {
            answerCall(AnswerCall(call: event.call, purpose: .replaces(old: replaced)))
        } else if settings.autoAnswer {
            answerCall(AnswerCall(call: event.call, purpose: .automatic))
        }
    }

    private mutating func callState(_ event: CallStateEvent) {
        guard let record = calls.apply(state: event, at: context.date) else { return }
        if referrals[record.id] != nil { reportReferral(record) }
        guard record.isTerminated else {
            applyMedia(record, remote: event.remoteMedia)
            return
        }
        refillAnswerSlots()  // its port pair is free again
        leaveConference(record.id)
        lossWatch[record.id] = nil
        if let worker = record.worker {
            request(MediaAPI.Release(call: record.id), to: worker, timeout: .seconds(2), then: .none)
            // Answered from a slot but ended before its media started: the slot's pair is still held under the slot's id.
            if let slot = record.answerSlot { releaseAnswerSlots([slot], on: worker) }
        }
        detachAudio(record)
    }
}
