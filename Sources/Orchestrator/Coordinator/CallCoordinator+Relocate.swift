import Wire

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
