/// sip-audio's events about its sound devices (docs/PROTOCOL.md §5: `audio.device.*`, `audio.error`, `audio.xrun`,
/// `audio.capture.ended`). Each carries `source` once orch republished it.

extension AudioAPI {
    /// Why a device or a frame could not be used (`audio.error`, `audio.device.lost`). A struct: new causes are not a
    /// protocol change.
    public struct Cause: RawRepresentable, Sendable, Hashable, CustomStringConvertible, WireString {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let deviceNotFound = Cause(rawValue: "device_not_found")
        public static let deviceBusy = Cause(rawValue: "device_busy")
        public static let unsupportedFormat = Cause(rawValue: "unsupported_format")
        public static let deviceLost = Cause(rawValue: "device_lost")
        public static let badFile = Cause(rawValue: "bad_file")
        /// Frames of the wrong rate or size for the call.
        public static let frameFormat = Cause(rawValue: "frame_format")
        public static let frameMalformed = Cause(rawValue: "frame_malformed")
    }
}

/// `audio.device.opened`: a device opened (the first call attached).
public struct AudioDeviceOpenedEvent: WireEvent, Hashable {
    public static let type = "audio.device.opened"
    public var direction: AudioAPI.Direction
    public var device: String
    public var backend: AudioAPI.Backend
    public var rate: Int
    public var channels: Int
    public var source: String?

    public init(direction: AudioAPI.Direction, device: String, backend: AudioAPI.Backend, rate: Int, channels: Int, source: String? = nil) {
        self.direction = direction
        self.device = device
        self.backend = backend
        self.rate = rate
        self.channels = channels
        self.source = source
    }

    public init(from r: WireReader) throws(WireError) {
        direction = try r("direction")
        device = try r("device")
        backend = try r("backend")
        rate = try r("rate")
        channels = try r("channels")
        source = try r.optional("source")
    }

    public func write(to w: inout WireWriter) {
        w("direction", direction)
        w("device", device)
        w("backend", backend)
        w("rate", rate)
        w("channels", channels)
        w("source", source)
    }
}

/// `audio.device.closed`: a device closed (the last call left).
public struct AudioDeviceClosedEvent: WireEvent, Hashable {
    public static let type = "audio.device.closed"
    public var direction: AudioAPI.Direction
    public var device: String
    public var source: String?

    public init(direction: AudioAPI.Direction, device: String, source: String? = nil) {
        self.direction = direction
        self.device = device
        self.source = source
    }

    public init(from r: WireReader) throws(WireError) {
        direction = try r("direction")
        device = try r("device")
        source = try r.optional("source")
    }

    public func write(to w: inout WireWriter) {
        w("direction", direction)
        w("device", device)
        w("source", source)
    }
}

/// `audio.device.lost`: a device failed mid-call; the null backend (`fallback`) stands in so the call goes on, and
/// with `retrying` the device is reopened every second.
public struct AudioDeviceLostEvent: WireEvent, Hashable {
    public static let type = "audio.device.lost"
    public var direction: AudioAPI.Direction
    public var device: String
    public var cause: AudioAPI.Cause
    public var message: String
    public var fallback: String
    public var retrying: Bool
    public var source: String?

    public init(direction: AudioAPI.Direction, device: String, cause: AudioAPI.Cause, message: String, fallback: String = "null",
                retrying: Bool, source: String? = nil) {
        self.direction = direction
        self.device = device
        self.cause = cause
        self.message = message
        self.fallback = fallback
        self.retrying = retrying
        self.source = source
    }

    public init(from r: WireReader) throws(WireError) {
        direction = try r("direction")
        device = try r("device")
        cause = try r("cause")
        message = try r("message")
        fallback = try r("fallback")
        retrying = try r("retrying")
        source = try r.optional("source")
    }

    public func write(to w: inout WireWriter) {
        w("direction", direction)
        w("device", device)
        w("cause", cause)
        w("message", message)
        w("fallback", fallback)
        w("retrying", retrying)
        w("source", source)
    }
}

/// `audio.device.restored`: a lost (or missing at open) device works again, after `lostMs`.
public struct AudioDeviceRestoredEvent: WireEvent, Hashable {
    public static let type = "audio.device.restored"
    public var direction: AudioAPI.Direction
    public var device: String
    public var rate: Int
    public var channels: Int
    public var lostMs: Int
    public var source: String?

    public init(direction: AudioAPI.Direction, device: String, rate: Int, channels: Int, lostMs: Int, source: String? = nil) {
        self.direction = direction
        self.device = device
        self.rate = rate
        self.channels = channels
        self.lostMs = lostMs
        self.source = source
    }

    public init(from r: WireReader) throws(WireError) {
        direction = try r("direction")
        device = try r("device")
        rate = try r("rate")
        channels = try r("channels")
        lostMs = try r("lost_ms")
        source = try r.optional("source")
    }

    public func write(to w: inout WireWriter) {
        w("direction", direction)
        w("device", device)
        w("rate", rate)
        w("channels", channels)
        w("lost_ms", lostMs)
        w("source", source)
    }
}

/// `audio.error`: a device could not be opened (the null backend stands in), or bad frames arrived on
/// `audio-out.sock` (`call` and `stream` name whose); `message` names the cause and the fix.
public struct AudioErrorEvent: WireEvent, Hashable {
    public static let type = "audio.error"
    public var cause: AudioAPI.Cause
    public var message: String
    public var direction: AudioAPI.Direction?
    public var device: String?
    public var call: CallID?
    public var stream: StreamID?
    public var fallback: String?
    public var retrying: Bool?
    public var source: String?

    public init(cause: AudioAPI.Cause, message: String, direction: AudioAPI.Direction? = nil, device: String? = nil, call: CallID? = nil,
                stream: StreamID? = nil, fallback: String? = nil, retrying: Bool? = nil, source: String? = nil) {
        self.cause = cause
        self.message = message
        self.direction = direction
        self.device = device
        self.call = call
        self.stream = stream
        self.fallback = fallback
        self.retrying = retrying
        self.source = source
    }

    public init(from r: WireReader) throws(WireError) {
        cause = try r("cause")
        message = try r("message")
        direction = try r.optional("direction")
        device = try r.optional("device")
        call = try r.optional("call")
        stream = try r.optional("stream")
        fallback = try r.optional("fallback")
        retrying = try r.optional("retrying")
        source = try r.optional("source")
    }

    public func write(to w: inout WireWriter) {
        w("cause", cause)
        w("message", message)
        w("direction", direction)
        w("device", device)
        w("call", call)
        w("stream", stream)
        w("fallback", fallback)
        w("retrying", retrying)
        w("source", source)
    }
}

/// `audio.xrun`: a device over/underran and recovered (counts since the devices opened; at most once a second).
public struct AudioXrunEvent: WireEvent, Hashable {
    public static let type = "audio.xrun"
    public var captureXruns: Int
    public var playbackXruns: Int
    public var message: String
    public var source: String?

    public init(captureXruns: Int, playbackXruns: Int, message: String, source: String? = nil) {
        self.captureXruns = captureXruns
        self.playbackXruns = playbackXruns
        self.message = message
        self.source = source
    }

    public init(from r: WireReader) throws(WireError) {
        captureXruns = try r("capture_xruns")
        playbackXruns = try r("playback_xruns")
        message = try r("message")
        source = try r.optional("source")
    }

    public func write(to w: inout WireWriter) {
        w("capture_xruns", captureXruns)
        w("playback_xruns", playbackXruns)
        w("message", message)
        w("source", source)
    }
}

/// `audio.capture.ended`: the file backend's input WAV played to its end (silence follows).
public struct AudioCaptureEndedEvent: WireEvent, Hashable {
    public static let type = "audio.capture.ended"
    public var device: String
    public var source: String?

    public init(device: String, source: String? = nil) {
        self.device = device
        self.source = source
    }

    public init(from r: WireReader) throws(WireError) {
        device = try r("device")
        source = try r.optional("source")
    }

    public func write(to w: inout WireWriter) {
        w("device", device)
        w("source", source)
    }
}
