import Foundation
import Synchronization
import Wire

/// The requesting side of the control protocol over a DEALER socket: sends requests and matches replies by
/// `id`; every other inbound message (heartbeats, configure, requests from orch) goes to `messages`.
public final class ControlClient: Sendable {
    private let endpoint: BusEndpoint
    private let pending = Mutex<[String: CheckedContinuation<JSONValue, any Error>]>([:])
    private let nextID = Atomic<UInt64>(1)
    private let malformed = Atomic<Int>(0)
    private let pump: Mutex<Task<Void, Never>?> = Mutex(nil)
    /// Inbound control messages that are not replies to our requests. One consumer.
    public let messages: AsyncStream<ControlMessage>

    /// Connects to `endpoint` (e.g. orch's `ctl.sock`). `identity` is how the ROUTER addresses us.
    public init(connectTo address: String, identity: String? = nil, security: SocketSecurity = .none,
                context: ZMQContext = .shared) throws(BusError) {
        var spec = SocketSpec(type: .dealer, connect: [address])
        spec.security = security
        spec.identity = identity.map { Array($0.utf8) }
        spec.maxMessageSize = Int64(WireLimits.maxControlMessageBytes * 16)
        endpoint = try BusEndpoint(name: identity ?? "client", context: context, sockets: [spec])
        let (stream, continuation) = AsyncStream.makeStream(of: ControlMessage.self, bufferingPolicy: .bufferingNewest(10_000))
        messages = stream
        let inbound = endpoint.inbound
        let task = Task { [weak self] in
            for await message in inbound {
                guard let self else { break }
                self.dispatch(message, to: continuation)
            }
            continuation.finish()
            self?.failAll(WireError(.unavailable, "connection closed"))
        }
        pump.withLock { $0 = task }
    }

    private func dispatch(_ message: BusMessage, to continuation: AsyncStream<ControlMessage>.Continuation) {
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

    /// Inbound messages dropped because they could not be decoded.
    public var malformedCount: Int { malformed.load(ordering: .relaxed) }
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
            self.pending.withLock { $0.removeValue(forKey: id) }?
                .resume(throwing: WireError(.timeout, "no reply to '\(command)' within \(timeout)"))
        }
        defer { timer.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            pending.withLock { $0[id] = continuation }
            endpoint.send([bytes])
        }
    }

    private func failAll(_ error: WireError) {
        let waiters = pending.withLock { p -> [CheckedContinuation<JSONValue, any Error>] in
            let all = Array(p.values)
            p.removeAll()
            return all
        }
        waiters.forEach { $0.resume(throwing: error) }
    }

    /// Closes the socket; pending requests fail with `unavailable`.
    public func shutdown() {
        endpoint.shutdown()
        pump.withLock { $0?.cancel() }
        failAll(WireError(.unavailable, "client shut down"))
    }
}
