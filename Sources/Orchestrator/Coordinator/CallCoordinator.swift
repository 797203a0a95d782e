import Config
import Foundation
import Logging
import Timebase
import Wire

/// orch's call coordination as a pure state machine: client commands, component replies and events, supervision
/// changes and clock ticks in; requests, replies, events, journal records and log lines out. It owns the call table,
/// accounts and registrations, the answer slots, media placement, referrals, the conference, loss watches, the audit
/// and the journal's write-ahead state, and for every request it sends a component, what to do with the answer
/// (`pending`). It never reads a clock: `Context` brings the time, and what it needs to know of the supervisor.
///
///     client ──.client──►┐                                    ┌──.request──► component ──reply──► .reply
///     component ─.event─►│ CallCoordinator (pending: id → k) ├──.reply────► client
///     supervisor ─.up/.down─►│                                ├──.publish / .republish──► events.sock
///     tick (50 ms) ──────►┘   timeouts, audit, journal flush  └──.journal / .compactJournal──► state.log / state.json
///
/// A multi-step flow (place a call, answer, re-sync a worker, the audit ...) is a small value stored with the request it
/// waits on (`Continuation`); the reply, or the request's timeout, resumes it. A reply after its timeout, or to a
/// request the coordinator did not send, finds no entry and is ignored.
///
/// The adapter (`Orchestrator`) performs the actions in order and feeds back what happens; tests drive this type with
/// a virtual clock and no sockets (Tests/OrchestratorTests/CallCoordinatorTests.swift).
public struct CallCoordinator: Sendable {
    /// What the coordinator needs to know of the supervisor at the moment of an input.
    public struct Topology: Sendable, Equatable {
        /// The sip-sig and sip-audio that are up (nil: down or restarting).
        public var sig: String?
        public var audio: String?
        /// Media workers that take calls: up, not standby, not draining.
        public var workers: [String]
        /// Each worker's `capacity` (port pairs) from its heartbeat.
        public var capacity: [String: Int]
        /// Workers being drained (`workers.remove`), retired once they carry no call.
        public var draining: [String]
        /// The workers of the pool the journal keeps (not standby, not external).
        public var pool: [String]

        public init(sig: String? = nil, audio: String? = nil, workers: [String] = [], capacity: [String: Int] = [:],
                    draining: [String] = [], pool: [String] = []) {
            self.sig = sig
            self.audio = audio
            self.workers = workers
            self.capacity = capacity
            self.draining = draining
            self.pool = pool
        }
    }

    /// The moment of an input: the supervisor's state, the monotonic time (timeouts, the audit) and the wall-clock time
    /// (the calls' times, as `status` and the journal show them).
    public struct Context: Sendable {
        public var topology: Topology
        public var now: MonotonicTime
        public var date: Date

        public init(topology: Topology, now: MonotonicTime, date: Date) {
            self.topology = topology
            self.now = now
            self.date = date
        }
    }

    /// The adapter's handle on a client request waiting for its reply.
    public struct ClientToken: Hashable, Sendable {
        public var rawValue: UInt64
        public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    }

    public enum Input: Sendable {
        /// A client command (one of `commands`).
        case client(Request, ClientToken)
        /// A component's reply to a request the coordinator sent (others are ignored).
        case reply(Reply)
        /// A component's event; `from` is its name.
        case event(Event, from: String)
        /// From the supervisor: a component is up (started, restarted, or adopted by a restarted orch; not a standby).
        case componentUp(name: String, role: String, adopted: Bool)
        /// From the supervisor: a component went down (`external`: not restarted by orch).
        case componentDown(name: String, role: String, external: Bool)
        /// `workers.remove`: the supervisor marked `name` draining.
        case workerDraining(String)
        /// Every 50 ms: request timeouts, the audit (every 2 s), retiring drained workers, the journal flush.
        case tick
    }

    public enum Action: Sendable {
        /// Send a component a request; its reply comes back as `.reply` (its timeout is the coordinator's).
        case request(to: String, Request)
        /// Send a request whose reply nobody waits for (`call.answer_slots`).
        case send(to: String, Request)
        /// Answer a client.
        case reply(ClientToken, Reply)
        /// Publish one of orch's own events.
        case publish(any WireEvent)
        /// Publish a component's event as it came, with `source` (fields a later version adds pass on untouched).
        case republish(Event)
        /// Append these lines to the journal's log (one write).
        case journal([JournalRecord])
        /// Write the whole state to `state.json` and empty the log.
        case compactJournal(JournalSnapshot)
        /// The accounts sig gets in its `configure` from now on.
        case setSigAccounts([AccountArgs])
        case log(Logger.Level, String, Logger.Metadata)
        /// A drained worker carries no call any more: the supervisor stops it.
        case retire(String)
    }

    /// The client commands the coordinator serves (docs/PROTOCOL.md §4, orch).
    public static let commands: Set<String> = [
        OrchAPI.Register.name, OrchAPI.Unregister.name, OrchAPI.Call.name, OrchAPI.Answer.name, OrchAPI.Reject.name,
        OrchAPI.Hangup.name, OrchAPI.Calls.name, OrchAPI.DTMF.name, OrchAPI.CallStats.name, OrchAPI.Hold.name,
        OrchAPI.Resume.name, OrchAPI.Transfer.name, OrchAPI.Conference.name, OrchAPI.Record.name, OrchAPI.Devices.name,
        OrchAPI.Mute.name, OrchAPI.Unmute.name, OrchAPI.Audio.name, OrchAPI.AudioState.name, OrchAPI.AudioAttach.name,
        OrchAPI.AudioDetach.name,
    ]

    let settings: CallSettings
    let makeCallID: @Sendable () -> CallID
    public internal(set) var calls = CallTable()
    /// Accounts added with `register`, re-sent to a restarted sig in its `configure`.
    public internal(set) var accounts: [String: AccountArgs] = [:]
    /// The last `registration.state` of every account (without `source`).
    public internal(set) var registrations: [String: RegistrationStateEvent] = [:]
    var nextStream: UInt32 = 0
    /// Allocations asked of each worker and not yet answered, so calls arriving together still spread out.
    var pendingAllocations: [String: Int] = [:]
    /// Calls placed for a peer's REFER: new call -> the call whose peer asked (it hears of the progress by NOTIFY).
    var referrals: [CallID: CallID] = [:]
    /// The calls mixed together in the local three-way conference (sip-audio mixes them; docs/ARCHITECTURE.md).
    var conference: Set<CallID> = []
    /// Loss per second of each call, for `call.quality.degraded` and the codec fallback.
    var lossWatch: [CallID: LossWatch] = [:]
    /// An audit of the calls against sig's is under way (CallCoordinator+Audit.swift).
    var auditing = false
    /// When sig last came up (restarted or adopted): its calls are being given back, so the audit waits a little.
    var sigCameUp = MonotonicTime(nanoseconds: .min)  // the distant past: no sig came up yet
    var nextAudit: MonotonicTime?
    /// The journal's write-ahead state (CallCoordinator+Journal.swift).
    var journal = JournalState()
    /// Port pairs held on workers for sig to answer calls at once (CallCoordinator+AnswerSlots.swift).
    var slots: AnswerSlots
    /// Requests sent and not yet answered: what to do with each reply, and when to give up.
    var pending: [String: Pending] = [:]
    var earliestDeadline: MonotonicTime?
    var requestCounter = 0
    /// While an input is handled: its moment, and the actions so far.
    var context = Context(topology: Topology(), now: .zero, date: Date(timeIntervalSince1970: 0))
    var out: [Action] = []

    /// - Parameters:
    ///   - answerSlotPrefix: the ids of this orch's answer slots start with it (unique per orch run).
    ///   - makeCallID: ids for calls orch places without the client naming one.
    public init(settings: CallSettings, answerSlotPrefix: String,
                makeCallID: @escaping @Sendable () -> CallID = CallCoordinator.randomCallID) {
        self.settings = settings
        self.makeCallID = makeCallID
        self.slots = AnswerSlots(prefix: answerSlotPrefix)
    }

    public static func randomCallID() -> CallID {
        var rng = SystemRandomNumberGenerator()
        return CallID("c" + String(rng.next(), radix: 36) + String(rng.next() & 0xFFFF, radix: 36))
    }

    public mutating func handle(_ input: Input, context: Context) -> [Action] {
        self.context = context
        switch input {
        case .client(let request, let token):
            clientCommand(request, Client(token: token, requestID: request.id))
        case .reply(let reply):
            replied(reply)
        case .event(let event, let source):
            componentEvent(event, from: source)
        case .componentUp(let name, let role, let adopted):
            resync(component: name, role: role, adopted: adopted)
        case .componentDown(let name, let role, let external):
            guard role == "rtp" else { break }
            dropAnswerSlots(of: name)
            if external { relocateCalls(from: name) }
        case .workerDraining(let name):
            draining(name)
        case .tick:
            expireRequests()
            if let due = nextAudit {
                if context.now >= due {
                    nextAudit = context.now + .seconds(2)
                    auditCalls()
                }
            } else {
                nextAudit = context.now + .seconds(1)  // the first audit a second after start, then every 2 s
            }
            retireDrainedWorkers()
            flushJournal()
        }
        return takeActions()
    }

    mutating func takeActions() -> [Action] {
        let actions = out
        out = []
        return actions
    }

    // MARK: what flows use

    var topology: Topology { context.topology }

    mutating func emit(_ action: Action) { out.append(action) }

    mutating func publish(_ event: some WireEvent) { out.append(.publish(event)) }

    mutating func log(_ level: Logger.Level, _ message: String, _ metadata: Logger.Metadata = [:]) {
        out.append(.log(level, message, metadata))
    }

    /// Two PCM stream ids per call: playback (decoded audio) and capture (audio to send).
    mutating func assignStreams(_ record: inout CallRecord) {
        nextStream &+= 2
        record.streams = PCMStreams(playback: StreamID(nextStream), capture: StreamID(nextStream + 1))
    }

    /// The media workers' names in placement order: fewest calls (and allocations under way) first.
    func workersByLoad() -> [String] {
        let load = { (w: String) in self.calls.load(of: w) + self.pendingAllocations[w, default: 0] }
        return topology.workers.sorted { load($0) < load($1) }
    }

    /// Stops every draining worker that no longer carries a call.
    mutating func retireDrainedWorkers() {
        for name in topology.draining where calls.load(of: name) == 0 && pendingAllocations[name, default: 0] == 0 {
            log(.notice, "a drained media worker leaves the pool", ["worker": "\(name)"])
            emit(.retire(name))
        }
    }

    /// `workers.remove`: the worker gets no new calls and its slots go; it is retired once its calls have ended.
    private mutating func draining(_ name: String) {
        let carried = calls.load(of: name)
        publish(WorkerDrainingEvent(name: name, calls: carried))
        log(.notice, "draining a media worker", ["worker": "\(name)", "calls": "\(carried)"])
        dropAnswerSlots(of: name, release: true)
        retireDrainedWorkers()
    }
}

/// Per-call loss bookkeeping between two `media.stats`.
struct LossWatch: Sendable {
    var lost = 0
    var received = 0
    var lossySeconds = 0
    var fellBackFrom: Set<String> = []
}
