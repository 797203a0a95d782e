import Foundation
import Timebase
import Wire

/// State re-sync: orch holds the snapshot of every call's pieces and hands a component that (re)starts its share,
/// so a crash of a media worker or of sip-audio does not end the calls it carried (docs/PROTOCOL.md, restarts).
extension Orchestrator {
    /// Called when a component is up: first start, restart, or adoption by a restarted orch. Idempotent: a
    /// component that still has the state (adopted) answers the same requests without disturbing anything.
    /// - Parameter adopted: the component kept running while orch restarted, so it still has its state.
    func resync(component name: String, role: String, adopted: Bool = false) {
        switch role {
        case "rtp":
            resyncMedia(worker: name)
            reserveAnswerSlots(on: name)  // a restarted worker holds them again
        case "audio": resyncAudio(name)
        case "sig":
            sigCameUp = MonotonicClock.now()  // the audit waits until the restore below is done
            reconcileCalls(with: name, restore: !adopted)
            sendAnswerSlots()
            refillAnswerSlots()
        default: break
        }
    }

    /// A worker's calls come back on it with the same local ports and the same RTP stream (SSRC, sequence and
    /// timestamp continued), so the peer sees a short loss, no SIP failure.
    private func resyncMedia(worker: String) {
        let carried = calls.active.values.filter { $0.worker == worker && !$0.isTerminated }
        releaseOrphans(on: worker)
        guard !carried.isEmpty else { return }
        logger.notice("restoring calls on \(worker)", metadata: ["calls": "\(carried.count)"])
        for record in carried {
            Task {
                var allocate: [String: JSONValue] = ["call": .string(record.id)]
                if let port = record.mediaPort { allocate["port"] = .init(port) }
                let reply = await self.requestComponent(worker, "media.allocate", allocate, timeout: .seconds(2))
                guard case .success(let result) = reply.outcome, let port = result["port"]?.intValue else {
                    self.logger.error("could not restore the media of a call", metadata: ["call": "\(record.id)", "worker": "\(worker)"])
                    self.events?.publish("call.media.lost", ["call": .string(record.id), "worker": .string(worker),
                                                             "message": "the restarted media worker could not take the call back; hang up and call again"])
                    return
                }
                if port != record.mediaPort {
                    // Another program took the port meanwhile: the peer still sends to the old one.
                    self.logger.warning("restored call on a new port", metadata: ["call": "\(record.id)", "old": "\(record.mediaPort ?? 0)", "new": "\(port)"])
                    self.calls.update(record.id) { $0.mediaPort = port }
                    self.events?.publish("call.media.moved", ["call": .string(record.id), "worker": .string(worker), "port": .init(port),
                                                              "message": "the call's media port was taken by another program; a re-INVITE gives the peer the new one"])
                }
                // The SDP may have settled while the worker was away (its media.start then failed): use what orch has now.
                guard let remote = self.calls.active[record.id]?.mediaApplied ?? record.mediaApplied
                        ?? self.calls.active[record.id]?.signaling?["remote_media"] else { return }  // not started yet: orch starts it when the SDP settles
                let started = await self.requestComponent(worker, "media.start", self.resumeArgs(record, remote: remote), timeout: .seconds(2))
                switch started.outcome {
                case .failure(let e): self.logger.error("media.start of a restored call failed", metadata: ["call": "\(record.id)", "error": "\(e)"])
                case .success: self.calls.update(record.id) { $0.mediaApplied = remote }
                }
                if port != record.mediaPort, let address = result["address"]?.stringValue {
                    await self.reofferMedia(record.id, address: address, port: port)
                }
            }
        }
    }

    /// `media.start` for a call a worker takes over (restarted, or moved from a lost one): its streams, the RTP stream
    /// continued from the latest `rtp_state`, and the hold music if we hold it. orch's current record wins over `record`.
    func resumeArgs(_ record: CallRecord, remote: JSONValue) -> [String: JSONValue] {
        let now = calls.active[record.id]
        var start: [String: JSONValue] = ["call": .string(record.id), "remote": remote, "streams": record.streamsJSON]
        if let state = now?.rtpState ?? record.rtpState { start["rtp_state"] = state }
        if let music = now?.holdMusicApplied { start["hold_music"] = music }
        return start
    }

    /// Gives the peer a call's new media address by a re-INVITE (RFC 3261 §14): the call goes on there. For a call
    /// whose worker could not keep (or give it) the port the peer knows.
    func reofferMedia(_ callID: String, address: String, port: Int) async {
        let reply = await requestSig("call.reoffer", ["call": .string(callID), "media": ["address": .string(address), "port": .init(port)]],
                                     timeout: .seconds(40))
        if case .failure(let e) = reply.outcome {
            logger.error("could not tell the peer the call's new media port", metadata: ["call": "\(callID)", "error": "\(e)"])
        }
    }

    /// A restarted sip-audio gets back every call that was attached to the devices.
    private func resyncAudio(_ audio: String) {
        for record in calls.active.values where record.audioAttached && !record.isTerminated {
            let args: [String: JSONValue] = ["call": .string(record.id),
                                             "streams": record.streamsJSON]
            Task { _ = await self.requestComponent(audio, "audio.attach", args, timeout: .seconds(2)) }
        }
    }

    /// After sig comes up (restarted, or adopted by a restarted orch), calls sig does not know any more are over:
    /// they ended while orch was away, or died with the previous sig. Their media and audio are released and
    /// clients get the `call.state` they missed.
    private func reconcileCalls(with sig: String, restore: Bool) {
        Task {
            // A restarted sig lost its calls: give it back the answered ones. An adopted sig kept its own, and a call it
            // no longer has ended meanwhile (it must not be brought back).
            for record in self.calls.active.values where restore && !record.isTerminated {
                guard let signaling = record.signaling else {
                    // sig died before it could report this call's INVITE: dial it again (same call, same media).
                    if record.direction == "outgoing", record.state == "dialing", let dial = record.dialArgs?.objectValue {
                        self.logger.notice("dialling again a call sig lost before reporting it", metadata: ["call": "\(record.id)"])
                        _ = await self.requestComponent(sig, "call.dial", dial, timeout: .seconds(5))
                    }
                    continue
                }
                let restored = await self.requestComponent(sig, "call.restore", ["call": .string(record.id), "signaling": signaling],
                                                           timeout: .seconds(2))
                if case .failure(let e) = restored.outcome {
                    self.logger.error("sig could not restore a call", metadata: ["call": "\(record.id)", "error": "\(e)"])
                }
            }
            let reply = await self.requestComponent(sig, "calls", [:], timeout: .seconds(2))
            guard case .success(let result) = reply.outcome, let list = result["calls"]?.arrayValue else { return }
            let live = Set(list.filter { $0["state"]?.stringValue != "terminated" }.compactMap { $0["call"]?.stringValue })
            // Calls sig has and orch does not (orch died within a journal interval of placing them): no media is
            // known for them, so they cannot be carried on; end them rather than leave a silent call up.
            for id in live where self.calls.active[id] == nil {
                self.logger.warning("hanging up a call orch has no record of", metadata: ["call": "\(id)"])
                _ = await self.requestComponent(sig, "call.hangup", ["call": .string(id)], timeout: .seconds(2))
            }
            for record in self.calls.active.values where !live.contains(record.id) {
                let reason = "the call ended while a component was restarting (sip-sig no longer has its dialog: it was still being set up, or it ended meanwhile)"
                self.logger.warning("ending a call sig does not know", metadata: ["call": "\(record.id)"])
                await self.endLocally(record.id, reason: reason)
                self.events?.publish("call.state", ["call": .string(record.id), "state": "terminated", "direction": .string(record.direction),
                                                    "remote": .string(record.remote), "reason": .string(reason), "normal": false])
            }
        }
    }

    /// Sessions a worker has for calls orch does not know (their call ended while orch was away and the journal
    /// did not see it): released, so their ports are not held forever.
    private func releaseOrphans(on worker: String) {
        Task {
            let reply = await self.requestComponent(worker, "media.sessions", [:], timeout: .seconds(2))
            guard case .success(let result) = reply.outcome, let sessions = result.objectValue else { return }
            for call in sessions.keys where self.calls.active[call] == nil && self.pendingAllocations[worker, default: 0] == 0
                                            && !self.isAnswerSlot(call) && !(self.answerSlotRefilling && call.hasPrefix(self.answerSlotPrefix)) {
                self.logger.warning("releasing a media session orch has no call for", metadata: ["call": "\(call)", "worker": "\(worker)"])
                _ = await self.requestComponent(worker, "media.release", ["call": .string(call)], timeout: .seconds(2))
            }
        }
    }
}
