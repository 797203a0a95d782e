/// The media worker's commands about a running call: DTMF, recording and figures (docs/PROTOCOL.md §4, media workers).
extension MediaAPI {
    /// `media.dtmf`: RFC 4733 events (0-9 * # A-D), 100 ms each by default, 60 ms apart.
    public struct DTMF: WireCommand, Hashable {
        public static let name = "media.dtmf"
        public static let receiver = WireReceiver.media
        public var call: CallID
        public var digits: String
        /// Each digit's length (the worker keeps it within 40-5000 ms).
        public var durationMs: Int?

        public init(call: CallID, digits: String, durationMs: Int? = nil) {
            self.call = call
            self.digits = digits
            self.durationMs = durationMs
        }

        public init(from r: WireReader) throws(WireError) {
            let needs = "media.dtmf needs args.call and args.digits"
            call = try MediaAPI.call(r, or: needs)
            guard let digits = try? r.optional("digits", as: String.self) else { throw r.error(needs) }
            self.digits = digits
            durationMs = try r.optional("duration_ms")
        }

        public func write(to w: inout WireWriter) {
            w("call", call)
            w("digits", digits)
            w("duration_ms", durationMs)
        }

        public struct Result: WireObject, Hashable {
            public var call: CallID
            /// Digits queued to send.
            public var queued: Int

            public init(call: CallID, queued: Int) {
                self.call = call
                self.queued = queued
            }

            public init(from r: WireReader) throws(WireError) {
                call = try r("call")
                queued = try r("queued")
            }

            public func write(to w: inout WireWriter) {
                w("call", call)
                w("queued", queued)
            }
        }
    }

    /// `media.record`: starts recording the call to a new WAV file at `path` (absolute, on the worker's host), or with
    /// `stop` ends the recording.
    public struct Record: WireCommand, Hashable {
        public static let name = "media.record"
        public static let receiver = WireReceiver.media
        public var call: CallID
        public var path: String?
        /// `stereo` when absent.
        public var mode: RecordingMode?
        public var stop: Bool

        public init(call: CallID, path: String? = nil, mode: RecordingMode? = nil, stop: Bool = false) {
            self.call = call
            self.path = path
            self.mode = mode
            self.stop = stop
        }

        public init(from r: WireReader) throws(WireError) {
            call = try MediaAPI.call(r, or: "media.record needs args.call, and args.path to start or args.stop")
            stop = (try? r.optional("stop", as: Bool.self)) == true
            path = try? r.optional("path", as: String.self)
            guard stop || path.map({ $0.hasPrefix("/") && $0.utf8.count < 4096 }) == true else {
                throw r.error("media.record needs args.path (an absolute path of a new WAV file) or args.stop: true")
            }
            let mode = try? r.optional("mode", as: RecordingMode.self)
            guard !r.contains("mode") || mode.map(RecordingMode.known.contains) == true else {
                throw r.error("media.record mode must be stereo or mixed")
            }
            self.mode = mode
        }

        public func write(to w: inout WireWriter) {
            w("call", call)
            w("path", path)
            w("mode", mode)
            w("stop", stop, omittingIf: false)
        }

        /// Started: `recording` (the file) and `mode`; stopped: `stopped` (the file) and the `seconds` recorded.
        public struct Result: WireObject, Hashable {
            public var call: CallID
            public var recording: String?
            public var mode: RecordingMode?
            public var stopped: String?
            public var seconds: Double?

            public static func started(call: CallID, path: String, mode: RecordingMode) -> Result {
                Result(call: call, recording: path, mode: mode)
            }

            public static func stopped(call: CallID, path: String, seconds: Double) -> Result {
                Result(call: call, stopped: path, seconds: seconds)
            }

            public init(call: CallID, recording: String? = nil, mode: RecordingMode? = nil, stopped: String? = nil, seconds: Double? = nil) {
                self.call = call
                self.recording = recording
                self.mode = mode
                self.stopped = stopped
                self.seconds = seconds
            }

            public init(from r: WireReader) throws(WireError) {
                call = try r("call")
                recording = try r.optional("recording")
                mode = try r.optional("mode")
                stopped = try r.optional("stopped")
                seconds = try r.optional("seconds")
            }

            public func write(to w: inout WireWriter) {
                w("call", call)
                w("recording", recording)
                w("mode", mode)
                w("stopped", stopped)
                w("seconds", seconds)
            }
        }
    }

    /// `media.stats`: the session's figures, as in `media.stats` events.
    public struct Stats: WireCommand, Hashable {
        public static let name = "media.stats"
        public static let receiver = WireReceiver.media
        public typealias Result = MediaStats
        public var call: CallID
        public init(call: CallID) { self.call = call }
        public init(from r: WireReader) throws(WireError) { call = try MediaAPI.call(r, or: "media.stats needs args.call") }
        public func write(to w: inout WireWriter) { w("call", call) }
    }
}

/// How a call is recorded: `stereo` (left what we send, right what we receive) or `mixed` (mono). A struct: later
/// versions may add modes.
public struct RecordingMode: RawRepresentable, Sendable, Hashable, CustomStringConvertible, WireString {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static var known: [RecordingMode] { [.stereo, .mixed] }

    public static let stereo = RecordingMode(rawValue: "stereo")
    public static let mixed = RecordingMode(rawValue: "mixed")
}
