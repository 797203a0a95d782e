import Foundation
import Timebase
import Wire

/// The media worker pool at runtime (`sipc workers`): list, add (started at once, the port range re-divided), and
/// remove by draining (no new calls; stopped once its calls have ended, so no call is dropped). The supervisor owns the
/// pool; the coordinator knows each worker's calls and retires a drained one.
extension Orchestrator {
    func answerWorkers(_ request: Request) -> Reply {
        switch request.command {
        case OrchAPI.WorkersAdd.name:
            return request.answerNow(OrchAPI.WorkersAdd.self) { add throws(WireError) in
                guard core.workers.filter({ !$0.standby }).count + add.count <= 64 else {
                    throw WireError(.badArgs, "at most 64 media workers per instance")
                }
                let (names, actions) = core.addWorkers(add.count, now: MonotonicClock.now())
                actions.forEach(perform)
                for name in names { events?.publish(WorkerAddedEvent(name: name)) }
                logger.notice("media workers added", metadata: ["workers": "\(names)"])
                return OrchAPI.WorkersAdd.Result(added: names)
            }
        case OrchAPI.WorkersRemove.name:
            return request.answerNow(OrchAPI.WorkersRemove.self) { remove throws(WireError) in
                if let problem = core.drain(remove.name) { throw WireError(.badArgs, problem.description) }
                let carried = coordinator.calls.load(of: remove.name)
                coordinate(.workerDraining(remove.name))
                return OrchAPI.WorkersRemove.Result(draining: remove.name, calls: carried)
            }
        default:
            return request.answerNow(OrchAPI.Workers.self) { _ in OrchAPI.Workers.Result(workers: core.workers.map(workerEntry)) }
        }
    }

    private func workerEntry(_ w: SupervisorCore.WorkerInfo) -> OrchAPI.WorkerEntry {
        OrchAPI.WorkerEntry(name: w.name, pid: w.pid, state: w.state.rawValue, calls: w.standby ? 0 : coordinator.calls.load(of: w.name),
                            standby: w.standby, draining: w.draining, restarts: w.restarts, external: w.external)
    }
}
