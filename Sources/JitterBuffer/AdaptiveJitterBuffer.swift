import Timebase

/// Adaptive jitter buffer for one received RTP audio stream, decoded to PCM.
///
/// The network side calls `insert` for each packet with its arrival time; the playout clock calls `pull`
/// every 20 ms and always gets exactly one frame. Pure value: no clock, thread or allocation after `init`
/// on the hot path (`pull(now:into:)`), so it is tested with virtual time.
///
/// ```
///  insert ──► unwrap seq/ts ──► duplicate? ─► late? ─► ring (sample per slot, by timestamp)
///                 │  transit = arrival − frame start                      │
///                 ▼                                                       ▼
///          TransitFloor ─► relative delay ─► DelayEstimator ─► target ─► pull: expand / play / compress
///                                                                           │ missing samples
///                                                                           ▼
///                                                           PacketLossConcealment (output −3.75 ms)
/// ```
///
/// Delay control: the playout delay is `now − playoutTimestamp − floor`, the time a sample waits beyond
/// the fastest recent transit. Below target, one synthesized frame is inserted without consuming the stream
/// (`.expanded`, grows 20 ms per pull: fast). More than 1.25 frames above target, one frame is dropped
/// (`.compressed`) as soon as the output and the frame to drop are silent or a talkspurt is about to start,
/// or after `compressionPatience` of continuous speech, cross-faded over 4 ms. The same rules absorb sender
/// clock drift: a faster sender slowly raises the delay and gets a frame dropped, preferably in a pause; a
/// slower one lowers it and gets a frame inserted. Above `maximumDelay` a frame is dropped at once.
///
/// Streams: an SSRC change starts a new stream immediately. A packet far outside the stream's timeline
/// (relative delay beyond `resyncThreshold`, or too early to fit the ring while the playout clock runs) is
/// refused; if the next packet follows it in sequence with a consistent timeline, the sender restarted and
/// the stream starts over from both. The jitter histogram survives restarts: it describes the network.
public struct AdaptiveJitterBuffer: Sendable {
    public let configuration: JitterBufferConfiguration
    public internal(set) var stats = JitterBufferStatistics()

    let limits: BufferLimits
    var ring: SampleRing
    var floor = TransitFloor()
    var estimator: DelayEstimator
    var concealment: PacketLossConcealment

    var hasStream = false
    var stream = StreamState(ssrc: 0, sequences: SequenceWindow(first: 0), highestTimestamp: 0)
    var playing = false
    /// Extended timestamp of the next sample to play; always on the frame grid of the stream.
    var playoutTimestamp: Int64 = 0
    /// One past the newest stored sample.
    var newestEnd: Int64 = 0
    var restartCandidate: RestartCandidate? = nil
    var candidateSamples: [Int16]
    var lastPull: Int64? = nil
    var overTargetSince: Int64? = nil
    var lastOutputQuiet = true

    // Scratch buffers reused by every pull.
    var frameSamples: [Int16]
    var framePresent: [Bool]
    var droppedSamples: [Int16]
    var droppedPresent: [Bool]

    public init(configuration: JitterBufferConfiguration = JitterBufferConfiguration()) {
        self.configuration = configuration
        let limits = BufferLimits(configuration)
        self.limits = limits
        ring = SampleRing(capacity: limits.ringCapacity)
        estimator = DelayEstimator(limits: limits)
        concealment = PacketLossConcealment(sampleRate: limits.sampleRate, maxBlockSamples: limits.frame)
        candidateSamples = Array(repeating: 0, count: limits.maxPacket)
        frameSamples = Array(repeating: 0, count: limits.frame)
        framePresent = Array(repeating: false, count: limits.frame)
        droppedSamples = Array(repeating: 0, count: limits.frame)
        droppedPresent = Array(repeating: false, count: limits.frame)
        stats.targetDelayMs = limits.milliseconds(limits.initialDelay)
    }

    /// Samples per pull.
    public var frameSamplesPerPull: Int { limits.frame }

    /// How far output lags the playout point, from concealment's look-back (3.75 ms at 8 kHz).
    public var outputDelaySamples: Int { concealment.delaySamples }

    /// Forgets the stream (keeps statistics and the jitter history): the next packet starts a new one.
    public mutating func reset() {
        hasStream = false
        playing = false
        restartCandidate = nil
        overTargetSince = nil
    }

    // MARK: - Insert

    public mutating func insert(sequence: UInt16, timestamp: UInt32, ssrc: UInt32, marker: Bool,
                                samples: [Int16], arrival: MonotonicTime) -> InsertVerdict {
        samples.withUnsafeBufferPointer {
            insert(sequence: sequence, timestamp: timestamp, ssrc: ssrc, marker: marker, samples: $0, arrival: arrival)
        }
    }

    public mutating func insert(sequence: UInt16, timestamp: UInt32, ssrc: UInt32, marker: Bool,
                                samples: UnsafeBufferPointer<Int16>, arrival: MonotonicTime) -> InsertVerdict {
        stats.received += 1
        guard !samples.isEmpty, samples.count <= limits.maxPacket else {
            stats.invalid += 1
            return .invalid
        }
        let now = arrival.sampleIndex(sampleRate: limits.sampleRate)
        let packet = ArrivingPacket(sequence: sequence, timestamp: timestamp, marker: marker, arrival: now)
        guard hasStream else {
            startStream(reason: .firstPacket, ssrc: ssrc, packet: packet, samples: samples)
            return .reset(.firstPacket)
        }
        guard ssrc == stream.ssrc else {
            startStream(reason: .ssrcChange, ssrc: ssrc, packet: packet, samples: samples)
            return .reset(.ssrcChange)
        }
        return place(packet, samples: samples)
    }

    /// Files a packet of the current stream.
    private mutating func place(_ packet: ArrivingPacket, samples: UnsafeBufferPointer<Int16>) -> InsertVerdict {
        let count = Int64(samples.count)
        let timestamp = RTPUnwrapping.extend(timestamp: packet.timestamp, around: stream.highestTimestamp)
        let sequence = RTPUnwrapping.extend(sequence: packet.sequence, around: stream.sequences.highest)
        if stream.sequences.contains(sequence) {
            stats.duplicates += 1
            return .duplicate
        }
        let transit = packet.arrival - frameStart(of: timestamp)
        let relative = transit - floor.value
        let threshold = Int64(limits.resyncThreshold)
        let overflows = timestamp + count - playoutTimestamp > Int64(limits.maxBuffered)
        if relative > threshold || relative < -threshold || (overflows && playoutIsRunning(at: packet.arrival)) {
            return considerRestart(packet, samples: samples, late: relative > 0 && !overflows)
        }
        restartCandidate = nil

        if !playing && timestamp < playoutTimestamp && playoutTimestamp - timestamp <= Int64(limits.maxPacket) {
            // Reordered packets before the first one played: start the stream at the earliest.
            playoutTimestamp = timestamp
        }
        if stream.sequences.insert(sequence) { stats.reordered += 1 }
        estimator.observe(relative: relative, now: packet.arrival)
        if timestamp + count <= playoutTimestamp {
            stats.late += 1
            return .late
        }
        floor.observe(transit)
        if overflows { discardOldest(toFit: timestamp + count) }
        let skip = Int(max(playoutTimestamp - timestamp, 0))
        ring.write(timestamp: timestamp, payload: samples, skip: skip, marker: packet.marker)
        stream.highestTimestamp = max(stream.highestTimestamp, timestamp)
        newestEnd = max(newestEnd, timestamp + count)
        stats.accepted += 1
        return .accepted
    }

    /// Start of the pull frame that will need the sample at `timestamp`.
    func frameStart(of timestamp: Int64) -> Int64 {
        let frame = Int64(limits.frame)
        var offset = (timestamp - playoutTimestamp) % frame
        if offset < 0 { offset += frame }
        return timestamp - offset
    }

    /// Whether the playout clock pulled recently; if not, a full buffer means the consumer stalled, and
    /// the oldest audio gives way rather than the newest.
    private func playoutIsRunning(at now: Int64) -> Bool {
        guard let lastPull else { return false }
        return now - lastPull <= Int64(3 * limits.frame)
    }

    /// Moves the playout point forward by whole frames until `end` fits under the memory cap.
    private mutating func discardOldest(toFit end: Int64) {
        let frame = Int64(limits.frame)
        let excess = end - playoutTimestamp - Int64(limits.maxBuffered)
        guard excess > 0 else { return }
        let frames = (excess + frame - 1) / frame
        let scanned = min(frames, Int64(limits.ringCapacity) / frame + 1)
        for index in 0..<scanned {
            let start = playoutTimestamp + index * frame
            if ring.storedCount(from: start, count: limits.frame) > 0 { stats.discardedFrames += 1 }
        }
        playoutTimestamp += frames * frame
    }

    /// A packet off the stream's timeline: refuse it, unless it confirms the previous refused one as the
    /// start of a restarted sender (next in sequence, same transit within `maximumDelay`).
    private mutating func considerRestart(_ packet: ArrivingPacket, samples: UnsafeBufferPointer<Int16>,
                                          late: Bool) -> InsertVerdict {
        if let candidate = restartCandidate, candidate.confirms(packet, tolerance: Int64(limits.maxDelay)) {
            let saved = candidateSamples
            saved.withUnsafeBufferPointer { buffer in
                startStream(reason: .timestampJump, ssrc: stream.ssrc, packet: candidate.packet,
                            samples: UnsafeBufferPointer(rebasing: buffer[0..<candidate.count]))
            }
            _ = place(packet, samples: samples)
            return .reset(.timestampJump)
        }
        restartCandidate = RestartCandidate(packet: packet, count: samples.count)
        for index in 0..<samples.count { candidateSamples[index] = samples[index] }
        if late {
            stats.late += 1
            return .late
        }
        stats.tooEarly += 1
        return .tooEarly
    }

    /// Drops the old stream's audio and opens a new one with this packet; playout waits for the target
    /// delay again while concealment fades out what was playing.
    private mutating func startStream(reason: ResetReason, ssrc: UInt32, packet: ArrivingPacket,
                                      samples: UnsafeBufferPointer<Int16>) {
        stats.resyncs += 1
        switch reason {
        case .firstPacket: break
        case .ssrcChange: stats.ssrcChanges += 1
        case .timestampJump: stats.timestampJumps += 1
        }
        if hasStream { ring.clear() }
        let timestamp = Int64(packet.timestamp) + (1 << 32)
        hasStream = true
        stream = StreamState(ssrc: ssrc, sequences: SequenceWindow(first: Int64(packet.sequence) + (1 << 16)),
                             highestTimestamp: timestamp)
        playing = false
        playoutTimestamp = timestamp
        newestEnd = timestamp + Int64(samples.count)
        restartCandidate = nil
        overTargetSince = nil
        floor.reset()
        floor.observe(packet.arrival - timestamp)
        estimator.restartStream()
        estimator.observe(relative: 0, now: packet.arrival)
        ring.write(timestamp: timestamp, payload: samples, skip: 0, marker: packet.marker)
        stats.accepted += 1
    }
}

/// The identity of the stream being played.
struct StreamState: Sendable {
    var ssrc: UInt32
    var sequences: SequenceWindow
    /// Newest extended timestamp accepted; the reference for unwrapping the next one.
    var highestTimestamp: Int64
}

/// Header fields of a packet being inserted, with its arrival in samples.
struct ArrivingPacket: Sendable {
    var sequence: UInt16
    var timestamp: UInt32
    var marker: Bool
    var arrival: Int64
}

/// A refused packet that may be the first of a restarted sender.
struct RestartCandidate: Sendable {
    var packet: ArrivingPacket
    var count: Int

    func confirms(_ next: ArrivingPacket, tolerance: Int64) -> Bool {
        let gap = next.sequence &- packet.sequence
        guard gap >= 1 && gap <= 4 else { return false }
        let elapsed = next.arrival - packet.arrival
        let advanced = Int64(Int32(bitPattern: next.timestamp &- packet.timestamp))
        return abs(elapsed - advanced) <= tolerance
    }
}
