import CZeroMQ
#if canImport(Glibc)
import Glibc
#endif

/// The allocation-free paths of the PCM frames: zero-copy sends of `FrameSlot`s (one libzmq message shared by
/// several sockets) and receives that lend the message's bytes to a closure instead of building arrays.
///
/// libzmq itself still allocates one small block per message it sends that is larger than 33 bytes (the content
/// record of `zmq_msg_init_data`, or the copy of `zmq_send`); receiving costs no allocation in steady state (its
/// decoder hands out messages inside its own reused 8 KB buffers).
extension ZMQSocket {
    /// Initializes `msg` over `slot`'s first `count` bytes; libzmq releases the slot when the last reference to the
    /// message content goes. The slot counts as in flight meanwhile.
    static func initMessage(_ msg: UnsafeMutablePointer<zmq_msg_t>, slot: FrameSlot, count: Int) -> Bool {
        precondition(count <= slot.capacity, "frame larger than its slot")
        slot.holders.add(1, ordering: .relaxed)
        let hint = Unmanaged.passRetained(slot).toOpaque()
        guard zmq_msg_init_data(msg, slot.bytes, count, { _, hint in
            guard let hint else { return }
            let slot = Unmanaged<FrameSlot>.fromOpaque(hint)
            slot.takeUnretainedValue().holders.subtract(1, ordering: .releasing)
            slot.release()
        }, hint) == 0 else {
            slot.holders.subtract(1, ordering: .releasing)
            Unmanaged<FrameSlot>.fromOpaque(hint).release()
            return false
        }
        return true
    }

    /// Sends an initialized message (libzmq takes it over); on failure the message is closed, which releases what
    /// it holds.
    func send(message msg: UnsafeMutablePointer<zmq_msg_t>, blocking: Bool = false) -> SendResult {
        while true {
            if zmq_msg_send(msg, raw, blocking ? 0 : ZMQ_DONTWAIT) >= 0 { return .sent }
            let e = zmq_errno()
            if e == EINTR { continue }
            zmq_msg_close(msg)
            return e == EAGAIN ? .wouldBlock : .failed(BusError.last("send"))
        }
    }

    /// Sends `slot`'s first `count` bytes on each socket of `sockets` whose bit is set in `mask` (non-blocking) as
    /// one message whose content they share: one allocation inside libzmq whatever the number of sockets, no copy.
    /// `scratch` holds two messages. Returns how many sockets took it.
    static func send(slot: FrameSlot, count: Int, on sockets: [ZMQSocket], mask: UInt64,
                     scratch: UnsafeMutablePointer<zmq_msg_t>) -> Int {
        let targets = mask & (sockets.count >= 64 ? ~0 : (1 << UInt64(sockets.count)) - 1)
        guard targets != 0, initMessage(scratch, slot: slot, count: count) else { return 0 }
        let last = 63 - targets.leadingZeroBitCount
        var sent = 0
        let copy = scratch + 1
        var others = targets & ~(1 << UInt64(last))
        while others != 0 {
            let index = others.trailingZeroBitCount
            others &= others - 1
            zmq_msg_init(copy)
            guard zmq_msg_copy(copy, scratch) == 0 else {
                zmq_msg_close(copy)
                continue
            }
            if sockets[index].send(message: copy) == .sent { sent += 1 }
        }
        if sockets[last].send(message: scratch) == .sent { sent += 1 }
        return sent
    }

    /// What `receiveBorrowed` found.
    enum BorrowedReceive {
        case empty
        /// A message was handed to the closure.
        case delivered
        case failed(BusError)
    }

    /// Receives one message without blocking and lends its first frame's bytes to `body` (valid only during the
    /// call), with the number of frames it had (the others are read and dropped: PCM messages are single-part).
    func receiveBorrowed(_ body: (UnsafeRawBufferPointer, Int) -> Void) -> BorrowedReceive {
        zmq_msg_init(message)
        defer { zmq_msg_close(message) }
        while true {
            if zmq_msg_recv(message, raw, ZMQ_DONTWAIT) >= 0 { break }
            let e = zmq_errno()
            if e == EINTR { continue }
            return e == EAGAIN ? .empty : .failed(BusError.last("receive"))
        }
        guard zmq_msg_more(message) != 0 else {
            body(UnsafeRawBufferPointer(start: zmq_msg_data(message), count: zmq_msg_size(message)), 1)
            return .delivered
        }
        var parts = 1
        while zmq_msg_more(message) != 0 {  // the rest arrived with the first part (multipart messages are atomic)
            zmq_msg_close(message)
            zmq_msg_init(message)
            guard zmq_msg_recv(message, raw, ZMQ_DONTWAIT) >= 0 else { break }
            parts += 1
        }
        body(UnsafeRawBufferPointer(start: nil, count: 0), parts)
        return .delivered
    }
}
