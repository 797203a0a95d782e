/// Chooses the target playout delay from the relative delays of arriving packets.
///
/// Algorithm (all values in samples):
/// 1. Each packet's relative delay `d` is its transit minus the ``TransitFloor`` (how much later than the
///    fastest recent packet it came), measured to the start of the pull frame that needs it.
/// 2. `d` goes into a histogram of 5 ms buckets with exponential forgetting (factor 0.995 per packet, a
///    memory of about 4 s of speech). The quantile `q` (default 0.97) of the histogram is the delay that
///    would have let that fraction of packets play in time. Forgetting makes the target shrink slowly and
///    smoothly after jitter calms down.
/// 3. Spikes: a packet that would have been late by more than half a frame raises a peak level at once
///    (fast growth); the peak is held for 2 s, then decays at 20 ms per second, so a burst of delayed packets
///    is absorbed after its first packet, and one spike does not keep the delay high for long.
/// 4. target = clamp(max(quantile, peak), minDelay, maxDelay - frame). Until 10 packets have been seen the
///    configured initial delay is used instead.
///
/// Cost per packet is O(1); the quantile scan (about 60 buckets) runs at most once per pull.
struct DelayEstimator: Sendable {
    private static let forgetting = 0.995
    private static let warmUpPackets = 10

    private let limits: BufferLimits
    private let bucketWidth: Int
    private var buckets: [Double]
    private var total: Double = 0
    private var increment: Double = 1
    private var observations = 0
    private var cachedQuantile: Int? = nil

    private var peak: Int = 0
    private var peakSince: Int64 = 0
    private let peakHold: Int64
    /// Samples of delay removed from the peak per sample of time after the hold (20 ms per s).
    private let peakDecay = 0.02

    init(limits: BufferLimits) {
        self.limits = limits
        bucketWidth = max(limits.sampleRate / 200, 1)
        buckets = Array(repeating: 0, count: limits.maxDelay / bucketWidth + 2)
        peakHold = Int64(limits.sampleRate * 2)
    }

    /// Records one packet's relative delay `relative`, observed at arrival sample `now`.
    mutating func observe(relative: Int64, now: Int64) {
        let clamped = max(relative, 0)
        let bucket = Int(min(clamped / Int64(bucketWidth), Int64(buckets.count - 1)))
        buckets[bucket] += increment
        total += increment
        increment /= Self.forgetting
        if increment > 1e12 { rescale() }
        observations += 1
        cachedQuantile = nil

        let current = target(now: now)
        if clamped > Int64(current + limits.frame / 2) {
            peak = Int(min(clamped, Int64(limits.maxDelay))) + bucketWidth
            peakSince = now
        }
    }

    /// Divides every weight by the current increment so the numbers stay far from overflow.
    private mutating func rescale() {
        let factor = 1 / increment
        for index in buckets.indices { buckets[index] *= factor }
        total *= factor
        increment = 1
    }

    /// Forgets the spike state of an old stream; the jitter histogram is kept, since the network path
    /// usually outlives a sender restart or an SSRC change.
    mutating func restartStream() {
        peak = 0
    }

    private mutating func quantile() -> Int {
        if let cachedQuantile { return cachedQuantile }
        let allowedAbove = total * (1 - limits.quantile)
        var above = 0.0
        var result = 0
        for bucket in stride(from: buckets.count - 1, through: 0, by: -1) {
            above += buckets[bucket]
            if above > allowedAbove {
                result = (bucket + 1) * bucketWidth
                break
            }
        }
        cachedQuantile = result
        return result
    }

    /// The delay to steer toward, in samples, at time `now` (samples).
    mutating func target(now: Int64) -> Int {
        if observations < Self.warmUpPackets { return limits.initialDelay }
        var level = quantile()
        let held = now &- peakSince
        if peak > 0 {
            if held <= peakHold {
                level = max(level, peak)
            } else {
                let decayed = Double(peak) - Double(held - peakHold) * peakDecay
                if decayed > 0 { level = max(level, Int(decayed)) } else { peak = 0 }
            }
        }
        return min(max(level, limits.minDelay), limits.maxTarget)
    }
}
