import Foundation
import Timebase
import Wire

/// The media worker pool at runtime (`sipc workers`): list, add (started at once, the port range re-divided), and
/// remove by draining (no new calls; stopped once its calls have ended, so no call is dropped).
extension Orchestrator {
    func answerWorkers(_ request: Request) -> Reply {
        switch request.command {
        case "workers.add":
            let count = request.args["count"]?.intValue ?? 1
            guard (1...16).contains(count) else {
                return Reply(id: request.id, error: WireError(.badArgs, "workers.add takes args.count from 1 to 16"))
            }
            guard core.workers.filter({ !$0.standby }).count + count <= 64 else {
                return Reply(id: request.id, error: WireError(.badArgs, "at most 64 media workers per instance"))
            }
            let (names, actions) = core.addWorkers(count, now: MonotonicClock.now())
            actions.forEach(perform)
            for name in names { events?.publish("worker.added", ["name": .string(name)]) }
            logger.notice("media workers added", metadata: ["workers": "\(names)"])
            return Reply(id: request.id, result: ["added": .array(names.map { .string($0) })])
        case "workers.remove":
            guard let name = request.args["name"]?.stringValue, !name.isEmpty else {
                return Reply(id: request.id, error: WireError(.badArgs, "workers.remove needs args.name (e.g. rtp-2)"))
            }
            if let problem = core.drain(name) {
                return Reply(id: request.id, error: WireError(.badArgs, problem.description))
            }
            do {
                let carried = calls.load(of: name)
                events?.publish("worker.draining", ["name": .string(name), "calls": .init(carried)])
                logger.notice("draining a media worker", metadata: ["worker": "\(name)", "calls": "\(carried)"])
                dropAnswerSlots(of: name, release: true)
                retireDrainedWorkers()
                return Reply(id: request.id, result: ["draining": .string(name), "calls": .init(carried)])
            }
        default:
            return Reply(id: request.id, result: ["workers": .array(core.workers.map(workerJSON))])
        }
    }

    private func workerJSON(_ w: SupervisorCore.WorkerInfo) -> JSONValue {
        var o: [String: JSONValue] = ["name": .string(w.name), "pid": w.pid.map { .init($0) } ?? .null,
                                      "state": .string(w.state.rawValue), "calls": .init(calls.load(of: w.name)),
                                      "standby": .bool(w.standby), "draining": .bool(w.draining), "restarts": .init(w.restarts),
                                      "external": .bool(w.external)]
        if w.standby { o["calls"] = 0 }
        return .object(o)
    }

    /// Stops every draining worker that no longer carries a call (called from the 50 ms tick).
    func retireDrainedWorkers() {
        for name in core.drainingWorkers where calls.load(of: name) == 0 && pendingAllocations[name, default: 0] == 0 {
            logger.notice("a drained media worker leaves the pool", metadata: ["worker": "\(name)"])
            core.retire(name).forEach(perform)
        }
    }
}
