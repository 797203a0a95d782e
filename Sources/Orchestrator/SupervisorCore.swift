import ProcessSupport
import Timebase
import Wire
#if canImport(Glibc)
import Glibc
#endif

/// The supervision logic of `sip-orch` as a pure state machine: events in, actions out, time passed in.
///
///     spawn ──► starting ──hello──► up ──exit / hung (SIGKILL) ──► down ──backoff──► starting …
///                  │                 │
///                  └──no hello in start_timeout: SIGKILL──────────┘
///     stop: every live component ──SIGTERM──► stopping ──exit──► stopped (SIGKILL after the grace period)
///
/// The adapter (`Orchestrator`) performs the actions: it spawns processes, sends signals and bus messages, and
/// publishes events. Tests drive this type with a virtual clock and no processes at all.
public struct SupervisorCore: Sendable {
    public struct Settings: Sendable, Equatable {
        public var heartbeatInterval: Duration = .seconds(1)
        public var liveness = 3
        public var backoffInitial: Duration = .milliseconds(100)
        public var backoffMax: Duration = .seconds(10)
        public var stableAfter: Duration = .seconds(30)
        public var startTimeout: Duration = .seconds(10)
        public var stopGrace: Duration = .seconds(3)
        /// After an orch restart: how long to wait for running components to show up (their heartbeats reach the
        /// new orch on their own) before spawning the missing ones.
        public var adoptWindow: Duration = .seconds(2)
        /// A component that goes down this many times within `degradedWindow` is reported degraded.
        public var degradedRestarts = 5
        public var degradedWindow: Duration = .seconds(60)
        /// After a standby took over a worker, how long before a new standby is started.
        public var standbyRespawnDelay: Duration = .milliseconds(300)

        public init() {}
    }

    public enum Input: Sendable, Equatable {
        case start
        case spawned(name: String, pid: Int32)
        case spawnFailed(name: String, reason: String)
        case exited(pid: Int32, termination: ChildProcess.Termination)
        case hello(Hello)
        case heartbeat(Heartbeat)
        case tick
        case stop
    }

    public enum Action: Sendable, Equatable {
        case spawn(ComponentSpec)
        case signal(pid: Int32, signal: Int32)
        /// A `configure`, a heartbeat, or a request built from `ComponentAPI` (`component.assume`, `shutdown`).
        case send(to: String, ControlMessage)
        case publish(SupervisionEvent)
        /// A component left running by a previous orch was taken over: it is not our child, so the adapter
        /// watches its pid to learn of its exit.
        case adopt(name: String, pid: Int32)
        /// Every component has exited after `stop`.
        case finished
    }

    struct Slot: Sendable {
        var spec: ComponentSpec
        var state: ComponentState = .down
        var pid: Int32?
        var restarts = 0
        var backoff: RestartBackoff
        var since: MonotonicTime
        var lastHeard: MonotonicTime
        var upSince: MonotonicTime?
        var restartAt: MonotonicTime?
        var stable = false
        var killed = false
        var stats: JSONObject = [:]
        /// A media worker's `capacity` (port pairs) from its last heartbeat.
        var capacity: Int?
        var lastExit: String?
        var previousPID: Int32?
        var recentExits: [MonotonicTime] = []
        var degraded = false
        /// Being removed (`workers.remove`): gets no new calls, is stopped once its calls have ended, then forgotten.
        var retiring = false
    }

    public let settings: Settings
    /// The instance's settings and name, as every `configure` carries them.
    private let baseConfig: ConfigureContent
    private var slots: [Slot]
    private var stopping = false
    private var stopStarted: MonotonicTime?
    private var stopEscalated = false
    private var nextHeartbeat: MonotonicTime
    private var generation = 0
    /// Set while a restarted orch waits for the previous orch's components to report in.
    private var adoptUntil: MonotonicTime?

    /// - Parameter adopting: a previous orch of this instance died; its components may still be running.
    public init(components: [ComponentSpec], config: ConfigureContent, settings: Settings, now: MonotonicTime,
                adopting: Bool = false) {
        self.settings = settings
        self.baseConfig = config
        self.slots = components.map {
            Slot(spec: $0, backoff: RestartBackoff(initial: settings.backoffInitial, maximum: settings.backoffMax),
                 since: now, lastHeard: now)
        }
        self.nextHeartbeat = now
        if adopting { adoptUntil = now + settings.adoptWindow }
    }

    public var isStopping: Bool { stopping }

    public mutating func handle(_ input: Input, now: MonotonicTime) -> [Action] {
        switch input {
        case .start:
            guard adoptUntil == nil else {
                for i in slots.indices { slots[i].state = .starting; slots[i].since = now }
                return []
            }
            return slots.indices.flatMap { spawn($0, now: now) }
        case .spawned(let name, let pid):
            guard let i = index(name) else { return [] }
            slots[i].pid = pid
            slots[i].since = now
            slots[i].lastHeard = now
            return []
        case .spawnFailed(let name, let reason):
            guard let i = index(name) else { return [] }
            return down(i, reason: reason, now: now)
        case .exited(let pid, let termination):
            guard let i = slots.firstIndex(where: { $0.pid == pid }) else { return [] }
            return down(i, reason: termination.description, now: now)
        case .hello(let hello):
            return handleHello(hello, now: now)
        case .heartbeat(let hb):
            if let i = index(hb.name), adoptUntil != nil, slots[i].pid == nil, slots[i].state == .starting {
                return adopt(i, pid: hb.pid, now: now)
            }
            guard let i = index(hb.name), slots[i].pid == hb.pid else { return [] }
            slots[i].lastHeard = now
            slots[i].stats = hb.stats
            if slots[i].spec.role == "rtp" { slots[i].capacity = (try? WorkerStats(json: hb.stats))?.capacity }
            return []
        case .tick:
            return tick(now: now)
        case .stop:
            return beginStop(now: now)
        }
    }

    /// The accounts in the configuration sent to every component of `role` from now on (the state re-sync hook: a
    /// restarted sig registers them again without being asked).
    public mutating func setAccounts(_ accounts: [AccountArgs], forRole role: String) {
        for i in slots.indices where slots[i].spec.role == role { slots[i].spec.accounts = accounts }
    }

    /// Names of the components of a role that are up now.
    public func upComponents(role: String) -> [String] {
        slots.filter { $0.spec.role == role && $0.state == .up && !$0.spec.standby && !$0.retiring }.map(\.spec.name)
    }

    /// The figures a component sent with its last heartbeat (empty before the first).
    public func heartbeatStats(of name: String) -> JSONObject { slots.first { $0.spec.name == name }?.stats ?? [:] }

    /// Each media worker's `capacity` from its last heartbeat (workers that sent none are left out).
    public var workerCapacities: [String: Int] {
        var capacities: [String: Int] = [:]
        for slot in slots { if let capacity = slot.capacity { capacities[slot.spec.name] = capacity } }
        return capacities
    }

    /// Every slot's name for a role, whatever its state (for socket cleanup).
    public func componentNames(role: String) -> [String] { slots.filter { $0.spec.role == role }.map(\.spec.name) }

    /// Whether `name` is a standby worker (it carries no calls of its own).
    public func isStandby(_ name: String) -> Bool { index(name).map { slots[$0].spec.standby } ?? false }

    private func index(_ name: String) -> Int? { slots.firstIndex { $0.spec.name == name } }

    private mutating func spawn(_ i: Int, now: MonotonicTime) -> [Action] {
        slots[i].state = .starting
        slots[i].pid = nil
        slots[i].since = now
        slots[i].lastHeard = now
        slots[i].killed = false
        slots[i].restartAt = nil
        return slots[i].spec.external ? [] : [.spawn(slots[i].spec)]  // an external one is waited for
    }

    private mutating func down(_ i: Int, reason: String, now: MonotonicTime) -> [Action] {
        let pid = slots[i].pid
        if slots[i].retiring, slots[i].state == .stopping, !stopping {
            // A drained worker that was stopped: it leaves the pool.
            let name = slots[i].spec.name
            slots.remove(at: i)
            return [.publish(.workerRemoved(WorkerRemovedEvent(name: name, pid: pid)))] + reindexWorkers()
        }
        slots[i].previousPID = pid
        slots[i].pid = nil
        slots[i].upSince = nil
        slots[i].stats = [:]
        slots[i].capacity = nil
        slots[i].lastExit = reason
        if stopping {
            slots[i].state = .stopped
            return allStopped ? [.finished] : []
        }
        slots[i].state = .down
        slots[i].stable = false
        var who = identity(i)
        who.pid = pid  // the process that went down
        var actions: [Action] = []
        if slots[i].spec.external {
            slots[i].restartAt = nil
            slots[i].state = .starting  // waiting for it to connect again
            slots[i].since = now
            actions.append(.publish(.down(ComponentDownEvent(who, reason: reason, restartInMs: nil, external: true))))
        } else if let standby = readyStandby(for: i) {
            // A warm standby takes the dead worker's place at once: no process to start (docs/ROBUSTNESS.md).
            actions.append(.publish(.down(ComponentDownEvent(who, reason: reason, restartInMs: 0, standby: slots[standby].spec.name))))
            actions += promote(standby, into: i, now: now)
        } else {
            let delay = slots[i].backoff.take()
            slots[i].restartAt = now + delay
            actions.append(.publish(.down(ComponentDownEvent(who, reason: reason, restartInMs: Int(delay.milliseconds)))))
        }
        slots[i].recentExits = slots[i].recentExits.filter { now.since($0) < settings.degradedWindow } + [now]
        if !slots[i].degraded, slots[i].recentExits.count >= settings.degradedRestarts {
            slots[i].degraded = true
            let exits = slots[i].recentExits.count
            let window = Int(settings.degradedWindow.seconds)
            let name = slots[i].spec.name
            actions.append(.publish(.degraded(ComponentDegradedEvent(identity(i), exitsInWindow: exits, windowS: window, reason: reason,
                message: "\(name) went down \(exits) times in \(window) s (last: \(reason)); it keeps being restarted with backoff up to \(settings.backoffMax). See its log, \(name).log in the run directory"))))
        }
        return actions
    }

    /// A standby of the same role that is up and can take over slot `i` now (not while the group adopts or stops).
    private func readyStandby(for i: Int) -> Int? {
        guard !slots[i].spec.standby, !slots[i].spec.external, adoptUntil == nil, !stopping else { return nil }
        return slots.indices.first {
            slots[$0].spec.standby && slots[$0].spec.role == slots[i].spec.role && slots[$0].state == .up
                && slots[$0].pid != nil && !slots[$0].killed
        }
    }

    /// The standby process becomes slot `i`: it reopens its bus connection under that name and says hello (which
    /// brings the slot's configuration and, through `component.up`, the dead worker's calls); the standby slot
    /// starts a new process after a short pause, so the takeover has the CPU first.
    private mutating func promote(_ standby: Int, into i: Int, now: MonotonicTime) -> [Action] {
        let pid = slots[standby].pid
        slots[i].pid = pid
        slots[i].state = .starting
        slots[i].since = now
        slots[i].lastHeard = now
        slots[i].killed = false
        slots[i].restartAt = nil
        slots[i].restarts += 1
        slots[standby].pid = nil
        slots[standby].state = .down
        slots[standby].upSince = nil
        slots[standby].stats = [:]
        slots[standby].capacity = nil
        slots[standby].lastExit = "took over \(slots[i].spec.name)"
        slots[standby].restartAt = now + settings.standbyRespawnDelay
        generation += 1
        let request = Request(id: "assume-\(generation)", ComponentAPI.Assume(name: slots[i].spec.name))
        return [.send(to: slots[standby].spec.name, .request(request))]
    }

    /// Takes over a component that a previous orch started and that is still running.
    private mutating func adopt(_ i: Int, pid: Int32, now: MonotonicTime) -> [Action] {
        slots[i].pid = pid
        slots[i].since = now
        slots[i].lastHeard = now
        return [.adopt(name: slots[i].spec.name, pid: pid)]
            + handleHello(Hello(name: slots[i].spec.name, role: slots[i].spec.role, pid: pid, version: ""), now: now, adopted: true)
    }

    private mutating func handleHello(_ hello: Hello, now: MonotonicTime, adopted: Bool = false) -> [Action] {
        if let i = index(hello.name), adoptUntil != nil, slots[i].pid == nil, slots[i].state == .starting, !adopted {
            return adopt(i, pid: hello.pid, now: now)
        }
        if let i = index(hello.name), slots[i].spec.external, !stopping, slots[i].state == .up || slots[i].pid != hello.pid {
            // An external component (re)connected by itself: new, or restarted by whoever runs it. A hello from one that
            // is up means it lost its configuration, i.e. it restarted (in a container its pid may well be the same).
            if slots[i].state == .up || slots[i].lastExit != nil {
                slots[i].restarts += 1
                slots[i].previousPID = slots[i].pid ?? slots[i].previousPID
            }
            if slots[i].state == .up { slots[i].lastExit = "connected again (pid \(hello.pid))" }
            slots[i].pid = hello.pid
            slots[i].state = .starting
            slots[i].since = now
            slots[i].lastHeard = now
        }
        guard let i = index(hello.name), slots[i].pid == hello.pid, !stopping else { return [] }
        var actions: [Action] = [configure(i)]
        guard slots[i].state == .starting else { return actions }  // a repeated hello only needs its configuration
        slots[i].state = .up
        slots[i].since = now
        slots[i].upSince = now
        slots[i].lastHeard = now
        actions.append(.publish(.up(ComponentUpEvent(identity(i), adopted: adopted))))
        if slots[i].restarts > 0 {
            actions.append(.publish(.restarted(ComponentRestartedEvent(identity(i), previousPID: slots[i].previousPID,
                                                                      reason: slots[i].lastExit))))
        }
        return actions
    }

    /// The `configure` for slot `i`: the instance's configuration with the slot's own parts.
    private mutating func configure(_ i: Int) -> Action {
        generation += 1
        var content = baseConfig
        content.component = ConfigureContent.Component(name: slots[i].spec.name, role: slots[i].spec.role)
        content.worker = slots[i].spec.worker
        content.accounts = slots[i].spec.accounts
        return .send(to: slots[i].spec.name, .configure(Configure(generation: generation, restarts: slots[i].restarts, content: content)))
    }

    private mutating func tick(now: MonotonicTime) -> [Action] {
        var actions: [Action] = []
        if let until = adoptUntil, now >= until {
            adoptUntil = nil
            for i in slots.indices where slots[i].pid == nil && slots[i].state == .starting && !stopping { actions += spawn(i, now: now) }
        }
        let silence = settings.heartbeatInterval * settings.liveness
        for i in slots.indices {
            switch slots[i].state {
            case .starting where slots[i].pid != nil && !slots[i].killed && now.since(slots[i].since) > settings.startTimeout:
                actions += kill(i, reason: "no hello within \(settings.startTimeout)")
            case .up where !slots[i].killed && now.since(slots[i].lastHeard) > silence:
                actions += kill(i, reason: "no heartbeat for \(now.since(slots[i].lastHeard)) (limit \(silence))")
            case .up where !slots[i].stable && now.since(slots[i].upSince ?? now) >= settings.stableAfter:
                slots[i].stable = true
                slots[i].degraded = false
                slots[i].recentExits.removeAll()
                slots[i].backoff.reset()
            case .down where !stopping && (slots[i].restartAt.map { $0 <= now } ?? false):
                slots[i].restarts += 1
                actions += spawn(i, now: now)
            default:
                break
            }
        }
        if stopping, !stopEscalated, let started = stopStarted, now.since(started) > settings.stopGrace {
            stopEscalated = true
            for slot in slots where slot.state == .stopping { if let pid = slot.pid { actions.append(.signal(pid: pid, signal: SIGKILL)) } }
        }
        if now >= nextHeartbeat {
            nextHeartbeat = now + settings.heartbeatInterval
            for slot in slots where slot.state == .up {
                actions.append(.send(to: slot.spec.name, .heartbeat(Heartbeat(name: "orch", pid: Int32(getpid())))))
            }
        }
        return actions
    }

    /// A hung component is killed with SIGKILL (SIGTERM needs a responsive process); its exit then restarts it.
    private mutating func kill(_ i: Int, reason: String) -> [Action] {
        guard let pid = slots[i].pid else { return [] }
        if slots[i].spec.external {
            // Not ours to kill: it is marked down and waited for (its own supervisor restarts it).
            return [.publish(.hung(ComponentHungEvent(identity(i), reason: reason)))] + down(i, reason: reason, now: slots[i].lastHeard)
        }
        slots[i].killed = true
        return [.publish(.hung(ComponentHungEvent(identity(i), reason: reason))), .signal(pid: pid, signal: SIGKILL)]
    }

    private mutating func beginStop(now: MonotonicTime) -> [Action] {
        guard !stopping else { return [] }
        stopping = true
        stopStarted = now
        var actions: [Action] = []
        for i in slots.indices {
            if let pid = slots[i].pid, !slots[i].spec.external {
                slots[i].state = .stopping
                actions.append(.signal(pid: pid, signal: SIGTERM))
            } else {
                slots[i].state = .stopped
            }
        }
        if allStopped { actions.append(.finished) }
        return actions
    }

    private var allStopped: Bool { slots.allSatisfy { $0.state == .stopped } }

    /// Who slot `i` is, as every `component.*` event starts.
    private func identity(_ i: Int) -> ComponentIdentity {
        ComponentIdentity(name: slots[i].spec.name, role: slots[i].spec.role, pid: slots[i].pid, restarts: slots[i].restarts)
    }

    /// What `status` shows for each supervised component.
    public func snapshot(now: MonotonicTime) -> [ComponentStatus] {
        slots.map { slot in
            ComponentStatus(name: slot.spec.name, role: slot.spec.role, pid: slot.pid, state: slot.state,
                            restarts: slot.restarts, uptime: slot.upSince.map { now.since($0) } ?? .zero,
                            stats: slot.stats, lastExit: slot.lastExit, degraded: slot.degraded, standby: slot.spec.standby,
                            external: slot.spec.external)
        }
    }

    /// Whether every component is up (what `sipc up` waits for).
    public var allUp: Bool { slots.allSatisfy { $0.state == .up } }
}

/// An event the supervisor publishes (docs/PROTOCOL.md §5, `component.*` and `worker.removed`).
public enum SupervisionEvent: Sendable, Equatable {
    case up(ComponentUpEvent)
    case down(ComponentDownEvent)
    case restarted(ComponentRestartedEvent)
    case hung(ComponentHungEvent)
    case degraded(ComponentDegradedEvent)
    case workerRemoved(WorkerRemovedEvent)

    public var event: any WireEvent {
        switch self {
        case .up(let e): e
        case .down(let e): e
        case .restarted(let e): e
        case .hung(let e): e
        case .degraded(let e): e
        case .workerRemoved(let e): e
        }
    }

    /// The event's type (`component.up` ...).
    public var type: String { Swift.type(of: event).type }
}

public struct ComponentStatus: Sendable, Equatable {
    public var name: String
    public var role: String
    public var pid: Int32?
    public var state: ComponentState
    public var restarts: Int
    public var uptime: Duration
    public var stats: JSONObject
    public var lastExit: String?
    /// Crash-looping: restarted too often recently (see `component.degraded`).
    public var degraded = false
    /// A warm standby worker (`rtp.standby`).
    public var standby = false
    /// Started by someone else (`supervision.external`, a joining worker); orch waits for it instead of starting it.
    public var external = false

    /// The component as `status` shows it.
    public var status: OrchAPI.ComponentStatus {
        OrchAPI.ComponentStatus(name: name, role: role, pid: pid, state: state.rawValue, restarts: restarts,
                                uptimeS: (uptime.seconds * 10).rounded() / 10, stats: stats.isEmpty ? nil : stats, lastExit: lastExit,
                                degraded: degraded, standby: standby, external: external)
    }
}

// MARK: - the media worker pool at runtime (`sipc workers`)

extension SupervisorCore {
    /// A media worker as `workers` lists it.
    public struct WorkerInfo: Sendable, Equatable {
        public var name: String
        public var pid: Int32?
        public var state: ComponentState
        public var standby: Bool
        public var draining: Bool
        public var restarts: Int
        public var external: Bool
    }

    public var workers: [WorkerInfo] {
        slots.filter { $0.spec.role == "rtp" }.map {
            WorkerInfo(name: $0.spec.name, pid: $0.pid, state: $0.state, standby: $0.spec.standby, draining: $0.retiring,
                       restarts: $0.restarts, external: $0.spec.external)
        }
    }

    /// Adds `count` media workers (named `rtp-K` with the lowest free K) and starts them; workers already running get
    /// the new worker count, which re-divides the port range (their calls keep their ports).
    public mutating func addWorkers(_ count: Int, now: MonotonicTime) -> (names: [String], actions: [Action]) {
        guard !stopping, count > 0 else { return ([], []) }
        var names: [String] = []
        var actions: [Action] = []
        for _ in 0..<count {
            let used = Set(slots.compactMap { Self.workerIndex($0.spec) })
            let k = (1...).first { !used.contains($0) }!
            let spec = ComponentSpec(name: "rtp-\(k)", role: "rtp", executable: "sip-rtp")
            slots.append(Slot(spec: spec, backoff: RestartBackoff(initial: settings.backoffInitial, maximum: settings.backoffMax),
                              since: now, lastHeard: now))
            names.append(spec.name)
        }
        actions += reindexWorkers()
        for name in names { if let i = index(name) { actions += spawn(i, now: now) } }
        return (names, actions)
    }

    /// A media worker that connected by itself (`remote.accept_workers`): it joins the pool as an external component.
    /// - Returns: false when the name belongs to a component orch starts itself (the hello is then ignored).
    public mutating func addExternalWorker(_ name: String, now: MonotonicTime) -> Bool {
        if let i = index(name) { return slots[i].spec.external }
        guard !stopping else { return false }
        var spec = ComponentSpec(name: name, role: "rtp", executable: "sip-rtp")
        spec.external = true
        var slot = Slot(spec: spec, backoff: RestartBackoff(initial: settings.backoffInitial, maximum: settings.backoffMax),
                        since: now, lastHeard: now)
        slot.state = .starting
        slots.append(slot)
        return true
    }

    /// Whether a component of this name is known (started by orch, external, or a worker that joined).
    public func knows(_ name: String) -> Bool { index(name) != nil }

    /// Whether `name` is a component orch waits for instead of starting.
    public func isExternal(_ name: String) -> Bool { index(name).map { slots[$0].spec.external } ?? false }

    /// Puts back workers a previous orch had added (from its journal), before `start`, so their processes are adopted.
    public mutating func restoreWorkers(_ names: [String], now: MonotonicTime) {
        for name in names where index(name) == nil && name.hasPrefix("rtp-") && Int(name.dropFirst(4)) != nil {
            slots.append(Slot(spec: ComponentSpec(name: name, role: "rtp", executable: "sip-rtp"),
                              backoff: RestartBackoff(initial: settings.backoffInitial, maximum: settings.backoffMax),
                              since: now, lastHeard: now))
        }
        _ = reindexWorkers()
    }

    public enum DrainError: Error, Equatable, CustomStringConvertible {
        case unknown(String, known: [String])
        case standby(String)
        case last(String)

        public var description: String {
            switch self {
            case .unknown(let n, let known): "no media worker '\(n)'; the workers are \(known.joined(separator: ", ")) (sipc workers list)"
            case .standby(let n): "\(n) is a standby worker; set rtp.standby to change how many there are"
            case .last(let n): "\(n) is the last media worker: add another first (sipc workers add 1), or calls could not get media"
            }
        }
    }

    /// Marks a worker as leaving: no new calls go to it; orch stops it (`retire`) once its calls have ended.
    /// - Returns: nil when the worker drains, else why it cannot.
    public mutating func drain(_ name: String) -> DrainError? {
        guard let i = index(name), slots[i].spec.role == "rtp" else {
            return .unknown(name, known: workers.filter { !$0.standby }.map(\.name))
        }
        guard !slots[i].spec.standby else { return .standby(name) }
        let others = slots.filter { $0.spec.role == "rtp" && !$0.spec.standby && !$0.retiring && $0.spec.name != name }
        guard slots[i].retiring || !others.isEmpty else { return .last(name) }
        slots[i].retiring = true
        return nil
    }

    /// Names of draining workers (orch retires each once it carries no call).
    public var drainingWorkers: [String] { slots.filter { $0.retiring && $0.state != .stopping }.map(\.spec.name) }

    /// Stops a drained worker (SIGTERM); its exit removes it from the pool. One that is not running is removed now.
    public mutating func retire(_ name: String) -> [Action] {
        guard let i = index(name), slots[i].retiring, slots[i].state != .stopping else { return [] }
        if slots[i].spec.external {
            // Asked to exit; it leaves the pool now (whoever runs it should not start it again).
            let pid = slots[i].pid
            slots.remove(at: i)
            return [.send(to: name, .request(Request(id: "retire-\(name)", ComponentAPI.Shutdown()))),
                    .publish(.workerRemoved(WorkerRemovedEvent(name: name, pid: pid)))] + reindexWorkers()
        }
        if let pid = slots[i].pid {
            slots[i].state = .stopping
            return [.signal(pid: pid, signal: SIGTERM)]
        }
        slots.remove(at: i)
        return [.publish(.workerRemoved(WorkerRemovedEvent(name: name, pid: nil)))] + reindexWorkers()
    }

    /// Gives every worker its index (from its name) and the current count (the highest index), and sends the new
    /// values to running workers whose values changed: each takes every count-th port pair of `rtp.ports`.
    mutating func reindexWorkers() -> [Action] {
        let count = slots.compactMap { Self.workerIndex($0.spec) }.max() ?? 1
        var actions: [Action] = []
        for i in slots.indices {
            guard let k = Self.workerIndex(slots[i].spec) else { continue }
            let worker = ConfigureContent.Worker(index: k, count: count)
            guard slots[i].spec.worker != worker else { continue }
            slots[i].spec.worker = worker
            if slots[i].state == .up { actions.append(configure(i)) }
        }
        return actions
    }

    /// K of a (non-standby) `rtp-K` worker.
    static func workerIndex(_ spec: ComponentSpec) -> Int? {
        guard spec.role == "rtp", !spec.standby, spec.name.hasPrefix("rtp-") else { return nil }
        return Int(spec.name.dropFirst(4))
    }
}
