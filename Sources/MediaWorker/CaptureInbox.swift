import Synchronization
import Timebase

/// Frames to send on the way from the bus thread to the engine's event loop, with no allocation or array per frame.
///
/// A double buffer: the bus thread decodes each frame's samples straight into the filling half (under a lock held
/// for that copy only); at its tick the loop swaps halves and reads the frames in arrival order. Both halves keep
/// their storage, which grows only when a burst is larger than any before. The loop takes frames at its tick, when
/// it would use them anyway, so no wake-up per frame or batch is needed.
final class CaptureInbox: Sendable {
    struct Entry: Sendable {
        var stream: UInt32
        var injected: Bool
        var origin: UInt64
        var at: MonotonicTime
    }

    /// One half: `count` frames of `frameSamples` samples each, in `samples` and `entries`.
    struct Batch: Sendable {
        fileprivate(set) var entries: [Entry] = []
        fileprivate var samples: [Int16] = []

        init(capacity: Int) {
            entries.reserveCapacity(capacity)
            samples = [Int16](repeating: 0, count: capacity * CaptureInbox.frameSamples)
        }

        var count: Int { entries.count }

        func withSamples<R>(of index: Int, _ body: (UnsafeBufferPointer<Int16>) -> R) -> R {
            let start = index * CaptureInbox.frameSamples
            return samples.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<(start + CaptureInbox.frameSamples)])) }
        }

        mutating func removeAll() { entries.removeAll(keepingCapacity: true) }
    }

    static let frameSamples = 160
    /// Frames waiting at most (a stalled loop must not make the inbox grow without bound): 0.6 s of 500 calls.
    static let maxFrames = 16_384
    private let filling: Mutex<Batch>

    init(capacity: Int = 256) { filling = Mutex(Batch(capacity: capacity)) }

    /// Adds a frame whose 160 samples `write` puts in place (on the bus thread); `write` returns false to drop it.
    /// Returns false when the frame was dropped (by `write`, or because `maxFrames` are waiting).
    @discardableResult
    func put(stream: UInt32, injected: Bool, origin: UInt64, at: MonotonicTime,
             write: (UnsafeMutableBufferPointer<Int16>) -> Bool) -> Bool {
        filling.withLock { batch in
            guard batch.entries.count < Self.maxFrames else { return false }
            let start = batch.entries.count * Self.frameSamples
            if batch.samples.count < start + Self.frameSamples {
                batch.samples += [Int16](repeating: 0, count: max(Self.frameSamples, batch.samples.count))
            }
            let ok = batch.samples.withUnsafeMutableBufferPointer { write(UnsafeMutableBufferPointer(rebasing: $0[start..<(start + Self.frameSamples)])) }
            if ok { batch.entries.append(Entry(stream: stream, injected: injected, origin: origin, at: at)) }
            return ok
        }
    }

    /// Swaps `batch` (read and emptied by the caller, its storage kept) with the frames that came meanwhile.
    func take(into batch: inout Batch) {
        batch.removeAll()
        filling.withLock { swap(&$0, &batch) }
    }
}
