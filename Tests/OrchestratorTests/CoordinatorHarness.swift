import Config
import Foundation
import Synchronization
import Testing
import Timebase
import Wire
@testable import Orchestrator

/// Drives a `CallCoordinator` as the adapter would, with a virtual clock and no sockets: inputs in, actions out,
/// and the components' parts played by the test (it answers the requests it picks).
struct CoordinatorHarness {
    typealias Action = CallCoordinator.Action

    var coordinator: CallCoordinator
    var now = MonotonicTime(nanoseconds: 1_000_000_000)
    var date = Date(timeIntervalSince1970: 1_700_000_000)
    var topology = CallCoordinator.Topology(sig: "sig", audio: "audio", workers: ["rtp-1", "rtp-2"],
                                            capacity: ["rtp-1": 100, "rtp-2": 100], pool: ["rtp-1", "rtp-2"])
    private var clients: UInt64 = 0

    init(_ configure: (inout CallSettings) -> Void = { _ in }) {
        var settings = InstanceConfig().calls
        configure(&settings)
        let ids = Counter()
        coordinator = CallCoordinator(settings: settings, answerSlotPrefix: "slot-t-", makeCallID: { CallID("c\(ids.next())") })
    }

    var context: CallCoordinator.Context { .init(topology: topology, now: now, date: date) }

    /// Every action so far, in order (what the adapter would have performed).
    var performed: [Action] = []

    mutating func handle(_ input: CallCoordinator.Input) -> [Action] {
        let actions = coordinator.handle(input, context: context)
        performed += actions
        return actions
    }

    /// A client's command; returns its token (to find the reply) and the actions.
    mutating func client<C: WireCommand>(_ command: C) -> (token: CallCoordinator.ClientToken, actions: [Action]) {
        clients += 1
        let token = CallCoordinator.ClientToken(clients)
        return (token, handle(.client(Request(id: "client-\(clients)", command), token)))
    }

    mutating func client(_ command: String, _ args: JSONObject) -> (token: CallCoordinator.ClientToken, actions: [Action]) {
        clients += 1
        let token = CallCoordinator.ClientToken(clients)
        return (token, handle(.client(Request(id: "client-\(clients)", command: command, args: args), token)))
    }

    mutating func answer(_ request: Request?, with result: some WireValue) -> [Action] {
        guard let request else {
            Issue.record("no request to answer")
            return []
        }
        return handle(.reply(Reply(id: request.id, typed: result)))
    }

    mutating func fail(_ request: Request?, _ code: ErrorCode = .failed, _ message: String = "no") -> [Action] {
        guard let request else {
            Issue.record("no request to fail")
            return []
        }
        return handle(.reply(Reply(id: request.id, error: WireError(code, message))))
    }

    mutating func event(_ event: some WireEvent, from source: String = "sig") -> [Action] {
        handle(.event(Event(seq: 1, time: date.timeIntervalSince1970, event), from: source))
    }

    /// Moves the clocks on and ticks once.
    mutating func advance(_ duration: Duration) -> [Action] {
        now = now + duration
        date = date.addingTimeInterval(duration.seconds)
        return handle(.tick)
    }

    // MARK: the components' usual answers

    static func allocated(_ request: Request?, worker: String, port: UInt16) -> MediaAPI.Allocate.Result {
        let call = (try? request?.decode(MediaAPI.Allocate.self))?.call ?? "?"
        return MediaAPI.Allocate.Result(call: call, address: "127.0.0.1", port: port, rtcpPort: port + 1, worker: worker)
    }

    static let remote = RemoteMedia(address: "127.0.0.2", port: 40000, codec: .pcmu, payloadType: 0, direction: .sendrecv)

    static func started(_ call: CallID, port: UInt16 = 20000) -> MediaAPI.Start.Result {
        MediaAPI.Start.Result(stats: MediaStats(call: call, localPort: port))
    }

    /// Places call `id` through to sig's answer: allocate on the least loaded worker (port `port`), dial, reply.
    @discardableResult
    mutating func placeCall(_ id: CallID, port: UInt16 = 20000) -> [Action] {
        let placed = client(OrchAPI.Call(to: "sip:bob@127.0.0.1:5080", call: id))
        let allocate = placed.actions.request(MediaAPI.Allocate.self)
        let dial = answer(allocate?.request, with: Self.allocated(allocate?.request, worker: allocate?.to ?? "?", port: port))
        return answer(dial.request(SigAPI.CallDial.self)?.request, with: SigAPI.CallDial.Result(call: id, sipCallID: "sip-\(id)"))
    }

    /// `placeCall`, then sig reports it connected with media.
    @discardableResult
    mutating func connectCall(_ id: CallID, port: UInt16 = 20000) -> [Action] {
        placeCall(id, port: port)
        return event(CallStateEvent(call: id, state: .connected, direction: .outgoing, remote: "sip:bob@127.0.0.1:5080", code: 200,
                                    codec: .pcmu, remoteMedia: Self.remote))
    }
}

/// Ids for the calls the coordinator names itself.
private final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int {
        value.withLock {
            $0 += 1
            return $0
        }
    }
}

extension Array where Element == CallCoordinator.Action {
    var requests: [(to: String, request: Request)] {
        compactMap { if case .request(let to, let request) = $0 { (to, request) } else { nil } }
    }

    /// The first request for command `C`.
    func request<C: WireCommand>(_ type: C.Type) -> (to: String, request: Request)? { requests.first { $0.request.command == C.name } }

    func requests<C: WireCommand>(_ type: C.Type) -> [(to: String, request: Request)] { requests.filter { $0.request.command == C.name } }

    /// The typed command of the first request for `C`.
    func command<C: WireCommand>(_ type: C.Type) -> C? { (request(C.self)?.request).flatMap { try? $0.decode(C.self) } }

    var sent: [(to: String, request: Request)] {
        compactMap { if case .send(let to, let request) = $0 { (to, request) } else { nil } }
    }

    func reply(to token: CallCoordinator.ClientToken) -> Reply? {
        lazy.compactMap { if case .reply(let t, let reply) = $0, t == token { reply } else { nil } }.first
    }

    func events<E: WireEvent>(_ type: E.Type) -> [E] { compactMap { if case .publish(let e) = $0 { e as? E } else { nil } } }

    var republished: [Event] { compactMap { if case .republish(let e) = $0 { e } else { nil } } }

    var journal: [JournalRecord] { flatMap { action -> [JournalRecord] in if case .journal(let records) = action { records } else { [] } } }

    var logs: [String] { compactMap { if case .log(_, let message, _) = $0 { message } else { nil } } }

    /// The position of the first action matching `match`.
    func index(_ match: (CallCoordinator.Action) -> Bool) -> Int? { firstIndex(where: match) }
}
