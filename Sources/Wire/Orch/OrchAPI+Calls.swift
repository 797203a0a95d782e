/// orch's commands that place, answer and list calls (docs/PROTOCOL.md §4, orch).
extension OrchAPI {
    /// `call`: allocates a port pair on the least loaded media worker, then has sig dial; answers `{"call"}` as soon as
    /// the INVITE is out (progress comes as `call.state` events).
    public struct Call: WireCommand, Hashable {
        public static let name = "call"
        public static let receiver = WireReceiver.orch
        public var to: String
        public var from: String?
        /// The id to give the call (a client that wants to know it before the reply); orch picks one otherwise.
        public var call: CallID?
        public var codecs: [CodecName]?
        public var sdpAttributes: [String]?
        /// Credentials for a 401/407 when no account matches `from`.
        public var authUser: String?
        public var password: String?

        public init(to: String, from: String? = nil, call: CallID? = nil, codecs: [CodecName]? = nil, sdpAttributes: [String]? = nil,
                    authUser: String? = nil, password: String? = nil) {
            self.to = to
            self.from = from
            self.call = call
            self.codecs = codecs
            self.sdpAttributes = sdpAttributes
            self.authUser = authUser
            self.password = password
        }

        public init(from r: WireReader) throws(WireError) {
            guard let to: String = try r.optional("to"), !to.isEmpty else {
                throw r.error("call needs args.to, e.g. sip:bob@127.0.0.1:5062")
            }
            self.to = to
            from = try r.optional("from")
            call = try r.optional("call")
            codecs = try r.optional("codecs")
            sdpAttributes = try r.optional("sdp_attributes")
            authUser = try r.optional("auth_user")
            password = try r.optional("password")
        }

        public func write(to w: inout WireWriter) {
            w("to", to)
            w("from", from)
            w("call", call)
            w("codecs", codecs)
            w("sdp_attributes", sdpAttributes)
            w("auth_user", authUser)
            w("password", password)
        }

        public typealias Result = CallReference
    }

    /// `answer`: allocates media and has sig answer; `call` may be left out when exactly one call is waiting.
    public struct Answer: WireCommand, Hashable {
        public static let name = "answer"
        public static let receiver = WireReceiver.orch
        public var call: CallID?
        public var codecs: [CodecName]?
        public var sdpAttributes: [String]?
        /// Call waiting: first hold every other call we are talking in.
        public var holdOthers: Bool?
        /// Whether the other calls are held first (`hold_others`, false when absent; written as the client set it).
        public var holdsOthers: Bool { holdOthers == true }

        public init(call: CallID? = nil, codecs: [CodecName]? = nil, sdpAttributes: [String]? = nil, holdOthers: Bool? = nil) {
            self.call = call
            self.codecs = codecs
            self.sdpAttributes = sdpAttributes
            self.holdOthers = holdOthers
        }

        public init(from r: WireReader) throws(WireError) {
            call = try r.optional("call")
            codecs = try r.optional("codecs")
            sdpAttributes = try r.optional("sdp_attributes")
            holdOthers = try r.optional("hold_others")
        }

        public func write(to w: inout WireWriter) {
            w("call", call)
            w("codecs", codecs)
            w("sdp_attributes", sdpAttributes)
            w("hold_others", holdOthers)
        }

        /// sig's answer (`call.answer`): the call and the codec it answered with.
        public typealias Result = SigAPI.CallAnswer.Result
    }

    /// `calls`: the calls in progress.
    public struct Calls: WireCommand, Hashable {
        public static let name = "calls"
        public static let receiver = WireReceiver.orch
        public init() {}
        public init(from r: WireReader) {}
        public func write(to w: inout WireWriter) {}

        public struct Result: WireObject, Hashable {
            public var calls: [CallSummary]
            public init(calls: [CallSummary]) { self.calls = calls }
            public init(from r: WireReader) throws(WireError) { calls = try r("calls") }
            public func write(to w: inout WireWriter) { w("calls", calls) }
        }
    }

    /// `conference {"calls":[A,B,...]}`: a local conference of 2-8 answered calls mixed by sip-audio; `[]` ends it.
    public struct Conference: WireCommand, Hashable {
        public static let name = "conference"
        public static let receiver = WireReceiver.orch
        public var calls: [CallID]
        public init(calls: [CallID]) { self.calls = calls }
        public init(from r: WireReader) throws(WireError) {
            guard let calls: [CallID] = try? r("calls"), calls.count != 1, calls.count <= 8 else {
                throw r.error("conference needs args.calls: two or more call ids (at most 8), or [] to end it")
            }
            self.calls = calls
        }
        public func write(to w: inout WireWriter) { w("calls", calls) }

        /// sip-audio's answer (`audio.conference`): the members.
        public struct Result: WireObject, Hashable {
            public var calls: [CallID]
            public init(calls: [CallID]) { self.calls = calls }
            public init(from r: WireReader) throws(WireError) { calls = try r("calls") }
            public func write(to w: inout WireWriter) { w("calls", calls) }
        }
    }
}

/// `{"call"}`: which call a command created or acted on.
public struct CallReference: WireObject, Hashable {
    public var call: CallID
    public init(call: CallID) { self.call = call }
    public init(from r: WireReader) throws(WireError) { call = try r("call") }
    public func write(to w: inout WireWriter) { w("call", call) }
}

/// One call as `calls` and `status` list it.
public struct CallSummary: WireObject, Hashable {
    public var callID: CallID
    public var direction: CallDirection
    public var state: CallState
    public var remote: String
    public var local: String?
    public var codec: CodecName?
    public var worker: String?
    public var mediaPort: UInt16?
    public var streams: PCMStreams?
    public var sipStatus: Int?
    public var reason: String?
    /// Seconds since it was answered (0 before), to a tenth.
    public var durationS: Double

    public init(callID: CallID, direction: CallDirection, state: CallState, remote: String, local: String? = nil,
                codec: CodecName? = nil, worker: String? = nil, mediaPort: UInt16? = nil, streams: PCMStreams? = nil,
                sipStatus: Int? = nil, reason: String? = nil, durationS: Double = 0) {
        self.callID = callID
        self.direction = direction
        self.state = state
        self.remote = remote
        self.local = local
        self.codec = codec
        self.worker = worker
        self.mediaPort = mediaPort
        self.streams = streams
        self.sipStatus = sipStatus
        self.reason = reason
        self.durationS = durationS
    }

    public init(from r: WireReader) throws(WireError) {
        callID = try r("call_id")
        direction = try r("direction")
        state = try r("state")
        remote = try r("remote")
        local = try r.optional("local")
        codec = try r.optional("codec")
        worker = try r.optional("worker")
        mediaPort = try r.optional("media_port")
        streams = try r.optional("streams")
        sipStatus = try r.optional("sip_status")
        reason = try r.optional("reason")
        durationS = try r("duration_s", default: 0)
    }

    public func write(to w: inout WireWriter) {
        w("call_id", callID)
        w("direction", direction)
        w("state", state)
        w("remote", remote)
        w("local", local)
        w("codec", codec)
        w("worker", worker)
        w("media_port", mediaPort)
        w("streams", streams)
        w("sip_status", sipStatus)
        w("reason", reason)
        w("duration_s", durationS)
    }
}
