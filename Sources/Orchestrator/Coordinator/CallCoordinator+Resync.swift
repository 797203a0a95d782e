import Wire

/// Restarted and lost components. State re-sync: orch holds the snapshot of every call's pieces and hands a component that (re)starts its share, so a
/// crash of a media worker or of sip-audio does not end the calls it carried (docs/PROTOCOL.md, restarts). Idempotent:
/// a component that still has the state (adopted by a restarted orch) answers the same requests without disturbing
/// anything.
///
///     worker up: media.sessions (release orphans) ┐
///                per call: media.allocate (same port) ──► media.start (rtp_state) ──port moved──► call.reoffer
///                its answer slots held again, then refilled
///     audio up:  audio.attach per attached call
///     sig up:    call.restore / call.dial per call ──► calls ──► hang up or end what differs (CallCoordinator+Reconcile)
extension CallCoordinator {
    /// One call of a restarted worker coming back on it.
    struct ResyncCall: Sendable {
        enum Stage: Sendable {
            case allocating
            /// `moved`: the port the call got instead of its own (the peer learns it by re-INVITE).
            case starting(RemoteMedia, moved: MediaEndpoint?)
        }

        var worker: String
        var record: CallRecord
        var stage: Stage
    }

    /// Sessions a worker has for calls orch does not know, released one after the other.
    struct OrphanRelease: Sendable {
        var worker: String
        /// nil while the sessions are being listed.
        var remaining: [String]?
    }

    /// A component is up: first start, restart, or adoption by a restarted orch.
    /// - Parameter adopted: the component kept running while orch restarted, so it still has its state.
    mutating func resync(component name: String, role: String, adopted: Bool) {
        switch role {
        case "rtp":
            resyncMedia(worker: name)
            reserveAnswerSlots(on: name)  // a restarted worker holds them again
        case "audio":
            resyncAudio(name)
        case "sig":
            sigCameUp = context.now  // the audit waits until the restore is done
            reconcileCalls(with: name, restore: !adopted)
            sendAnswerSlots()
            refillAnswerSlots()
        default:
            break
        }
    }

    /// A worker's calls come back on it with the same local ports and the same RTP stream (SSRC, sequence and
    /// timestamp continued), so the peer sees a short loss, no SIP failure.
    private mutating func resyncMedia(worker: String) {
        let carried = calls.active.values.filter { $0.worker == worker && !$0.isTerminated }
        releaseOrphans(on: worker)
        guard !carried.isEmpty else { return }
        log(.notice, "restoring calls on \(worker)", ["calls": "\(carried.count)"])
        for record in carried {
            request(MediaAPI.Allocate(call: record.id, port: record.mediaPort), to: worker, timeout: .seconds(2),
                    then: .resync(ResyncCall(worker: worker, record: record, stage: .allocating)))
        }
    }

    mutating func resynced(_ flow: ResyncCall, _ reply: Reply) {
        let record = flow.record
        switch flow.stage {
        case .allocating:
            guard case .success(let media) = reply.typed(MediaAPI.Allocate.Result.self) else {
                log(.error, "could not restore the media of a call", ["call": "\(record.id)", "worker": "\(flow.worker)"])
                publish(CallMediaLostEvent(MediaRelocation(call: record.id, worker: flow.worker,
                    message: "the restarted media worker could not take the call back; hang up and call again")))
                return
            }
            let moved = media.port != record.mediaPort
            if moved {
                // Another program took the port meanwhile: the peer still sends to the old one.
                log(.warning, "restored call on a new port", ["call": "\(record.id)", "old": "\(record.mediaPort ?? 0)", "new": "\(media.port)"])
                calls.update(record.id) { $0.mediaPort = media.port }
                publish(CallMediaMovedEvent(MediaRelocation(call: record.id, worker: flow.worker, port: media.port,
                    message: "the call's media port was taken by another program; a re-INVITE gives the peer the new one")))
            }
            // The SDP may have settled while the worker was away (its media.start then failed): use what orch has now.
            let current = calls.active[record.id]
            guard let remote = current?.mediaApplied ?? record.mediaApplied ?? current?.signaling?.remoteMedia else {
                return  // not started yet: orch starts it when the SDP settles
            }
            let endpoint = moved ? MediaEndpoint(address: media.address, port: media.port) : nil
            request(resumeStart(record, remote: remote), to: flow.worker, timeout: .seconds(2),
                    then: .resync(ResyncCall(worker: flow.worker, record: record, stage: .starting(remote, moved: endpoint))))
        case .starting(let remote, let moved):
            switch reply.typed(MediaAPI.Start.Result.self) {
            case .failure(let error): log(.error, "media.start of a restored call failed", ["call": "\(record.id)", "error": "\(error)"])
            case .success: calls.update(record.id) { $0.mediaApplied = remote }
            }
            if let moved { reofferMedia(record.id, moved) }
        }
    }

    /// A restarted sip-audio gets back every call that was attached to the devices.
    private mutating func resyncAudio(_ audio: String) {
        for record in calls.active.values where record.audioAttached && !record.isTerminated {
            request(AudioAPI.Attach(call: record.id, streams: record.streams), to: audio, timeout: .seconds(2), then: .none)
        }
    }

    /// Sessions a worker has for calls orch does not know (their call ended while orch was away and the journal did
    /// not see it): released, so their ports are not held forever.
    private mutating func releaseOrphans(on worker: String) {
        request(MediaAPI.Sessions(), to: worker, timeout: .seconds(2), then: .orphans(OrphanRelease(worker: worker)))
    }

    mutating func orphansStep(_ flow: OrphanRelease, _ reply: Reply) {
        var flow = flow
        if flow.remaining == nil {
            guard case .success(let sessions) = reply.typed(MediaAPI.Sessions.Result.self) else { return }
            flow.remaining = Array(sessions.keys)
        }
        while let session = flow.remaining?.popLast() {
            guard calls.active[CallID(session)] == nil, pendingAllocations[flow.worker, default: 0] == 0, !slots.contains(session),
                  !(slots.refilling && session.hasPrefix(slots.prefix)) else { continue }
            log(.warning, "releasing a media session orch has no call for", ["call": "\(session)", "worker": "\(flow.worker)"])
            request(MediaAPI.Release(call: CallID(session)), to: flow.worker, timeout: .seconds(2), then: .orphans(flow))
            return
        }
    }
}

/// An external worker (another host, a container) went silent: orch cannot restart it, so its calls move to other
/// workers. Each gets a new port there (the old one was on the lost host), its RTP stream continues, and a re-INVITE
/// tells the peer:
///
///     media.allocate (least loaded first) ──none could──► call.media.lost
///            │ success: call.media.moved
///            ▼
///     media.start (rtp_state continued; when the SDP had settled) ──► call.reoffer with the new address
extension CallCoordinator {
    struct Relocate: Sendable {
        var from: String
        var record: CallRecord
        /// Where the call went.
        var media: MediaEndpoint?
    }

    mutating func relocateCalls(from worker: String) {
        let carried = calls.active.values.filter { $0.worker == worker && !$0.isTerminated }
        guard !carried.isEmpty else { return }
        log(.warning, "moving the calls of a lost media worker", ["worker": "\(worker)", "calls": "\(carried.count)"])
        for record in carried { allocateMedia(for: record.id, purpose: .relocate(Relocate(from: worker, record: record))) }
    }

    mutating func relocateAllocated(_ flow: Relocate, _ allocation: Result<MediaAPI.Allocate.Result, WireError>) {
        let record = flow.record
        guard case .success(let media) = allocation else {
            publish(CallMediaLostEvent(MediaRelocation(call: record.id, worker: flow.from,
                message: "its media worker was lost and no other could take the call; hang up and call again")))
            return
        }
        calls.update(record.id) {
            $0.worker = media.worker
            $0.mediaPort = media.port
        }
        publish(CallMediaMovedEvent(MediaRelocation(call: record.id, worker: media.worker, port: media.port,
            message: "the call's media worker \(flow.from) was lost; the call moved to \(media.worker) and the peer is told by re-INVITE")))
        var flow = flow
        flow.media = MediaEndpoint(address: media.address, port: media.port)
        if let remote = calls.active[record.id]?.mediaApplied ?? record.mediaApplied {
            request(resumeStart(record, remote: remote), to: media.worker, timeout: .seconds(2), then: .relocate(flow))
        } else {
            relocatedStart(flow)
        }
    }

    /// The new worker started the call's media (or there was none to start): the peer learns where it is now.
    mutating func relocatedStart(_ flow: Relocate) {
        if let media = flow.media { reofferMedia(flow.record.id, media) }
    }
}
