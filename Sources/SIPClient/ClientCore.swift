import Bus
import Foundation
import GroupControl
import Synchronization
import Wire

/// The shared machinery behind a `SIPClient` and its calls: one control connection to orch, one event
/// subscription, the calls being followed, and the public streams. `SIPClient` is its public face; `Call`s keep
/// it alive as long as they are used.
final class ClientCore: Sendable {
    let identity: String
    let handle: InstanceHandle
    /// Whether this client started the group (and so stops it on shutdown).
    let ownsGroup: Bool
    private let control: ControlClient
    private let hub: EventHub
    let calls = Mutex<[String: Call]>([:])
    let events = Broadcaster<SIPClientEvent>()
    let incoming = Broadcaster<Call>()
    /// The account registered through this client, if any: its AOR becomes the `from` of calls.
    let account = Mutex<AccountSettings?>(nil)
    /// The sequence number of the last event (0 before the first): one not above it means a restarted orch.
    let lastSequence = Mutex<UInt64>(0)
    private let closed = Atomic<Bool>(false)
    /// The one shutdown of the client, which every `shutdown()` call awaits.
    let shutdownTask = Mutex<Task<Void, Never>?>(nil)

    /// Connects to a running instance and subscribes to its events; returns once the subscription is live.
    init(identity: String, handle: InstanceHandle, ownsGroup: Bool) async throws(SIPClientError) {
        self.identity = identity
        self.handle = handle
        self.ownsGroup = ownsGroup
        do {
            control = try ControlClient(connectTo: handle.endpoints.control)
            hub = try EventHub(events: handle.endpoints.events)
        } catch {
            throw .instanceUnavailable(instance: handle.name, reason: "cannot open its sockets: \(error)")
        }
        hub.start { [weak self] event in self?.route(event) }
        let control = self.control
        let live = await hub.join(timeout: .seconds(10)) { token in
            _ = try? await control.request(OrchAPI.ProbeEvents(token: .string(token)), timeout: .seconds(2))
        }
        guard live else {
            close()
            throw .instanceUnavailable(instance: handle.name, reason: "its event stream did not answer a probe within 10 s")
        }
    }

    var isClosed: Bool { closed.load(ordering: .acquiring) }

    /// One command to orch and its typed result, with the library's errors.
    func request<C: WireCommand>(_ command: C, timeout: Duration = .seconds(5)) async throws(SIPClientError) -> C.Result {
        try await requestKeepingJSON(command, timeout: timeout).result
    }

    /// `request`, with the JSON the result came as (for payloads that keep fields this version does not model).
    func requestKeepingJSON<C: WireCommand>(_ command: C, timeout: Duration = .seconds(5)) async throws(SIPClientError)
        -> (result: C.Result, json: JSONValue) {
        guard !isClosed else { throw .clientShutDown }
        do {
            return try await control.requestKeepingJSON(command, timeout: timeout)
        } catch {
            throw SIPClientError.from(error, command: C.name, timeout: timeout, instance: handle.name)
        }
    }

    // MARK: calls

    func register(_ call: Call) {
        calls.withLock { $0[call.id] = call }
    }

    func call(_ id: String) -> Call? { calls.withLock { $0[id] } }

    /// A call's end is resolved: stop routing its events.
    func callResolved(_ call: Call) {
        calls.withLock { if $0[call.id] === call { $0[call.id] = nil } }
    }

    /// A new call id for a call we place: orch takes the id we give, so the call is followed before any event.
    static func newCallID() -> String {
        "lib" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
    }

    // MARK: shutdown

    /// Unregisters an account we added to someone else's group, closes, and stops a group we started.
    func shutDown() async {
        if !ownsGroup, !isClosed, let account = account.withLock({ $0 }) {
            _ = try? await request(OrchAPI.Unregister(aor: account.aor), timeout: .seconds(5))
        }
        guard close(), ownsGroup else { return }
        await GroupConnector.stop(handle)
    }

    /// Ends streams and sockets; calls still in progress end with `reason`. Idempotent; returns false if it was
    /// already closed.
    @discardableResult
    func close(reason: String = "the client shut down") -> Bool {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return false }
        let open = calls.withLock { c -> [Call] in
            defer { c.removeAll() }
            return Array(c.values)
        }
        open.forEach { $0.clientClosed(reason: reason) }
        hub.close()
        control.shutdown()
        events.finish()
        incoming.finish()
        return true
    }
}
