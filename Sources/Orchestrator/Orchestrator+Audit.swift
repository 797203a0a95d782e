import Foundation
import Timebase
import Wire

/// Components report call progress as events, and events are fire-and-forget: one lost on the way (a bus message
/// dropped, a component that died between the change and its report) would leave orch's view of a call wrong for
/// good. Every 2 s orch compares its calls with sig's (`calls`, which carries what `call.state` carries) and catches
/// up: a state or SDP it missed is applied as if the event had come, a call sig no longer has is over, a call orch
/// gave up on that sig still has is hung up.
extension Orchestrator {
    /// Calls younger than this are left alone: their `call.dial` or first events may still be on the way.
    static let auditGrace: TimeInterval = 3

    func auditCalls() async {
        guard !auditing, MonotonicClock.now().since(sigCameUp).seconds > Self.auditGrace, let sig = core.upComponents(role: "sig").first else { return }
        auditing = true
        defer { auditing = false }
        let reply = await requestComponent(sig, "calls", [:], timeout: .seconds(2))
        guard case .success(let result) = reply.outcome, let list = result["calls"]?.arrayValue else { return }
        let now = Date()
        var seen = Set<String>()
        for case .object(let entry) in list {
            guard let id = entry["call"]?.stringValue, let state = entry["state"]?.stringValue else { continue }
            seen.insert(id)
            if let record = calls.active[id] {
                let applied = record.mediaApplied
                let mediaMissed = ["connected", "held", "remote-held", "early"].contains(state) && entry["remote_port"] != nil
                    && (entry["remote_port"] != applied?["port"] || entry["media_direction"] != applied?["direction"])
                guard record.state != state || mediaMissed, now.timeIntervalSince(record.created) > Self.auditGrace,
                      let data = await describe(id, at: sig) else { continue }
                logger.notice("caught up on a call.state orch had not seen", metadata: ["call": "\(id)", "state": "\(state)"])
                componentEvent(Event(seq: 0, type: "call.state", time: now.timeIntervalSince1970, data: data), from: sig)
            } else if calls.recent.contains(where: { $0.id == id }) {
                // orch gave up on it (a reply lost, a dial that timed out) while sig went on with it: end it there too.
                logger.notice("hanging up a call orch had given up on", metadata: ["call": "\(id)"])
                Task { _ = await self.requestComponent(sig, "call.hangup", ["call": .string(id)], timeout: .seconds(5)) }
            } else {
                // A call orch never heard of: its call.incoming (or first call.state) was lost.
                guard let data = await describe(id, at: sig) else { continue }
                logger.notice("adopting a call orch had not heard of", metadata: ["call": "\(id)", "state": "\(state)"])
                if state == "incoming" {
                    var incoming = data
                    incoming["from"] = data["remote"]
                    incoming["to"] = data["local"]
                    componentEvent(Event(seq: 0, type: "call.incoming", time: now.timeIntervalSince1970, data: incoming), from: sig)
                }
                componentEvent(Event(seq: 0, type: "call.state", time: now.timeIntervalSince1970, data: data), from: sig)
            }
        }
        for record in calls.active.values where !seen.contains(record.id) && !record.isTerminated
            && now.timeIntervalSince(record.created) > Self.auditGrace {
            logger.notice("a call sig no longer has is over", metadata: ["call": "\(record.id)"])
            let end: [String: JSONValue] = ["call": .string(record.id), "state": "terminated", "direction": .string(record.direction),
                                            "remote": .string(record.remote), "normal": false,
                                            "reason": "ended (its end was not reported to orch)"]
            componentEvent(Event(seq: 0, type: "call.state", time: now.timeIntervalSince1970, data: end), from: sig)
        }
    }

    /// One call's whole `call.state` from sig.
    private func describe(_ id: String, at sig: String) async -> [String: JSONValue]? {
        let reply = await requestComponent(sig, "call.describe", ["call": .string(id)], timeout: .seconds(2))
        guard case .success(.object(let data)) = reply.outcome else { return nil }
        return data
    }
}
