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
