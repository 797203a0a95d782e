/// What the buffer did with one inserted packet. Every verdict except `.accepted` and `.reset` means the
/// payload will not be played, and each one is counted in ``JitterBufferStatistics``.
public enum InsertVerdict: Sendable, Hashable {
    /// Stored for playout (possibly only its part that is still in the future).
    case accepted
    /// This sequence number was already received; ignored.
    case duplicate
    /// All of its samples are behind the playout point; ignored, but its delay still teaches the estimator.
    case late
    /// Too far ahead of the stream to be jitter: ignored, and remembered as a possible sender restart.
    case tooEarly
    /// Empty or longer than `maxPacketSamples`; ignored.
    case invalid
    /// The stream started over and this packet opened the new one.
    case reset(ResetReason)
}

/// Why the buffer dropped its contents and started a new stream.
public enum ResetReason: Sendable, Hashable {
    /// First packet ever, or any packet after ``AdaptiveJitterBuffer/reset()``.
    case firstPacket
    /// The SSRC changed: a new source (re-INVITE, transfer, media server switch).
    case ssrcChange
    /// Same SSRC, but two consecutive packets agree on a timeline far from the old one: the sender restarted.
    case timestampJump
}
