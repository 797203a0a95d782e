/// A media worker's counters: the `stats` of its heartbeats and its answer to `stats` (docs/PROTOCOL.md §4, media
/// workers). orch places a new call on the worker with the fewest `sessions`, among those with `capacity` left.
public struct WorkerStats: WireObject, Hashable {
    /// Calls with a port pair (answer slots are counted apart).
    public var sessions: Int
    /// Port pairs held for answer slots.
    public var answerSlots: Int
    /// Sessions whose flow runs (`media.start` seen).
    public var mediaStarted: Int
    /// Port pairs in the worker's share of `rtp.ports`.
    public var capacity: Int
    public var allocations: Int
    public var releases: Int
    /// `media.allocate` answered `unavailable` (the share was exhausted).
    public var exhausted: Int
    /// Frames to send dropped as malformed, multipart, or not 20 ms of 8000 Hz mono (absent without a PCM bus).
    public var pcmInRejected: Int?

    public init(sessions: Int, answerSlots: Int = 0, mediaStarted: Int = 0, capacity: Int, allocations: Int = 0, releases: Int = 0,
                exhausted: Int = 0, pcmInRejected: Int? = nil) {
        self.sessions = sessions
        self.answerSlots = answerSlots
        self.mediaStarted = mediaStarted
        self.capacity = capacity
        self.allocations = allocations
        self.releases = releases
        self.exhausted = exhausted
        self.pcmInRejected = pcmInRejected
    }

    public init(from r: WireReader) throws(WireError) {
        sessions = try r("sessions")
        answerSlots = try r("answer_slots", default: 0)
        mediaStarted = try r("media_started", default: 0)
        capacity = try r("capacity")
        allocations = try r("allocations", default: 0)
        releases = try r("releases", default: 0)
        exhausted = try r("exhausted", default: 0)
        pcmInRejected = try r.optional("pcm_in_rejected")
    }

    public func write(to w: inout WireWriter) {
        w("sessions", sessions)
        w("answer_slots", answerSlots)
        w("media_started", mediaStarted)
        w("capacity", capacity)
        w("allocations", allocations)
        w("releases", releases)
        w("exhausted", exhausted)
        w("pcm_in_rejected", pcmInRejected)
    }
}
