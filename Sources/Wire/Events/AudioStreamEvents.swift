/// sip-audio's events about the calls on its devices (docs/PROTOCOL.md §5: `audio.stream.*`, `audio.conference`,
/// `audio.level`). Each carries `source` once orch republished it.

/// `audio.stream.started`: a call was attached to the devices (`microphone` false: playback only; `capture` is its
/// capture stream either way).
public struct AudioStreamStartedEvent: WireEvent, Hashable {
    public static let type = "audio.stream.started"
    public var call: CallID
    public var playback: StreamID
    public var capture: StreamID
    public var microphone: Bool
    public var source: String?

    public init(call: CallID, playback: StreamID, capture: StreamID, microphone: Bool, source: String? = nil) {
        self.call = call
        self.playback = playback
        self.capture = capture
        self.microphone = microphone
        self.source = source
    }

    public init(from r: WireReader) throws(WireError) {
        call = try r("call")
        playback = try r("playback")
        capture = try r("capture")
        microphone = try r("microphone")
        source = try r.optional("source")
    }

    public func write(to w: inout WireWriter) {
        w("call", call)
        w("playback", playback)
        w("capture", capture)
        w("microphone", microphone)
        w("source", source)
    }
}

/// `audio.stream.stopped`: a call left the devices.
public struct AudioStreamStoppedEvent: WireEvent, Hashable {
    public static let type = "audio.stream.stopped"

    /// Why it left. A struct: later versions may add reasons.
    public struct Reason: RawRepresentable, Sendable, Hashable, CustomStringConvertible, WireString {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// `audio.detach`.
        public static let detached = Reason(rawValue: "detached")
        /// The devices' formats could not be converted to the calls' (every call is detached).
        public static let pipelineFailed = Reason(rawValue: "audio pipeline failed")
    }

    public var call: CallID
    public var reason: Reason
    public var source: String?

    public init(call: CallID, reason: Reason, source: String? = nil) {
        self.call = call
        self.reason = reason
        self.source = source
    }

    public init(from r: WireReader) throws(WireError) {
        call = try r("call")
        reason = try r("reason")
        source = try r.optional("source")
    }

    public func write(to w: inout WireWriter) {
        w("call", call)
        w("reason", reason)
        w("source", source)
    }
}

/// `audio.conference`: sip-audio's conference changed (`audio.conference`): its members, sorted; `[]` ended it.
public struct AudioConferenceEvent: WireEvent, Hashable {
    public static let type = "audio.conference"
    public var calls: [CallID]
    public var source: String?

    public init(calls: [CallID], source: String? = nil) {
        self.calls = calls
        self.source = source
    }

    public init(from r: WireReader) throws(WireError) {
        calls = try r("calls")
        source = try r.optional("source")
    }

    public func write(to w: inout WireWriter) {
        w("calls", calls)
        w("source", source)
    }
}

/// `audio.level`: 10 times a second while the devices are open (`audio.level_events`).
public struct AudioLevelEvent: WireEvent, Hashable {
    public static let type = "audio.level"

    /// One direction's level over the last 100 ms, in dBFS to a tenth (-96 is silence).
    public struct Level: WireObject, Hashable {
        public var rmsDBFS: Double
        public var peakDBFS: Double

        public init(rmsDBFS: Double, peakDBFS: Double) {
            self.rmsDBFS = rmsDBFS
            self.peakDBFS = peakDBFS
        }

        public init(from r: WireReader) throws(WireError) {
            rmsDBFS = try r("rms_dbfs")
            peakDBFS = try r("peak_dbfs")
        }

        public func write(to w: inout WireWriter) {
            w("rms_dbfs", rmsDBFS)
            w("peak_dbfs", peakDBFS)
        }
    }

    public var capture: Level
    public var playback: Level
    public var muted: Bool
    public var source: String?

    public init(capture: Level, playback: Level, muted: Bool, source: String? = nil) {
        self.capture = capture
        self.playback = playback
        self.muted = muted
        self.source = source
    }

    public init(from r: WireReader) throws(WireError) {
        capture = try r("capture")
        playback = try r("playback")
        muted = try r("muted")
        source = try r.optional("source")
    }

    public func write(to w: inout WireWriter) {
        w("capture", capture)
        w("playback", playback)
        w("muted", muted)
        w("source", source)
    }
}
