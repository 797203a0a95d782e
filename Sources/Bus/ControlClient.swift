import Foundation
import Synchronization
import Wire

/// The requesting side of the control protocol over a DEALER socket: sends requests and matches replies by
/// `id`; every other inbound message (heartbeats, configure, requests from orch) goes to `messages`.
public final class ControlClient: Sendable {
    private let endpoint: BusEndpoint
    private let dispatcher: Dispatcher
    private let nextID = Atomic<UInt64>(1)
    private let pump: Mutex<Task<Void, Never>?> = Mutex(nil)
    /// Inbound control messages that are not replies to our requests. One consumer.
    public let messages: AsyncStream<ControlMessage>

    /// Decodes on the endpoint's thread and resumes the waiting requester directly (no task hop per message).
    private final class Dispatcher: Sendable {
        let pending = Mutex<[String: CheckedContinuation<JSONValue, any Error>]>([:])
        let malformed = Atomic<Int>(0)
        let continuation: AsyncStream<ControlMessage>.Continuation

        init(continuation: AsyncStream<ControlMessage>.Continuation) { self.continuation = continuation }

        func dispatch(_ message: BusMessage) {
            guard let body = message.frames.last, message.frames.count <= 2 else {
                malformed.add(1, ordering: .relaxed)
                return
            }
            let decoded: ControlMessage
            do { decoded = try ControlMessage.decode(body) } catch {
                malformed.add(1, ordering: .relaxed)
                return
            }
            if case .reply(let reply) = decoded,
               let waiter = pending.withLock({ $0.removeValue(forKey: reply.id) }) {
                switch reply.outcome {
                case .success(let result): waiter.resume(returning: result)
                case .failure(let error): waiter.resume(throwing: error)
                }
                return
            }
            continuation.yield(decoded)
        }

        func failAll(_ error: WireError) {
            let waiters = pending.withLock { p -> [CheckedContinuation<JSONValue, any Error>] in
                let all = Array(p.values)
                p.removeAll()
                return all
            }
            waiters.forEach { $0.resume(throwing: error) }
        }
    }

    /// Connects to `endpoint` (e.g. orch's `ctl.sock`). `identity` is how the ROUTER addresses us.
    public init(connectTo address: String, identity: String? = nil, security: SocketSecurity = .none,
                context: ZMQContext = .shared) throws(BusError) {
        var spec = SocketSpec(type: .dealer, connect: [address])
        spec.security = security
        spec.identity = identity.map { Array($0.utf8) }
        spec.maxMessageSize = Int64(WireLimits.maxControlMessageBytes * 16)
        let (stream, continuation) = AsyncStream.makeStream(of: ControlMessage.self, bufferingPolicy: .bufferingNewest(10_000))
        messages = stream
        let dispatcher = Dispatcher(continuation: continuation)
        self.dispatcher = dispatcher
        endpoint = try BusEndpoint(name: identity ?? "client", context: context, sockets: [spec]) { dispatcher.dispatch($0) }
        let inbound = endpoint.inbound
        let task = Task {
            for await _ in inbound {}  // ends when the endpoint stops
            continuation.finish()
            dispatcher.failAll(WireError(.unavailable, "connection closed"))
        }
        pump.withLock { $0 = task }
    }

    /// Inbound messages dropped because they could not be decoded.
    public var malformedCount: Int { dispatcher.malformed.load(ordering: .relaxed) }
    public var counters: BusCounters { endpoint.stats }

    /// Sends any control message (hello, heartbeat, reply) without waiting for an answer.
    public func send(_ message: ControlMessage) {
        if FaultInjection.shouldDrop(message) { return }
        endpoint.send([message.encoded()])
    }

    /// Sends a request and waits for its reply. Throws the peer's `WireError`, or `timeout`.
    public func request(_ command: String, args: [String: JSONValue] = [:], timeout: Duration = .seconds(5)) async throws -> JSONValue {
        let id = String(nextID.add(1, ordering: .relaxed).oldValue)
        let bytes = ControlMessage.request(Request(id: id, command: command, args: args)).encoded()
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled, let self else { return }
            self.dispatcher.pending.withLock { $0.removeValue(forKey: id) }?
                .resume(throwing: WireError(.timeout, "no reply to '\(command)' within \(timeout)"))
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            dispatcher.pending.withLock { $0[id] = continuation }
            endpoint.send([bytes])
        }
    }

    /// Closes the socket; pending requests fail with `unavailable`.
    public func shutdown() {
        endpoint.shutdown()
        pump.withLock { $0?.cancel() }
        dispatcher.failAll(WireError(.unavailable, "client shut down"))
    }
}
