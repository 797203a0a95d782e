/// sip-audio's counters: its heartbeat's `stats` (and `stats`' answer), also part of `audio.state`
/// (docs/PROTOCOL.md §4, audio). Every field has its idle value by default.
public struct AudioStats: WireObject, Hashable {
    /// `{"p50","p99"}` in milliseconds over the last 500 frames.
    public struct Latency: WireObject, Hashable {
        public var p50: Double
        public var p99: Double

        public init(p50: Double, p99: Double) {
            self.p50 = p50
            self.p99 = p99
        }

        public init(from r: WireReader) throws(WireError) {
            p50 = try r("p50")
            p99 = try r("p99")
        }

        public func write(to w: inout WireWriter) {
            w("p50", p50)
            w("p99", p99)
        }
    }

    public var backend: AudioAPI.Backend = .null
    public var devicesOpen = false
    /// How often the devices were opened.
    public var opens = 0
    public var callsAttached = 0

    /// Frames that arrived on `audio-out.sock`, and what became of them.
    public var framesIn = 0
    public var framesPlayed = 0
    public var framesUnattached = 0
    public var framesBadFormat = 0
    public var framesMalformed = 0
    public var framesLate = 0
    public var framesTrimmed = 0
    public var playbackStarved = 0

    /// The 20 ms ticks of the audio thread, and those that came more than 100 ms late.
    public var ticks = 0
    public var lateTicks = 0
    public var captureUnderflows = 0
    public var playbackDroppedFrames = 0
    public var captureXruns = 0
    public var playbackXruns = 0
    public var captureState: AudioAPI.DeviceState = .closed
    public var playbackState: AudioAPI.DeviceState = .closed

    /// Microseconds of work per tick, to a tenth (once a tick ran).
    public var tickBusyUsAvg: Double?
    /// A frame's arrival on `audio-out.sock` to its write to the device.
    public var playbackLatencyMs: Latency?
    /// The RTP packet's arrival at the worker to the frame's write to the device (from the frames' origin stamps).
    public var rtpToDeviceMs: Latency?
    /// The device read to the frame's publication (buffering plus processing).
    public var captureLatencyMs: Latency?

    /// Microphone frames published and dropped (nobody kept up); absent without PCM sockets.
    public var pcmSent: Int?
    public var pcmSendDropped: Int?

    public init() {}

    public init(from r: WireReader) throws(WireError) {
        backend = try r("backend")
        devicesOpen = try r("devices_open")
        opens = try r("opens")
        callsAttached = try r("calls_attached")
        framesIn = try r("frames_in")
        framesPlayed = try r("frames_played")
        framesUnattached = try r("frames_unattached")
        framesBadFormat = try r("frames_bad_format")
        framesMalformed = try r("frames_malformed")
        framesLate = try r("frames_late")
        framesTrimmed = try r("frames_trimmed")
        playbackStarved = try r("playback_starved")
        ticks = try r("ticks")
        lateTicks = try r("late_ticks")
        captureUnderflows = try r("capture_underflows")
        playbackDroppedFrames = try r("playback_dropped_frames")
        captureXruns = try r("capture_xruns")
        playbackXruns = try r("playback_xruns")
        captureState = try r("capture_state")
        playbackState = try r("playback_state")
        tickBusyUsAvg = try r.optional("tick_busy_us_avg")
        playbackLatencyMs = try r.optional("playback_latency_ms")
        rtpToDeviceMs = try r.optional("rtp_to_device_ms")
        captureLatencyMs = try r.optional("capture_latency_ms")
        pcmSent = try r.optional("pcm_sent")
        pcmSendDropped = try r.optional("pcm_send_dropped")
    }

    public func write(to w: inout WireWriter) {
        w("backend", backend)
        w("devices_open", devicesOpen)
        w("opens", opens)
        w("calls_attached", callsAttached)
        w("frames_in", framesIn)
        w("frames_played", framesPlayed)
        w("frames_unattached", framesUnattached)
        w("frames_bad_format", framesBadFormat)
        w("frames_malformed", framesMalformed)
        w("frames_late", framesLate)
        w("frames_trimmed", framesTrimmed)
        w("playback_starved", playbackStarved)
        w("ticks", ticks)
        w("late_ticks", lateTicks)
        w("capture_underflows", captureUnderflows)
        w("playback_dropped_frames", playbackDroppedFrames)
        w("capture_xruns", captureXruns)
        w("playback_xruns", playbackXruns)
        w("capture_state", captureState)
        w("playback_state", playbackState)
        w("tick_busy_us_avg", tickBusyUsAvg)
        w("playback_latency_ms", playbackLatencyMs)
        w("rtp_to_device_ms", rtpToDeviceMs)
        w("capture_latency_ms", captureLatencyMs)
        w("pcm_sent", pcmSent)
        w("pcm_send_dropped", pcmSendDropped)
    }
}
