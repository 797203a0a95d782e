/// Counters and levels of an ``AdaptiveJitterBuffer``; counters are cumulative across resets.
public struct JitterBufferStatistics: Sendable, Equatable {
    /// Playout delay beyond the transit of the fastest recent packet, measured at the last pull: the delay
    /// the buffer adds to absorb jitter.
    public var currentDelayMs: Double = 0
    /// Audio stored ahead of the playout point (newest received sample minus playout position).
    public var bufferedMs: Double = 0
    /// The delay the buffer is steering toward.
    public var targetDelayMs: Double = 0

    /// Every `insert` call, valid or not.
    public var received: Int = 0
    public var accepted: Int = 0
    public var late: Int = 0
    public var duplicates: Int = 0
    public var tooEarly: Int = 0
    public var invalid: Int = 0
    /// Packets whose sequence number was lower than one already received.
    public var reordered: Int = 0
    /// Frames of stored audio dropped because the buffer hit its memory cap (oldest first).
    public var discardedFrames: Int = 0

    public var pulls: Int = 0
    public var normalFrames: Int = 0
    public var concealedFrames: Int = 0
    /// Samples synthesized by concealment, converted to milliseconds (includes partial frames).
    public var concealedMs: Double = 0
    public var silenceFrames: Int = 0
    public var expandedFrames: Int = 0
    public var compressedFrames: Int = 0

    /// Times the stream started over: first packet, SSRC changes and timestamp jumps.
    public var resyncs: Int = 0
    public var ssrcChanges: Int = 0
    public var timestampJumps: Int = 0

    public init() {}
}
