import Bus
import Config
import Foundation
import Logging
import ProcessSupport
import Timebase
import Wire

/// The adapter that runs orch's two pure cores for real: `SupervisorCore` (the process group) and `CallCoordinator`
/// (the calls). It owns the control and event sockets, spawns and reaps the component processes, ticks the clock,
/// writes the journal, and maps each core's actions to I/O and nothing else (docs/ARCHITECTURE.md §6).
public actor Orchestrator {
    public let instance: String
    public let runDirectory: RunDirectory
    public let config: InstanceConfig
    let logger: Logger
    let started = MonotonicClock.now()
    var core: SupervisorCore
    var coordinator: CallCoordinator
    private var executables: [String: String] = [:]
    var control: ControlServer?
    /// `remote.listen`: workers on other hosts (CurveZMQ), Orchestrator+Remote.swift.
    var remoteControl: ControlServer?
    /// Admits the workers' keys on `remoteControl`; shut down after it (without a handler libzmq admits any key).
    var remoteZAP: ZAPAuthenticator?
    /// Components whose messages arrive on `remoteControl` (so messages to them go there).
    var remotePeers: Set<String> = []
    var events: EventPublisher?
    /// Client requests the coordinator has not answered yet.
    var clients: [CallCoordinator.ClientToken: ControlInbound] = [:]
    var nextClient: UInt64 = 0
    /// The journal's files (Orchestrator+Journal.swift).
    var journal: JournalFile
    private var finished: CheckedContinuation<Void, Never>?
    private var isFinished = false
    /// Components taken over from a previous orch: not our children, so their exit is noticed by polling.
    private var adopted: Set<Int32> = []
    let restarts: Int
    private let adopting: Bool

    /// - Parameter adopting: a previous orch of this instance died (we were restarted by the keeper): take over
    ///   its still-running components instead of starting new ones.
    ///   `restarts` is how often the keeper has restarted orch.
    public init(instance: String, runDirectory: RunDirectory, config: InstanceConfig, logger: Logger, adopting: Bool = false,
                restarts: Int = 0) {
        self.restarts = restarts
        self.adopting = adopting
        self.instance = instance
        self.runDirectory = runDirectory
        self.config = config
        self.logger = logger
        var settings = SupervisorCore.Settings()
        settings.heartbeatInterval = .milliseconds(config.supervision.heartbeatIntervalMs)
        settings.liveness = config.supervision.heartbeatLiveness
        settings.backoffInitial = .milliseconds(config.supervision.restartBackoffInitialMs)
        settings.backoffMax = .milliseconds(config.supervision.restartBackoffMaxMs)
        settings.stableAfter = .seconds(config.supervision.stableAfterS)
        settings.startTimeout = .seconds(config.supervision.startTimeoutS)
        // Long enough for every running component to be heard from even on a loaded machine: one that is missed is
        // started a second time, and the two fight over the calls (ports, the routing id).
        settings.adoptWindow = .milliseconds(max(1500, config.supervision.heartbeatIntervalMs * 3 / 2 + 300))
        self.core = SupervisorCore(components: ComponentSpec.group(for: config), config: ConfigureContent(settings: config.json, instance: instance),
                                   settings: settings, now: MonotonicClock.now(), adopting: adopting)
        self.coordinator = CallCoordinator(settings: config.calls,
                                           answerSlotPrefix: "slot-" + String(UInt32.random(in: 0...UInt32.max), radix: 36) + "-")
        self.journal = JournalFile(directory: runDirectory.path)
    }

    public enum StartError: Error, CustomStringConvertible {
        case alreadyRunning(pid: Int32, runDirectory: String)
        case missingExecutable(String)
        case bus(BusError)
        case remote(String)

        public var description: String {
            switch self {
            case .alreadyRunning(let pid, let dir):
                "instance is already running (orch pid \(pid), run directory \(dir)); stop it with 'sipc down' or pick another --instance"
            case .missingExecutable(let name):
                "cannot find the '\(name)' executable beside sip-orch, in $SIPC_BIN_DIR or on $PATH; build the package (swift build) or set SIPC_BIN_DIR"
            case .bus(let error):
                "cannot open the instance's sockets: \(error)"
            case .remote(let problem):
                "remote workers (remote.*): \(problem)"
            }
        }
    }

    /// Runs the group until SIGTERM/SIGINT or a `shutdown` request, then stops every child and removes the
    /// instance's sockets and pid file.
    public func run() async throws {
        if let pid = runDirectory.runningOrchPID(), pid != getpid() {
            throw StartError.alreadyRunning(pid: pid, runDirectory: runDirectory.path)
        }
        for spec in ComponentSpec.group(for: config) where executables[spec.executable] == nil {
            guard let path = Executables.locate(spec.executable) else { throw StartError.missingExecutable(spec.executable) }
            executables[spec.executable] = path
        }
        try runDirectory.create()
        let endpoints = InstanceEndpoints(runDirectory: runDirectory.path)
        let control: ControlServer
        do {
            control = try ControlServer(bindTo: endpoints.control)
            self.control = control
            events = try EventPublisher(bindTo: endpoints.events)
        } catch {
            throw StartError.bus(error)
        }
        do { try openRemoteListener() } catch {
            control.shutdown()
            events?.shutdown()
            throw error
        }
        try "\(getpid())\n".write(toFile: runDirectory.pidFile, atomically: true, encoding: .utf8)
        logger.info("orch up", metadata: ["instance": "\(instance)", "run_dir": "\(runDirectory.path)", "pid": "\(getpid())"])

        if adopting {
            let restored = loadJournal()
            logger.notice("took over the previous orch's state", metadata: ["calls": "\(restored)", "accounts": "\(coordinator.accounts.count)"])
        } else {
            journal.discard()
        }
        let reaper = ChildReaper()
        let signals = SignalStream.watch()
        SignalStream.ignoreSIGPIPE()
        let tasks = [
            Task { for await inbound in control.messages { await self.onControl(inbound) } },
            Task {
                guard let remote = await self.remoteControl else { return }
                for await inbound in remote.messages { await self.onRemoteControl(inbound) }
            },
            Task { for await exit in reaper.exits { await self.apply(.exited(pid: exit.pid, termination: exit.termination)) } },
            Task { for await sig in signals { await self.stop(reason: "signal \(ChildProcess.signalName(sig))") } },
            Task {
                var ticks = 0
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(50))
                    ticks += 1
                    await self.tick(ticks)
                }
            },
        ]
        apply(.start)
        if restarts > 0 {
            // orch's own entry: who it is, with no previous pid or reason (it cannot know them).
            let orch = ComponentIdentity(name: "orch", role: "orch", pid: getpid(), restarts: restarts)
            events?.publish(ComponentUpEvent(orch))
            events?.publish(ComponentRestartedEvent.type, orch.jsonObject)
        }
        await withCheckedContinuation { continuation in
            if isFinished { continuation.resume() } else { finished = continuation }
        }
        tasks.forEach { $0.cancel() }
        logger.info("orch stopped: every component has exited")
        events?.shutdown()
        control.shutdown()
        remoteControl?.shutdown()
        remoteZAP?.shutdown()
        for file in endpoints.socketFiles { unlink(file) }
        for name in Set(core.componentNames(role: "rtp") + ComponentSpec.group(for: config).filter { $0.role == "rtp" }.map(\.name)) {
            for address in [endpoints.mediaTaps(worker: name), endpoints.mediaInject(worker: name)] {
                unlink(String(address.dropFirst("ipc://".count)))
            }
        }
        unlink(runDirectory.pidFile)
        journal.discard()  // stopped on purpose: nothing to take over
    }

    /// Every 50 ms: the liveness event (every 2 s), adopted components' exits, the supervisor's clock, then the
    /// coordinator's (timeouts, the audit, drained workers, the journal).
    private func tick(_ ticks: Int) {
        // Every 2 s: lets subscribers notice a restarted orch (new pid, sequence numbers from 1 again) and catch up on
        // what was published before their subscription reached it (PUB/SUB keeps no backlog).
        if ticks % 40 == 0 { events?.publish(InstanceAliveEvent(pid: getpid())) }
        checkAdopted()
        apply(.tick)
        coordinate(.tick)
    }

    /// Begins an orderly shutdown of the group.
    public func stop(reason: String) {
        guard !core.isStopping else { return }
        logger.info("stopping the group", metadata: ["reason": "\(reason)"])
        events?.publish(InstanceStoppingEvent(reason: reason))
        apply(.stop)
    }

    private func checkAdopted() {
        for pid in adopted where !ChildProcess.isRunning(pid) {
            adopted.remove(pid)
            apply(.exited(pid: pid, termination: .vanished))
        }
    }

    func apply(_ input: SupervisorCore.Input) {
        let actions = core.handle(input, now: MonotonicClock.now())
        for action in actions { perform(action) }
    }

    func perform(_ action: SupervisorCore.Action) {
        switch action {
        case .spawn(let spec):
            let path = executables[spec.executable] ?? spec.executable
            let args = ["--instance", instance, "--run-dir", runDirectory.path, "--name", spec.name,
                        "--log-level", config.log.level] + spec.arguments
            do {
                let pid = try ChildProcess.spawn(path, arguments: args, logFile: runDirectory.componentLog(spec.name))
                logger.info("spawned", metadata: ["component": "\(spec.name)", "pid": "\(pid)"])
                apply(.spawned(name: spec.name, pid: pid))
            } catch {
                logger.error("spawn failed", metadata: ["component": "\(spec.name)", "error": "\(error)"])
                apply(.spawnFailed(name: spec.name, reason: error.description))
            }
        case .signal(let pid, let sig):
            logger.info("signalling", metadata: ["pid": "\(pid)", "signal": "\(ChildProcess.signalName(sig))"])
            ChildProcess.signal(pid, sig)
        case .send(let name, let message):
            sendControl(message, to: name)
        case .publish(let supervision):
            let event = supervision.event
            logger.info("\(supervision.type)", metadata: event.jsonObject.mapValues { .string($0.encodedString()) })
            events?.publish(event)
            switch supervision {
            case .down(let down):
                coordinate(.componentDown(name: down.component.name, role: down.component.role, external: down.external))
            case .up(let up) where !core.isStandby(up.component.name):
                coordinate(.componentUp(name: up.component.name, role: up.component.role, adopted: up.adopted))
            default:
                break
            }
        case .adopt(let name, let pid):
            logger.info("adopted a running component", metadata: ["component": "\(name)", "pid": "\(pid)"])
            adopted.insert(pid)
        case .finished:
            isFinished = true
            finished?.resume()
            finished = nil
        }
    }
}
