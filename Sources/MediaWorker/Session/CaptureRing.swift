/// A session's frames to send, oldest first, in a fixed ring of `depth` frames of 160 samples allocated once: a
/// few frames of slack absorb the jitter between the capture side's clock and our tick; a frame that finds the ring
/// full pushes the oldest out (stale audio is worse than a gap).
///
/// Also keeps the standing backlog in check: the smallest backlog left after a tick, over a window of
/// `backlogWindow` ticks, is latency that buys nothing (sip-audio's clock and ours are in step), so one frame of it
/// goes per window.
struct CaptureRing: Sendable {
    static let depth = 4
    static let frameSamples = 160
    static let backlogWindow = 50

    private var samples = [Int16](repeating: 0, count: depth * frameSamples)
    private var origins = [UInt64](repeating: 0, count: depth)
    private var head = 0
    private(set) var count = 0
    private var minBacklog = Int.max
    private var windowTicks = 0

    /// Appends a frame (exactly `frameSamples` samples), dropping the oldest when the ring is full.
    mutating func append(_ frame: UnsafeBufferPointer<Int16>, origin: UInt64) {
        if count == Self.depth { dropOldest() }
        let slot = (head + count) % Self.depth
        samples.withUnsafeMutableBufferPointer { all in
            let out = UnsafeMutableBufferPointer(rebasing: all[(slot * Self.frameSamples)..<((slot + 1) * Self.frameSamples)])
            for i in 0..<Self.frameSamples { out[i] = i < frame.count ? frame[i] : 0 }
        }
        origins[slot] = origin
        count += 1
    }

    /// Takes the oldest frame into `out` (160 samples), or silence when none is there; returns its origin stamp
    /// (0 for silence). Then applies the backlog rule for this tick.
    mutating func takeOldest(into out: UnsafeMutableBufferPointer<Int16>) -> UInt64 {
        var origin: UInt64 = 0
        if count > 0 {
            let start = head * Self.frameSamples
            samples.withUnsafeBufferPointer { all in
                for i in 0..<Self.frameSamples { out[i] = all[start + i] }
            }
            origin = origins[head]
            dropOldest()
        } else {
            out.update(repeating: 0)
        }
        minBacklog = min(minBacklog, count)
        windowTicks += 1
        if windowTicks == Self.backlogWindow {
            if minBacklog > 0 { dropOldest() }
            windowTicks = 0
            minBacklog = Int.max
        }
        return origin
    }

    private mutating func dropOldest() {
        guard count > 0 else { return }
        head = (head + 1) % Self.depth
        count -= 1
    }
}
