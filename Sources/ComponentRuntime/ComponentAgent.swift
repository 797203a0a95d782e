import Bus
import Config
import Foundation
import Logging
import ProcessSupport
import Timebase
import Wire

/// What every supervised component does towards orch, so each executable only adds its own work:
/// say `hello` until configured, send heartbeats (with its counters), apply `configure` (again after every orch
/// restart or reconnect), answer requests, and exit by itself when orch has been silent too long.
public actor ComponentAgent {
    public enum ExitReason: Sendable, Equatable, CustomStringConvertible {
        case signal(Int32)
        case orchGone(silence: Duration)
        case shutdownRequested
        /// A standby was told to become another component (`component.assume`): the caller starts it under `name`.
        case assume(name: String)

        public var description: String {
            switch self {
            case .assume(let name): "taking over as \(name)"
            case .signal(let s): "received \(ChildProcess.signalName(s))"
            case .orchGone(let d): "orch silent for \(d)"
            case .shutdownRequested: "shutdown requested"
            }
        }
    }

    /// Handles a request orch (or a client routed by orch) sends this component. Return nil for unknown commands.
    public typealias RequestHandler = @Sendable (Request) async -> Reply?
    public typealias ConfigureHandler = @Sendable (Configure) async -> Void
    public typealias StatsProvider = @Sendable () -> JSONObject

    public let name: String
    public let role: String
    private let client: ControlClient
    private let logger: Logger
    private var heartbeatInterval: Duration = .seconds(1)
    private var orchTimeout: Duration
    private var lastHeard = MonotonicClock.now()
    private var nextBeat = MonotonicClock.now()
    private var configuration: Configure?
    private var exitContinuation: CheckedContinuation<ExitReason, Never>?
    private var exitReason: ExitReason?
    /// Whether `component.assume` is accepted (standby processes only).
    private var assumable = false

    public init(name: String, role: String, runDirectory: String, logger: Logger, orchTimeout: Duration = .seconds(5)) throws(BusError) {
        try self.init(name: name, role: role, control: InstanceEndpoints(runDirectory: runDirectory).control, logger: logger,
                      orchTimeout: orchTimeout)
    }

    /// - Parameter control: orch's control endpoint: its `ctl.sock`, or its `remote.listen` (with CURVE `security`)
    ///   for a worker on another host.
    public init(name: String, role: String, control: String, security: SocketSecurity = .none, logger: Logger,
                orchTimeout: Duration = .seconds(5)) throws(BusError) {
        self.name = name
        self.role = role
        self.logger = logger
        self.orchTimeout = orchTimeout
        self.client = try ControlClient(connectTo: control, identity: name, security: security)
    }

    public var currentConfiguration: Configure? { configuration }

    /// Sends an event to orch, which republishes it on the instance's event socket (stamped with its own `seq`
    /// and the component's name as `source`). Events are not queued while orch is away: state that must survive
    /// an orch restart is re-sent through the `configure` re-sync.
    /// Untyped form, while components move to the typed events (issue 16); to be removed.
    public nonisolated func emit(_ type: String, _ data: JSONObject) {
        client.send(.event(Event(seq: 0, type: type, time: Date().timeIntervalSince1970, data: data)))
    }

    public nonisolated func emit<E: WireEvent>(_ event: E) {
        client.send(event: event, time: Date().timeIntervalSince1970)
    }

    /// Runs until a termination signal, a shutdown request, or orch's silence; returns why.
    /// - Parameter assumable: a standby: `component.assume` ends the run with `.assume(name)`.
    public func run(assumable: Bool = false,
                    onConfigure: @escaping ConfigureHandler = { _ in },
                    stats: @escaping StatsProvider = { [:] },
                    requests: @escaping RequestHandler = { _ in nil }) async -> ExitReason {
        self.assumable = assumable
        let signals = SignalStream.watch()
        SignalStream.ignoreSIGPIPE()
        let inbound = client.messages
        lastHeard = MonotonicClock.now()
        let tasks = [
            Task { for await sig in signals { await self.finish(.signal(sig)) } },
            Task {
                for await message in inbound { await self.handle(message, onConfigure: onConfigure, stats: stats, requests: requests) }
            },
            Task {
                // Short ticks, so a new interval from `configure` applies at once rather than after the old one.
                while !Task.isCancelled {
                    await self.tick(stats: stats)
                    try? await Task.sleep(for: .milliseconds(25))
                }
            },
        ]
        let reason = await withCheckedContinuation { continuation in
            if let exitReason { continuation.resume(returning: exitReason) } else { exitContinuation = continuation }
        }
        tasks.forEach { $0.cancel() }
        client.shutdown()
        logger.info("exiting", metadata: ["reason": "\(reason)"])
        return reason
    }

    private func finish(_ reason: ExitReason) {
        guard exitReason == nil else { return }
        exitReason = reason
        exitContinuation?.resume(returning: reason)
        exitContinuation = nil
    }

    /// When a heartbeat is due: hello until configured, then heartbeats; and the orch liveness check.
    private func tick(stats: StatsProvider) {
        let now = MonotonicClock.now()
        guard now >= nextBeat else { return }
        nextBeat = now + heartbeatInterval
        let pid = Int32(getpid())
        if configuration == nil {
            client.send(.hello(Hello(name: name, role: role, pid: pid, version: SIPClientVersion.string)))
        } else {
            client.send(.heartbeat(Heartbeat(name: name, pid: pid, stats: stats())))
        }
        let silence = MonotonicClock.now().since(lastHeard)
        if silence > orchTimeout {
            logger.warning("orch is gone", metadata: ["silence": "\(silence)"])
            finish(.orchGone(silence: silence))
        }
    }

    private func handle(_ message: ControlMessage, onConfigure: ConfigureHandler, stats: @escaping StatsProvider,
                        requests: @escaping RequestHandler) async {
        lastHeard = MonotonicClock.now()  // any message from orch is proof of life
        switch message {
        case .configure(let configure):
            let first = configuration == nil
            configuration = configure
            apply(configure.settings.supervision)
            logger.info(first ? "configured" : "reconfigured", metadata: ["generation": "\(configure.generation)", "restarts": "\(configure.restarts)"])
            await onConfigure(configure)
            client.send(.heartbeat(Heartbeat(name: name, pid: Int32(getpid()), stats: stats())))
        case .heartbeat:
            // After an orch restart the new orch knows nothing of us until we say hello again.
            break
        case .request(let request) where request.command == ComponentAPI.Assume.name:
            guard assumable, let newName = try? request.decode(ComponentAPI.Assume.self).name, !newName.isEmpty else {
                client.send(.reply(request.failure(.badArgs, "\(name) is not a standby, or no name was given")))
                return
            }
            client.send(.reply(request.success(ComponentAPI.Assume.Result(assumed: newName))))
            finish(.assume(name: newName))
        case .request(let request):
            // Some requests wait on the network (a registration takes seconds): answer from a task so orch's
            // heartbeats keep being read meanwhile.
            Task { self.client.send(.reply(await self.answer(request, stats: stats, handler: requests))) }
        case .reply, .event, .hello:
            break
        }
    }

    private func answer(_ request: Request, stats: StatsProvider, handler: RequestHandler) async -> Reply {
        switch request.command {
        case ComponentAPI.Ping.name:
            return request.answerNow(ComponentAPI.Ping.self) { _ in .init(name: name, pid: getpid()) }
        case ComponentAPI.Stats.name:
            return request.answerNow(ComponentAPI.Stats.self) { _ in stats() }
        case ComponentAPI.Shutdown.name:
            finish(.shutdownRequested)
            return request.answerNow(ComponentAPI.Shutdown.self) { _ in Stopping() }
        case ComponentAPI.Reconnect.name:
            // orch asks us to introduce ourselves again (it restarted and lost its table).
            configuration = nil
            return request.answerNow(ComponentAPI.Reconnect.self) { _ in .init() }
        default:
            if let reply = await handler(request) { return reply }
            return Reply(id: request.id, error: WireError(.unknownCommand, "\(name) does not understand '\(request.command)'"))
        }
    }

    private func apply(_ supervision: SupervisionSettings) {
        heartbeatInterval = .milliseconds(supervision.heartbeatIntervalMs)
        nextBeat = MonotonicClock.now() + heartbeatInterval  // a heartbeat goes out right after configure
        orchTimeout = .seconds(supervision.orchTimeoutS)
    }
}

/// The version every component reports in `hello`.
public enum SIPClientVersion {
    public static let string = "0.1.0"
}
