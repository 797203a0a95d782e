import CZeroMQ
import Foundation
import Synchronization
import Wire
#if canImport(Glibc)
import Glibc
#endif

/// The thread side of an endpoint. It does not reference the `BusEndpoint`, so the endpoint can be released
/// (and stop the loop from its deinit) while the thread runs.
final class BusLoop: Sendable {
    let outbox = Mutex<[(socket: Int, frames: [[UInt8]])]>([])
    struct SocketOp: Sendable {
        var socket: Int
        var prefix: [UInt8]
        var subscribe: Bool
    }
    let ops = Mutex<[SocketOp]>([])
    /// Zero-copy sends of frame slots, each to a set of sockets (bit i: socket i).
    struct SlotSend: Sendable {
        var slot: FrameSlot
        var count: Int
        var sockets: UInt64
    }
    let slotOutbox = Mutex<[SlotSend]>([])
    let counters = Mutex(BusCounters())
    let bound = Mutex<[String]>([])
    private let stopping = Atomic<Bool>(false)
    private let wakeFD: Int32
    private let finished = DispatchSemaphore(value: 0)
    private let maxFrames: Int
    private let handler: (@Sendable (BusMessage) -> Void)?
    private let frameHandler: (@Sendable (BorrowedMessage) -> Void)?
    /// Which sockets lend their messages to `frameHandler` (`SocketSpec.borrowsFrames`).
    private let borrows: [Bool]

    init(name: String, context: ZMQContext, specs: [SocketSpec], maxFrames: Int,
         continuation: AsyncStream<BusMessage>.Continuation, handler: (@Sendable (BusMessage) -> Void)?,
         frameHandler: (@Sendable (BorrowedMessage) -> Void)?) throws(BusError) {
        self.maxFrames = maxFrames
        self.handler = handler
        self.frameHandler = frameHandler
        borrows = specs.map(\.borrowsFrames)
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

    func send(slot: FrameSlot, count: Int, on sockets: BusSockets) {
        guard !stopping.load(ordering: .relaxed), sockets.rawValue != 0 else { return }
        slot.holders.add(1, ordering: .relaxed)  // in flight from now: queued here, then held by libzmq
        let first = slotOutbox.withLock { queue in
            queue.append(SlotSend(slot: slot, count: count, sockets: sockets.rawValue))
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
        // Owned by this thread: the messages of slot sends, and the slot queue's other half (swapped, never copied).
        let scratch = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 2)
        defer { scratch.deallocate() }
        var slots: [SlotSend] = []
        while !stopping.load(ordering: .acquiring) {
            flushSlots(sockets, scratch: scratch, spare: &slots)
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
        flushSlots(sockets, scratch: scratch, spare: &slots)
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
        if borrows[index] {
            for _ in 0..<512 {
                let result = socket.receiveBorrowed { bytes, parts in
                    frameHandler?(BorrowedMessage(socket: index, bytes: bytes, parts: parts))
                }
                guard case .delivered = result else { return }
                received += 1
            }
            return
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

    /// Sends the queued slots (each once to all its sockets), then lets them go: the slot stays in flight only as
    /// long as libzmq holds it.
    private func flushSlots(_ sockets: [ZMQSocket], scratch: UnsafeMutablePointer<zmq_msg_t>, spare: inout [SlotSend]) {
        slotOutbox.withLock { swap(&$0, &spare) }
        guard !spare.isEmpty else { return }
        var sent = 0, dropped = 0
        for item in spare {
            let took = ZMQSocket.send(slot: item.slot, count: item.count, on: sockets, mask: item.sockets, scratch: scratch)
            sent += took
            dropped += item.sockets.nonzeroBitCount - took
            item.slot.holders.subtract(1, ordering: .releasing)
        }
        spare.removeAll(keepingCapacity: true)
        counters.withLock {
            $0.sent += sent
            $0.sendDropped += dropped
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

