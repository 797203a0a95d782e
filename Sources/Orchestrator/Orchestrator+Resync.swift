import Foundation
import Wire

/// State re-sync: orch holds the snapshot of every call's pieces and hands a component that (re)starts its share,
/// so a crash of a media worker or of sip-audio does not end the calls it carried (docs/PROTOCOL.md, restarts).
extension Orchestrator {
    /// Called when a component is up: first start, restart, or adoption by a restarted orch. Idempotent: a
    /// component that still has the state (adopted) answers the same requests without disturbing anything.
    func resync(component name: String, role: String) {
        switch role {
        case "rtp": resyncMedia(worker: name)
        case "audio": resyncAudio(name)
        default: break
        }
    }

    /// A worker's calls come back on it with the same local ports and the same RTP stream (SSRC, sequence and
    /// timestamp continued), so the peer sees a short loss, no SIP failure.
    private func resyncMedia(worker: String) {
        let carried = calls.active.values.filter { $0.worker == worker && !$0.isTerminated }
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
                                                              "message": "the call's media port changed; the peer learns the new one from our next re-INVITE"])
                }
                guard let remote = record.mediaApplied else { return }  // not started yet: orch starts it when the SDP settles
                var start: [String: JSONValue] = ["call": .string(record.id), "remote": remote,
                                                  "streams": ["playback": .init(Int(record.playbackStream)), "capture": .init(Int(record.captureStream))]]
                if let state = self.calls.active[record.id]?.rtpState ?? record.rtpState { start["rtp_state"] = state }
                let started = await self.requestComponent(worker, "media.start", start, timeout: .seconds(2))
                if case .failure(let e) = started.outcome {
                    self.logger.error("media.start of a restored call failed", metadata: ["call": "\(record.id)", "error": "\(e)"])
                }
            }
        }
    }

    /// A restarted sip-audio gets back every call that was attached to the devices.
    private func resyncAudio(_ audio: String) {
        for record in calls.active.values where record.audioAttached && !record.isTerminated {
            let args: [String: JSONValue] = ["call": .string(record.id),
                                             "streams": ["playback": .init(Int(record.playbackStream)), "capture": .init(Int(record.captureStream))]]
            Task { _ = await self.requestComponent(audio, "audio.attach", args, timeout: .seconds(2)) }
        }
    }
}
