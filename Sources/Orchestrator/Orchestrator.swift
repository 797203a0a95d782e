import Bus
import Config
import Foundation
import Logging
import ProcessSupport
import Timebase
import Wire

/// The adapter that runs `SupervisorCore` for real: it owns orch's control and event sockets, spawns and reaps
/// the component processes, ticks the clock and answers client requests.
public actor Orchestrator {
    public let instance: String
    public let runDirectory: RunDirectory
    public let config: InstanceConfig
    let logger: Logger
    private let started = MonotonicClock.now()
    var core: SupervisorCore
    private var executables: [String: String] = [:]
    var control: ControlServer?
    /// `remote.listen`: workers on other hosts (CurveZMQ), Orchestrator+Remote.swift.
    var remoteControl: ControlServer?
    /// Admits the workers' keys on `remoteControl`; shut down after it (without a handler libzmq admits any key).
    var remoteZAP: ZAPAuthenticator?
    /// Components whose messages arrive on `remoteControl` (so messages to them go there).
    var remotePeers: Set<String> = []
    var events: EventPublisher?
    private var finished: CheckedContinuation<Void, Never>?
    private var isFinished = false
    /// Components taken over from a previous orch: not our children, so their exit is noticed by polling.
    private var adopted: Set<Int32> = []
    private let restarts: Int
    // Calls and registrations (Orchestrator+Calls.swift).
    var calls = CallTable()
    var registrations: [String: [String: JSONValue]] = [:]
    /// Accounts added with `register`, re-sent to a restarted sig in its `configure`.
    var accounts: [String: JSONValue] = [:]
    var pendingRequests: [String: CheckedContinuation<Reply, Never>] = [:]
    var requestCounter = 0
    var nextStream: UInt32 = 0
    /// Allocations asked of each worker and not yet answered, so calls arriving together still spread out.
    var pendingAllocations: [String: Int] = [:]
    /// Calls placed for a peer's REFER: new call -> the call whose peer asked (it hears of the progress by NOTIFY).
    var referrals: [String: String] = [:]
    /// The calls mixed together in the local three-way conference (sip-audio mixes them; docs/ARCHITECTURE.md).
    var conference: Set<String> = []
    /// Loss per second of each call, for `call.quality.degraded` and the codec fallback.
    var lossWatch: [String: LossWatch] = [:]
    /// An audit of the calls against sig's is under way (see Orchestrator+Audit).
    var auditing = false
    /// When sig last came up (restarted or adopted): its calls are being given back, so the audit waits a little.
    var sigCameUp = MonotonicTime(nanoseconds: .min)  // the distant past: no sig came up yet
    /// The journal's write-ahead state (Orchestrator+Journal.swift).
    var journal = JournalState()
    /// Port pairs held on workers for sig to answer calls at once (auto-answer), and the refill in progress.
    var answerSlots: [AnswerSlotRecord] = []
    var answerSlotRefilling = false
    var answerSlotCounter = 0
    let answerSlotPrefix = "slot-" + String(UInt32.random(in: 0...UInt32.max), radix: 36) + "-"
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
        var base = config.json
        base["instance"] = .string(instance)
        // Long enough for every running component to be heard from even on a loaded machine: one that is missed is
        // started a second time, and the two fight over the calls (ports, the routing id).
        settings.adoptWindow = .milliseconds(max(1500, config.supervision.heartbeatIntervalMs * 3 / 2 + 300))
        self.core = SupervisorCore(components: ComponentSpec.group(for: config), config: base, settings: settings, now: MonotonicClock.now(),
                                   adopting: adopting)
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
            logger.notice("took over the previous orch's state", metadata: ["calls": "\(restored)", "accounts": "\(accounts.count)"])
        } else {
            discardJournal()
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
                    // Every 2 s: lets subscribers notice a restarted orch (new pid, sequence numbers from 1 again) and
                    // catch up on what was published before their subscription reached it (PUB/SUB keeps no backlog).
                    if ticks % 40 == 0 { await self.events?.publish("instance.alive", ["pid": .init(getpid())]) }
                    if ticks % 40 == 20 { Task { await self.auditCalls() } }
                    await self.checkAdopted()
                    await self.retireDrainedWorkers()
                    await self.apply(.tick)
                    await self.flushJournal()
                }
            },
        ]
        apply(.start)
        if restarts > 0 {
            let data: [String: JSONValue] = ["name": "orch", "role": "orch", "pid": .init(getpid()), "restarts": .init(restarts)]
            events?.publish(EventType.componentUp, data)
            events?.publish(EventType.componentRestarted, data)
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
        discardJournal()  // stopped on purpose: nothing to take over
    }

    /// Begins an orderly shutdown of the group.
    public func stop(reason: String) {
        guard !core.isStopping else { return }
        logger.info("stopping the group", metadata: ["reason": "\(reason)"])
        events?.publish(EventType.instanceStopping, ["reason": .string(reason)])
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
        case .publish(let type, let data):
            logger.info("\(type)", metadata: data.mapValues { .string($0.encodedString()) })
            events?.publish(type, data)
            if type == EventType.componentDown, data["role"] == "rtp", let name = data["name"]?.stringValue {
                dropAnswerSlots(of: name)
                if data["external"] == true { relocateCalls(from: name) }
            }
            if type == EventType.componentUp, let name = data["name"]?.stringValue, let role = data["role"]?.stringValue,
               !core.isStandby(name) {
                resync(component: name, role: role, adopted: data["adopted"]?.boolValue == true)
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

    func onControl(_ inbound: ControlInbound) {
        switch inbound.message {
        case .hello(let hello):
            if config.remote.acceptWorkers, hello.role == "rtp", !core.knows(hello.name) {
                // A worker on this host that started by itself (a container sharing the run directory).
                remotePeers.remove(hello.name)
                _ = core.addExternalWorker(hello.name, extraConfig: [:], now: MonotonicClock.now())
                logger.notice("a media worker joined", metadata: ["worker": "\(hello.name)", "pid": "\(hello.pid)"])
            }
            apply(.hello(hello))
        case .heartbeat(let hb):
            apply(.heartbeat(hb))
        case .request(let request) where Self.callCommands.contains(request.command):
            // These wait for other components; answer from a task so the control loop keeps going.
            Task { self.control?.reply(inbound, await self.answerCallCommand(request)) }
        case .request(let request):
            control?.reply(inbound, answer(request))
            if request.command == "shutdown" { stop(reason: "shutdown request") }
        case .reply(let reply):
            componentReplied(reply)
        case .event(let event):
            componentEvent(event, from: inbound.peer)
        case .configure:
            break  // nothing a component or client sends orch unasked
        }
    }

    private func answer(_ request: Request) -> Reply {
        switch request.command {
        case "status":
            return Reply(id: request.id, result: statusJSON())
        case "ping":
            return Reply(id: request.id, result: ["pong": true, "pid": .init(getpid())])
        case "config":
            return Reply(id: request.id, result: .object(config.json))
        case "shutdown":
            return Reply(id: request.id, result: ["stopping": true])
        case "workers", "workers.add", "workers.remove":
            return answerWorkers(request)
        case "probe_events":
            // Lets a new subscriber learn when its subscription is live (PUB/SUB joins asynchronously).
            let event = events?.publish(EventType.instanceProbe, ["token": request.args["token"] ?? .null])
            return Reply(id: request.id, result: ["seq": .number(Double(event?.seq ?? 0))])
        default:
            return Reply(id: request.id, error: WireError(.unknownCommand,
                "unknown command '\(request.command)'; orch understands status, ping, config, probe_events, shutdown, "
                + Self.callCommands.sorted().joined(separator: ", ")))
        }
    }

    private func statusJSON() -> JSONValue {
        let now = MonotonicClock.now()
        let orch = ComponentStatus(name: "orch", role: "orch", pid: getpid(), state: core.isStopping ? .stopping : .up,
                                   restarts: restarts, uptime: now.since(started), stats: orchStats(), lastExit: nil)
        return [
            "instance": .string(instance),
            "run_dir": .string(runDirectory.path),
            "all_up": .bool(core.allUp),
            "components": .array([orch.json] + core.snapshot(now: now).map(\.json)),
            "registrations": .array(registrations.keys.sorted().compactMap { registrations[$0].map(JSONValue.object) }),
            "calls": calls.activeJSON,
        ]
    }

    private func orchStats() -> [String: JSONValue] {
        guard let control else { return [:] }
        let c = control.counters
        return ["control_received": .init(c.received), "control_rejected": .init(control.rejectedCount),
                "control_send_dropped": .init(c.sendDropped)]
    }
}
