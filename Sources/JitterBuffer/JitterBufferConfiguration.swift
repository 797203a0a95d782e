/// Settings of an ``AdaptiveJitterBuffer``.
///
/// Packet duration (ptime) is not configured: every packet's duration is the length of its payload, so
/// 10, 20, 30 and 40 ms packets, and streams that change ptime mid-call, need no setting. The playout
/// side always pulls `frameSamples` (20 ms) frames; samples are stored by RTP timestamp, so packets are
/// split and reassembled into pull frames for free.
public struct JitterBufferConfiguration: Sendable, Equatable {
    /// Samples per second of the decoded PCM (8000 for G.711).
    public var sampleRate: Int
    /// Samples returned by each `pull` (160 = 20 ms at 8 kHz).
    public var frameSamples: Int
    /// Longest payload accepted; anything longer is refused as `.invalid` rather than truncated.
    public var maxPacketSamples: Int
    /// Smallest playout delay beyond the fastest packet's transit: one frame, so that a pull never races
    /// the packet it needs.
    public var minimumDelay: Duration
    /// Largest playout delay; the target never exceeds it and the buffer compresses immediately above it.
    public var maximumDelay: Duration
    /// Delay used for the first talkspurt, before any jitter has been measured.
    public var initialDelay: Duration
    /// Fraction of packets that must arrive in time; the target delay is this quantile of relative delay.
    public var delayQuantile: Double
    /// How long the delay may stay above target during continuous speech before a frame is dropped anyway.
    /// Drops wait for silence first, so they rarely cut speech; this bounds the growth a faster sender clock
    /// causes when the talker never pauses.
    public var compressionPatience: Duration
    /// A packet whose transit differs from the recent fastest by more than this is not network jitter but
    /// a sender restart (timestamp jump); two consecutive such packets resynchronize the stream.
    public var resyncThreshold: Duration
    /// Mean absolute sample value under which a frame counts as silence, where frames may be dropped freely.
    public var silenceLevel: Int

    public init(sampleRate: Int = 8000,
                frameSamples: Int = 160,
                maxPacketSamples: Int = 480,
                minimumDelay: Duration = .milliseconds(20),
                maximumDelay: Duration = .milliseconds(300),
                initialDelay: Duration = .milliseconds(60),
                delayQuantile: Double = 0.97,
                compressionPatience: Duration = .seconds(1),
                resyncThreshold: Duration = .milliseconds(500),
                silenceLevel: Int = 48) {
        self.sampleRate = sampleRate
        self.frameSamples = frameSamples
        self.maxPacketSamples = maxPacketSamples
        self.minimumDelay = minimumDelay
        self.maximumDelay = maximumDelay
        self.initialDelay = initialDelay
        self.delayQuantile = delayQuantile
        self.compressionPatience = compressionPatience
        self.resyncThreshold = resyncThreshold
        self.silenceLevel = silenceLevel
    }
}

/// The configuration turned into sample counts, with every value forced into a range where the buffer's
/// invariants hold, so that no setting can make the buffer trap or grow without bound.
struct BufferLimits: Sendable {
    let sampleRate: Int
    let frame: Int
    let maxPacket: Int
    let minDelay: Int
    let maxDelay: Int
    let initialDelay: Int
    /// The target's ceiling: one frame under `maxDelay`, because growing by one frame from just under the
    /// target must not cross `maxDelay`.
    let maxTarget: Int
    /// Hard cap on audio held ahead of the playout point.
    let maxBuffered: Int
    /// Ring size: a power of two above `maxBuffered`, so slots never collide.
    let ringCapacity: Int
    let quantile: Double
    let patience: Int
    let resyncThreshold: Int
    let silenceLevel: Int

    init(_ configuration: JitterBufferConfiguration) {
        let rate = min(max(configuration.sampleRate, 1000), 192_000)
        sampleRate = rate
        frame = min(max(configuration.frameSamples, 16), rate / 4)
        maxPacket = min(max(configuration.maxPacketSamples, frame), rate)
        let floorDelay = max(configuration.minimumDelay.samples(at: rate), frame)
        let requestedMax = min(configuration.maximumDelay.samples(at: rate), rate * 5)
        maxDelay = max(requestedMax, floorDelay + frame)
        minDelay = min(floorDelay, maxDelay - frame)
        maxTarget = maxDelay - frame
        initialDelay = min(max(configuration.initialDelay.samples(at: rate), minDelay), maxTarget)
        maxBuffered = maxDelay + maxPacket + 2 * frame
        var capacity = 1
        while capacity < maxBuffered + frame { capacity <<= 1 }
        ringCapacity = capacity
        quantile = min(max(configuration.delayQuantile.isFinite ? configuration.delayQuantile : 0.97, 0.5), 0.999)
        patience = max(configuration.compressionPatience.samples(at: rate), 0)
        resyncThreshold = max(configuration.resyncThreshold.samples(at: rate), maxDelay + 2 * frame)
        silenceLevel = max(configuration.silenceLevel, 0)
    }

    func milliseconds(_ samples: Int) -> Double {
        Double(samples) * 1000 / Double(sampleRate)
    }
}
