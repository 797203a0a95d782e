/// Which calls use the sound devices (`audio.attach`, `audio.detach`, `audio.conference`; docs/PROTOCOL.md §4, audio).
extension AudioAPI {
    /// `audio.attach`: plays the call's `playback` stream and (unless `capture` is false) publishes the microphone on
    /// its `capture` stream. Attaching again with the same ids changes nothing.
    public struct Attach: WireCommand, Hashable {
        public static let name = "audio.attach"
        public static let receiver = WireReceiver.audio
        public var call: CallID
        public var streams: PCMStreams
        /// False: playback only (a held call, call waiting); absent means true.
        public var capture: Bool?

        public init(call: CallID, streams: PCMStreams, capture: Bool? = nil) {
            self.call = call
            self.streams = streams
            self.capture = capture
        }

        /// Whether the call takes the microphone.
        public var takesMicrophone: Bool { capture ?? true }

        public init(from r: WireReader) throws(WireError) {
            guard let call: CallID = try? r("call"), !call.rawValue.isEmpty, let streams: PCMStreams = try? r("streams") else {
                throw r.error("audio.attach needs {\"call\",\"streams\":{\"playback\",\"capture\"}} with stream ids 0-4294967295")
            }
            self.call = call
            self.streams = streams
            capture = try r.optional("capture")
        }

        public func write(to w: inout WireWriter) {
            w("call", call)
            w("streams", streams)
            w("capture", capture)
        }

        /// `{"call","attached":true}` and the devices.
        public struct Result: WireObject, Hashable {
            public var call: CallID
            public var report: DeviceReport

            public init(call: CallID, report: DeviceReport) {
                self.call = call
                self.report = report
            }

            public init(from r: WireReader) throws(WireError) {
                call = try r("call")
                report = try DeviceReport(from: r)
            }

            public func write(to w: inout WireWriter) {
                report.write(to: &w)
                w("call", call)
                w("attached", true)
            }
        }
    }

    /// `audio.detach`: the call leaves the devices (and the conference); the last one closes them.
    public struct Detach: WireCommand, Hashable {
        public static let name = "audio.detach"
        public static let receiver = WireReceiver.audio
        public var call: CallID

        public init(call: CallID) { self.call = call }

        public init(from r: WireReader) throws(WireError) {
            guard let call: CallID = try? r("call") else { throw r.error("audio.detach needs {\"call\"}") }
            self.call = call
        }

        public func write(to w: inout WireWriter) { w("call", call) }

        public struct Result: WireObject, Hashable {
            public var call: CallID
            /// False when the call was not attached.
            public var detached: Bool

            public init(call: CallID, detached: Bool) {
                self.call = call
                self.detached = detached
            }

            public init(from r: WireReader) throws(WireError) {
                call = try r("call")
                detached = try r("detached")
            }

            public func write(to w: inout WireWriter) {
                w("call", call)
                w("detached", detached)
            }
        }
    }

    /// `audio.conference`: these attached calls form the conference (at most 8; `[]` ends it); a call that is not
    /// attached is `not_found`. The answer is the members, sorted.
    public struct Conference: WireCommand, Hashable {
        public static let name = "audio.conference"
        public static let receiver = WireReceiver.audio
        public var calls: [CallID]

        public init(calls: [CallID]) { self.calls = calls }

        public init(from r: WireReader) throws(WireError) {
            guard let calls: [CallID] = try? r("calls"), calls.count <= 8 else {
                throw r.error("audio.conference needs {\"calls\":[CALL,...]} (at most 8; [] ends the conference)")
            }
            self.calls = calls
        }

        public func write(to w: inout WireWriter) { w("calls", calls) }

        /// The answer orch passes on for its `conference`.
        public typealias Result = OrchAPI.Conference.Result
    }

    /// One attached call as `audio.state` lists it (`capture` null: playback only).
    public struct AttachedCall: WireObject, Hashable {
        public var call: CallID
        public var playback: StreamID
        public var capture: StreamID?

        public init(call: CallID, playback: StreamID, capture: StreamID?) {
            self.call = call
            self.playback = playback
            self.capture = capture
        }

        public init(from r: WireReader) throws(WireError) {
            call = try r("call")
            playback = try r("playback")
            capture = try r.optional("capture")
        }

        public func write(to w: inout WireWriter) {
            w("call", call)
            w("playback", playback)
            w.nullable("capture", capture)
        }
    }
}
