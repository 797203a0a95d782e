import Timebase

/// Real-time pacing of frames to send: frame n is due at start + n x 20 ms. The media worker keeps only a few
/// frames per call (stale audio is worse than a gap), so frames must leave at the rate they are played. Pure:
/// the caller passes the time and sleeps until the returned due time.
///
/// A sender that falls behind by more than `resyncAfter` (it paused, the machine stalled) restarts the clock
/// rather than bursting to catch up.
struct FramePacer: Sendable {
    static let frameDuration: Duration = .milliseconds(20)
    static let resyncAfter: Duration = .milliseconds(200)

    private var start: MonotonicTime?
    /// Frames scheduled so far: the next frame's index, which is also its sequence number.
    private(set) var count: UInt64 = 0

    /// Schedules the next frame: its index (sequence) and when it is due.
    mutating func next(now: MonotonicTime) -> (index: UInt64, due: MonotonicTime) {
        let elapsed = Self.frameDuration * Int(truncatingIfNeeded: count)
        if let start, now - (start + elapsed) <= Self.resyncAfter {
            count += 1
            return (count - 1, start + elapsed)
        }
        start = now - elapsed
        count += 1
        return (count - 1, now)
    }
}
