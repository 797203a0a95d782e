/// A fixed-capacity ring buffer of Int16 samples that turns variable-sized chunks (resampler output, device reads)
/// into exact 20 ms frames.
///
/// The storage is allocated once in `init`; pushes and pops only copy. When producers outrun the consumer the
/// OLDEST samples are dropped: for live audio, latency must not grow without bound, and the newest audio is the
/// one worth playing. It is a value type; copying a FIFO copies its storage on the next mutation, so keep one
/// owner (in practice the audio thread's state).
public struct SampleFIFO: Sendable {
    private var storage: ContiguousArray<Int16>
    /// Index of the oldest sample.
    private var head = 0
    public private(set) var count = 0

    /// - Parameter capacity: the most samples held at once (at least 1).
    public init(capacity: Int) {
        precondition(capacity > 0, "SampleFIFO needs capacity > 0 (got \(capacity))")
        storage = ContiguousArray(repeating: 0, count: capacity)
    }

    public var capacity: Int { storage.count }

    /// Appends; when full, drops the OLDEST samples to make room and returns how many were dropped.
    @discardableResult
    public mutating func push(_ samples: UnsafeBufferPointer<Int16>) -> Int {
        guard var source = samples.baseAddress, samples.count > 0 else { return 0 }
        let capacity = storage.count
        var n = samples.count
        var dropped = 0
        if n >= capacity {
            // Only the last `capacity` samples of the input can survive.
            dropped = count + (n - capacity)
            source += n - capacity
            n = capacity
            head = 0
            count = 0
        } else if count + n > capacity {
            let overflow = count + n - capacity
            head = (head + overflow) % capacity
            count -= overflow
            dropped = overflow
        }
        // Copy into the free space after the newest sample, wrapping to the start of the storage if needed.
        let tail = (head + count) % capacity
        let first = min(n, capacity - tail)
        storage.withUnsafeMutableBufferPointer { [source, n] buffer in
            let base = buffer.baseAddress!
            (base + tail).update(from: source, count: first)
            if n > first { base.update(from: source + first, count: n - first) }
        }
        count += n
        return dropped
    }

    /// Pops exactly `output.count` samples if available (returns true), else leaves the FIFO untouched and returns false.
    public mutating func pop(into output: UnsafeMutableBufferPointer<Int16>) -> Bool {
        guard output.count <= count else { return false }
        copyOut(output.count, into: output)
        return true
    }

    /// Pops up to output.count samples, zero-fills the rest; returns how many were real.
    public mutating func popPadded(into output: UnsafeMutableBufferPointer<Int16>) -> Int {
        let real = min(output.count, count)
        copyOut(real, into: output)
        if real < output.count, let out = output.baseAddress {
            (out + real).update(repeating: 0, count: output.count - real)
        }
        return real
    }

    public mutating func removeAll() {
        head = 0
        count = 0
    }

    private mutating func copyOut(_ n: Int, into output: UnsafeMutableBufferPointer<Int16>) {
        guard n > 0, let out = output.baseAddress else { return }
        let capacity = storage.count
        let first = min(n, capacity - head)
        let start = head
        storage.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            out.update(from: base + start, count: first)
            if n > first { (out + first).update(from: base, count: n - first) }
        }
        head = (head + n) % capacity
        count -= n
        if count == 0 { head = 0 }
    }
}
