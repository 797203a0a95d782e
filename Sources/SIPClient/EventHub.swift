import Bus
import Foundation
import Synchronization
import Timebase
import Wire

/// The client's one subscription to the instance's events. Every event goes, in order, to one handler (the
/// client's router), which updates calls and feeds the public streams; so all consumers share one socket.
///
/// PUB/SUB joins asynchronously: events published before the subscription is live are lost. `join` therefore
/// asks orch for `probe_events` with a private token until the token's `instance.probe` comes back; from then on
/// nothing is missed (the zguide's "subscribe first, then ask").
final class EventHub: Sendable {
    private let subscriber: EventSubscriber
    private let pump = Mutex<Task<Void, Never>?>(nil)
    private let joined = Latch<Void>()
    private let token = "sipclient-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"

    init(events address: String) throws(BusError) {
        subscriber = try EventSubscriber(connectTo: address)
    }

    /// Starts delivering events to `handler` (called from one task, in the order orch published them).
    /// Probe echoes are consumed here, never handed on.
    func start(handler: @escaping @Sendable (Event) -> Void) {
        let events = subscriber.events
        let token = self.token
        let joined = self.joined
        let task = Task {
            for await event in events {
                if event.is(InstanceProbeEvent.self) {
                    if (try? event.decode(InstanceProbeEvent.self))?.token == .string(token) { joined.resolve(()) }
                    continue
                }
                handler(event)
            }
        }
        pump.withLock { $0 = task }
    }

    /// Sends `probe_events` (through `probe`) until our token echoes back, or `timeout` passes.
    func join(timeout: Duration, probe: @escaping @Sendable (String) async -> Void) async -> Bool {
        let deadline = MonotonicClock.now() + timeout
        let token = self.token
        let joined = self.joined
        while MonotonicClock.now() < deadline, !Task.isCancelled {
            await probe(token)
            if await withTimeout(.milliseconds(150), { await joined.wait() != nil }) == true { return true }
        }
        return joined.value != nil
    }

    /// Closes the socket and ends delivery. Idempotent.
    func close() {
        subscriber.shutdown()
        pump.withLock { $0?.cancel() }
    }
}
