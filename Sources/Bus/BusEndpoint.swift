import CZeroMQ
import Foundation
import Synchronization
import Wire
#if canImport(Glibc)
import Glibc
#endif

/// A message received on one of an endpoint's sockets: all its frames, routing envelope included.
public struct BusMessage: Sendable {
    /// Index of the socket in the endpoint's spec list.
    public var socket: Int
    public var frames: [[UInt8]]

    public init(socket: Int, frames: [[UInt8]]) {
        self.socket = socket
        self.frames = frames
    }
}

/// Counters of what an endpoint could not deliver. Read at any time from any thread.
public struct BusCounters: Sendable, Equatable {
    public var received = 0
    public var sent = 0
    /// Sends refused with EAGAIN (high-water mark, no peer) and dropped.
    public var sendDropped = 0
    /// Inbound messages dropped because they had too many frames.
    public var oversizedDropped = 0
    /// Inbound messages dropped because the consumer's buffer was full.
    public var inboundOverflow = 0
}

/// Sockets owned by one dedicated thread, bridged to Swift concurrency.
///
/// libzmq sockets are not thread-safe and their calls block, so each endpoint runs a thread that creates its
/// sockets, polls them with a finite timeout, delivers inbound messages into an `AsyncStream`, and performs sends
/// queued from any thread (a `Mutex`-protected queue plus an eventfd that wakes `zmq_poll`, written only when the
/// queue was empty, so a burst of sends costs one wake-up). The cooperative pool never blocks on ZeroMQ.
///
/// A `handler` given at creation receives every inbound message on the endpoint's thread instead of the stream:
/// for work that is short and never blocks (decoding a control message, queueing a PCM frame), it saves a thread
/// hop per message, which is most of a hop's latency and of a frame's CPU.
public final class BusEndpoint: Sendable {
    public let name: String
    /// Inbound messages of every socket. One consumer only (an `AsyncStream` has one).
    public let inbound: AsyncStream<BusMessage>
    private let loop: BusLoop

    /// Creates the sockets on a new thread and returns once they are bound and connected (or throws why not).
    /// - Parameter handler: called on the endpoint's thread for every inbound message (then `inbound` only ends, at
    ///   shutdown); it must return quickly and never block.
    public init(name: String, context: ZMQContext = .shared, sockets specs: [SocketSpec],
                inboundBuffer: Int = 10_000, maxFramesPerMessage: Int = WireLimits.maxFramesPerMessage,
                handler: (@Sendable (BusMessage) -> Void)? = nil) throws(BusError) {
        self.name = name
        let (stream, continuation) = AsyncStream.makeStream(of: BusMessage.self, bufferingPolicy: .bufferingOldest(inboundBuffer))
        self.inbound = stream
        loop = try BusLoop(name: name, context: context, specs: specs, maxFrames: maxFramesPerMessage, continuation: continuation,
                           handler: handler)
    }

    /// An endpoint nobody references any more stops its thread, so a forgotten `shutdown()` cannot keep the
    /// process alive or leak sockets.
    deinit { loop.requestStop() }

    /// Queues a message for sending on socket `socket`. Never blocks; if the socket cannot take it (high-water
    /// mark, no peer) it is dropped and counted, which is what real-time traffic wants.
    public func send(_ frames: [[UInt8]], on socket: Int = 0) { loop.send(frames, on: socket) }

    /// Adds (or, `false`, removes) a SUB socket's subscription to `prefix`, on the endpoint's thread (in order with sends).
    /// Subscriptions count: subscribing twice needs two removals (libzmq's rule).
    public func setSubscription(_ prefix: [UInt8], _ subscribed: Bool, on socket: Int) {
        loop.socketOp(.init(socket: socket, prefix: prefix, subscribe: subscribed))
    }

    public var stats: BusCounters { loop.counters.withLock { $0 } }

    /// For each socket, the endpoint it last bound (wildcard ports resolved), or "" if it only connects.
    public var boundEndpoints: [String] { loop.bound.withLock { $0 } }

    /// Stops the thread, closes the sockets and waits until they are closed. Idempotent.
    public func shutdown() { loop.stopAndWait() }
}

/// The thread side of an endpoint. It does not reference the `BusEndpoint`, so the endpoint can be released
/// (and stop the loop from its deinit) while the thread runs.
private final class BusLoop: Sendable {
    let outbox = Mutex<[(socket: Int, frames: [[UInt8]])]>([])
    struct SocketOp: Sendable {
        var socket: Int
        var prefix: [UInt8]
        var subscribe: Bool
    }
    let ops = Mutex<[SocketOp]>([])
    let counters = Mutex(BusCounters())
    let bound = Mutex<[String]>([])
    private let stopping = Atomic<Bool>(false)
    private let wakeFD: Int32
    private let finished = DispatchSemaphore(value: 0)
    private let maxFrames: Int
    private let handler: (@Sendable (BusMessage) -> Void)?

    init(name: String, context: ZMQContext, specs: [SocketSpec], maxFrames: Int,
         continuation: AsyncStream<BusMessage>.Continuation, handler: (@Sendable (BusMessage) -> Void)?) throws(BusError) {
        self.maxFrames = maxFrames
        self.handler = handler
        let fd = sipc_bus_wakeup_fd()
        guard fd >= 0 else { throw BusError(operation: "eventfd", errno: errno, message: String(cString: strerror(errno))) }
        wakeFD = fd
        let ready = DispatchSemaphore(value: 0)
        let startError = Mutex<BusError?>(nil)
        let thread = Thread { [self] in
            var sockets: [ZMQSocket] = []
            do {
                for spec in specs { sockets.append(try ZMQSocket(context: context, spec: spec)) }
                bound.withLock { $0 = zip(specs, sockets).map { $0.bind.isEmpty ? "" : $1.lastEndpoint } }
            } catch let error as BusError {
                startError.withLock { $0 = error }
                sockets.forEach { $0.close() }
                sockets.removeAll()
            } catch {
                fatalError("unreachable: ZMQSocket throws BusError only")
            }
            ready.signal()
            if !sockets.isEmpty { run(sockets: sockets, continuation: continuation) }
            sockets.forEach { $0.close() }
            continuation.finish()
            finished.signal()
        }
        thread.name = "bus-\(name)"
        thread.start()
        ready.wait()
        if let error = startError.withLock({ $0 }) { throw error }
    }

    deinit { close(wakeFD) }

    func send(_ frames: [[UInt8]], on socket: Int) {
        guard !stopping.load(ordering: .relaxed) else { return }
        // The thread takes the whole queue at each wake-up, so only the send that finds it empty needs to wake it.
        let first = outbox.withLock { queue in
            queue.append((socket, frames))
            return queue.count == 1
        }
        if first { wake() }
    }

    func socketOp(_ op: SocketOp) {
        guard !stopping.load(ordering: .relaxed) else { return }
        ops.withLock { $0.append(op) }
        wake()
    }

    func requestStop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        wake()
    }

    func stopAndWait() {
        stopping.store(true, ordering: .releasing)
        wake()
        finished.wait()
        finished.signal()  // let a concurrent or later caller through too
    }

    private func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    private func run(sockets: [ZMQSocket], continuation: AsyncStream<BusMessage>.Continuation) {
        var items = sockets.map { zmq_pollitem_t(socket: $0.raw, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0) }
        items.append(zmq_pollitem_t(socket: nil, fd: wakeFD, events: Int16(ZMQ_POLLIN), revents: 0))
        while !stopping.load(ordering: .acquiring) {
            flushOutbox(sockets)
            let rc = zmq_poll(&items, Int32(items.count), 200)
            if rc < 0 {
                if zmq_errno() == ETERM { break }
                continue  // EINTR
            }
            if items[sockets.count].revents != 0 {
                var drained: UInt64 = 0
                _ = read(wakeFD, &drained, 8)
            }
            for i in sockets.indices where items[i].revents & Int16(ZMQ_POLLIN) != 0 {
                drain(socket: sockets[i], index: i, continuation: continuation)
            }
        }
        flushOutbox(sockets)
    }

    /// Takes at most a bounded batch per wake-up so one busy socket cannot starve the others or the outbox.
    private func drain(socket: ZMQSocket, index: Int, continuation: AsyncStream<BusMessage>.Continuation) {
        var received = 0, overflow = 0, oversized = 0
        defer {
            if received + overflow + oversized > 0 {
                counters.withLock {
                    $0.received += received
                    $0.inboundOverflow += overflow
                    $0.oversizedDropped += oversized
                }
            }
        }
        for _ in 0..<512 {
            switch socket.receive(maxFrames: maxFrames) {
            case .empty, .failed:
                return
            case .oversized:
                oversized += 1
            case .message(let frames):
                received += 1
                if let handler {
                    handler(BusMessage(socket: index, frames: frames))
                } else if case .dropped = continuation.yield(BusMessage(socket: index, frames: frames)) {
                    overflow += 1
                }
            }
        }
    }

    private func flushOutbox(_ sockets: [ZMQSocket]) {
        let socketOps = ops.withLock { queue -> [SocketOp] in
            let taken = queue
            queue.removeAll()
            return taken
        }
        for op in socketOps where sockets.indices.contains(op.socket) {
            if op.subscribe { try? sockets[op.socket].subscribe(op.prefix) } else { try? sockets[op.socket].unsubscribe(op.prefix) }
        }
        let pending = outbox.withLock { queue -> [(socket: Int, frames: [[UInt8]])] in
            let taken = queue
            queue.removeAll(keepingCapacity: true)
            return taken
        }
        guard !pending.isEmpty else { return }
        var sent = 0, dropped = 0
        for item in pending {
            guard sockets.indices.contains(item.socket), sockets[item.socket].send(item.frames) == .sent else {
                dropped += 1
                continue
            }
            sent += 1
        }
        counters.withLock {
            $0.sent += sent
            $0.sendDropped += dropped
        }
    }
}

