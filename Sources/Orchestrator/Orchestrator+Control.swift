import Bus
import Foundation
import Timebase
import Wire

/// The control socket: hellos and heartbeats go to the supervisor, client commands and components' replies and
/// events to the coordinator; orch's own commands about the instance (status, ping, config, probe_events, shutdown,
/// the worker pool) are answered here from both cores' state.
extension Orchestrator {
    func onControl(_ inbound: ControlInbound) {
        switch inbound.message {
        case .hello(let hello):
            if config.remote.acceptWorkers, hello.role == "rtp", !core.knows(hello.name) {
                // A worker on this host that started by itself (a container sharing the run directory).
                remotePeers.remove(hello.name)
                _ = core.addExternalWorker(hello.name, now: MonotonicClock.now())
                logger.notice("a media worker joined", metadata: ["worker": "\(hello.name)", "pid": "\(hello.pid)"])
            }
            apply(.hello(hello))
        case .heartbeat(let hb):
            apply(.heartbeat(hb))
        case .request(let request) where CallCoordinator.commands.contains(request.command):
            nextClient += 1
            let token = CallCoordinator.ClientToken(nextClient)
            clients[token] = inbound
            coordinate(.client(request, token))
        case .request(let request):
            control?.reply(inbound, answer(request))
            if request.command == OrchAPI.Shutdown.name { stop(reason: "shutdown request") }
        case .reply(let reply):
            coordinate(.reply(reply))
        case .event(let event):
            coordinate(.event(event, from: inbound.peer))
        case .configure:
            break  // nothing a component or client sends orch unasked
        }
    }

    // MARK: the coordinator

    /// Feeds the coordinator one input with the moment's context and performs its actions in order.
    func coordinate(_ input: CallCoordinator.Input) {
        let actions = coordinator.handle(input, context: coordinationContext())
        for action in actions { perform(action) }
    }

    func coordinationContext() -> CallCoordinator.Context {
        let topology = CallCoordinator.Topology(
            sig: core.upComponents(role: "sig").first, audio: core.upComponents(role: "audio").first,
            workers: core.upComponents(role: "rtp"), capacity: core.workerCapacities, draining: core.drainingWorkers,
            pool: core.workers.filter { !$0.standby && !$0.external }.map(\.name))
        return CallCoordinator.Context(topology: topology, now: MonotonicClock.now(), date: Date())
    }

    func perform(_ action: CallCoordinator.Action) {
        switch action {
        case .request(let name, let request), .send(let name, let request):
            sendControl(.request(request), to: name)
        case .reply(let token, let reply):
            guard let inbound = clients.removeValue(forKey: token) else { return }
            control?.reply(inbound, reply)
        case .publish(let event):
            events?.publish(event)
        case .republish(let event):
            events?.publish(event.type, event.data)
        case .journal(let records):
            journal.append(records, logger: logger)
        case .compactJournal(let snapshot):
            journal.compact(snapshot, logger: logger)
        case .setSigAccounts(let accounts):
            core.setAccounts(accounts, forRole: "sig")
        case .log(let level, let message, let metadata):
            logger.log(level: level, "\(message)", metadata: metadata)
        case .retire(let name):
            core.retire(name).forEach(perform)
        }
    }

    // MARK: orch's own commands

    private static let instanceCommands = [OrchAPI.Status.name, OrchAPI.Ping.name, OrchAPI.Config.name, OrchAPI.ProbeEvents.name,
                                           OrchAPI.Shutdown.name]

    private func answer(_ request: Request) -> Reply {
        switch request.command {
        case OrchAPI.Status.name:
            return request.answerNow(OrchAPI.Status.self) { _ in status() }
        case OrchAPI.Ping.name:
            return request.answerNow(OrchAPI.Ping.self) { _ in OrchAPI.Ping.Result(pid: getpid()) }
        case OrchAPI.Config.name:
            return request.answerNow(OrchAPI.Config.self) { _ in config.json }
        case OrchAPI.Shutdown.name:
            return request.answerNow(OrchAPI.Shutdown.self) { _ in Stopping() }
        case OrchAPI.Workers.name, OrchAPI.WorkersAdd.name, OrchAPI.WorkersRemove.name:
            return answerWorkers(request)
        case OrchAPI.ProbeEvents.name:
            // Lets a new subscriber learn when its subscription is live (PUB/SUB joins asynchronously).
            return request.answerNow(OrchAPI.ProbeEvents.self) { probe in
                OrchAPI.ProbeEvents.Result(seq: events?.publish(InstanceProbeEvent(token: probe.token)).seq ?? 0)
            }
        default:
            return request.failure(.unknownCommand, "unknown command '\(request.command)'; orch understands "
                + Self.instanceCommands.joined(separator: ", ") + ", " + CallCoordinator.commands.sorted().joined(separator: ", "))
        }
    }

    private func status() -> OrchAPI.Status.Result {
        let now = MonotonicClock.now()
        let orch = ComponentStatus(name: "orch", role: "orch", pid: getpid(), state: core.isStopping ? .stopping : .up,
                                   restarts: restarts, uptime: now.since(started), stats: orchStats(), lastExit: nil)
        return OrchAPI.Status.Result(instance: instance, runDirectory: runDirectory.path, allUp: core.allUp,
                                     components: [orch.status] + core.snapshot(now: now).map(\.status),
                                     registrations: coordinator.registrations.keys.sorted().compactMap { coordinator.registrations[$0] },
                                     calls: coordinator.calls.summaries(at: Date()))
    }

    /// The control socket's counters, shown as orch's `stats`.
    private func orchStats() -> JSONObject {
        guard let control else { return [:] }
        let c = control.counters
        return BusStats(received: c.received, rejected: control.rejectedCount, sendDropped: c.sendDropped).jsonObject
    }
}

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

/// orch's `stats` in `status`: what its control socket took in, refused as malformed, and could not send.
struct BusStats: WireObject {
    var received: Int
    var rejected: Int
    var sendDropped: Int

    init(received: Int, rejected: Int, sendDropped: Int) {
        self.received = received
        self.rejected = rejected
        self.sendDropped = sendDropped
    }

    init(from r: WireReader) throws(WireError) {
        received = try r("control_received")
        rejected = try r("control_rejected")
        sendDropped = try r("control_send_dropped")
    }

    func write(to w: inout WireWriter) {
        w("control_received", received)
        w("control_rejected", rejected)
        w("control_send_dropped", sendDropped)
    }
}
