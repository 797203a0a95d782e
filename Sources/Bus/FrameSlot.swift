import Synchronization

/// A fixed-size, preallocated buffer for one PCM frame (`PCMFrame.slotSize` bytes).
/// Slots are reused through a `FrameSlotPool`, so frames flow without a heap allocation per frame, and the
/// zero-copy send path hands the slot's memory to libzmq directly.
public final class FrameSlot: @unchecked Sendable {
    public let bytes: UnsafeMutableRawPointer
    public let capacity: Int
    /// Sends libzmq still holds the memory of; the slot may be rewritten only when this is zero.
    let holders = Atomic<Int>(0)

    public init(capacity: Int = 4096) {
        self.capacity = capacity
        self.bytes = .allocate(byteCount: capacity, alignment: 16)
        bytes.initializeMemory(as: UInt8.self, repeating: 0, count: capacity)
    }

    deinit { bytes.deallocate() }

    /// Whether libzmq still holds this slot's memory for a zero-copy send.
    public var isInFlight: Bool { holders.load(ordering: .acquiring) > 0 }

    public var buffer: UnsafeMutableRawBufferPointer { UnsafeMutableRawBufferPointer(start: bytes, count: capacity) }
}

/// Preallocated `FrameSlot`s for one sender: `take()` returns a slot no send holds any more, so a sender encodes
/// each frame into a slot and hands it to `BusEndpoint.send(slot:count:on:)` with no allocation per frame.
///
/// The slots are reused round-robin; when every slot is still held (a slow peer, or a burst larger than any
/// before) the pool grows by one, so the pool settles at what the traffic needs and stays there. Thread-safe.
public final class FrameSlotPool: Sendable {
    private struct State: Sendable {
        var slots: [FrameSlot]
        var next = 0
    }
    private let state: Mutex<State>
    public let slotCapacity: Int

    /// - Parameters:
    ///   - count: slots to start with.
    ///   - slotCapacity: bytes per slot (`PCMFrame.slotSize` holds any frame; a sender of one format may use less).
    public init(count: Int = 16, slotCapacity: Int = 4096) {
        self.slotCapacity = slotCapacity
        state = Mutex(State(slots: (0..<max(1, count)).map { _ in FrameSlot(capacity: slotCapacity) }))
    }

    /// A slot free to write.
    public func take() -> FrameSlot {
        state.withLock { s in
            for _ in 0..<s.slots.count {
                let slot = s.slots[s.next]
                s.next = (s.next + 1) % s.slots.count
                if !slot.isInFlight { return slot }
            }
            let slot = FrameSlot(capacity: slotCapacity)
            s.slots.insert(slot, at: s.next)
            s.next = (s.next + 1) % s.slots.count
            return slot
        }
    }

    /// Slots the pool holds (grown to what the traffic needed).
    public var count: Int { state.withLock { $0.slots.count } }
}
