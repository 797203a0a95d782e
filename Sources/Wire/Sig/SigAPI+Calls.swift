/// sig's commands that place, answer, end, list and restore calls (docs/PROTOCOL.md §4, sig).
extension SigAPI {
    /// `call.dial`: sends the INVITE for call `call` to `to`, with our media at `media`; answers once it is sent.
    public struct CallDial: WireCommand, Hashable {
        public static let name = "call.dial"
        public static let receiver = WireReceiver.sig
        /// Headers a `call.dial` may add to its INVITE: the ones a transfer needs (RFC 3891, RFC 3892).
        public static let allowedHeaders: Set<String> = ["Replaces", "Referred-By"]
        static let maxHeaderBytes = 1024

        public var call: CallID
        public var to: String
        /// An account's AOR, or a SIP URI to use as the From as it is (no registrar, no credentials).
        public var from: String?
        public var media: MediaEndpoint
        /// This call's codecs in order of preference (overriding `sip.codecs`) and extra SDP attributes.
        public var codecs: [CodecName]?
        public var sdpAttributes: [String]?
        /// `Replaces` and `Referred-By` for a call placed by a transfer, one line each.
        public var headers: [String: String]?
        /// Credentials for a 401/407 when no account matches `from`.
        public var authUser: String?
        public var password: String?

        public init(call: CallID, to: String, from: String? = nil, media: MediaEndpoint, codecs: [CodecName]? = nil,
                    sdpAttributes: [String]? = nil, headers: [String: String]? = nil, authUser: String? = nil, password: String? = nil) {
            self.call = call
            self.to = to
            self.from = from
            self.media = media
            self.codecs = codecs
            self.sdpAttributes = sdpAttributes
            self.headers = headers
            self.authUser = authUser
            self.password = password
        }

        public init(from r: WireReader) throws(WireError) {
            guard let call: CallID = try? r("call"), let to: String = try? r("to") else {
                throw r.error("call.dial needs args.call and args.to")
            }
            guard let media: MediaEndpoint = try? r("media") else {
                throw r.error("call.dial needs args.media.address and args.media.port")
            }
            self.call = call
            self.to = to
            self.media = media
            from = try r.optional("from")
            codecs = try r.optional("codecs")
            sdpAttributes = try r.optional("sdp_attributes")
            headers = try Self.headers(r)
            authUser = try r.optional("auth_user")
            password = try r.optional("password")
        }

        /// Only the allowed headers, each a string of one line.
        static func headers(_ r: WireReader) throws(WireError) -> [String: String]? {
            guard r.contains("headers") else { return nil }
            let problem = "call.dial headers: only \(allowedHeaders.sorted().joined(separator: ", ")) with one-line values up to \(maxHeaderBytes) bytes"
            guard let fields: [String: JSONValue] = try? r("headers") else { throw r.error(problem) }
            var headers: [String: String] = [:]
            for (name, value) in fields {
                guard allowedHeaders.contains(name), let text = value.stringValue, text.utf8.count <= maxHeaderBytes,
                      !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { throw r.error(problem) }
                headers[name] = text
            }
            return headers
        }

        public func write(to w: inout WireWriter) {
            w("call", call)
            w("to", to)
            w("from", from)
            w("media", media)
            w("codecs", codecs)
            w("sdp_attributes", sdpAttributes)
            w("headers", headers)
            w("auth_user", authUser)
            w("password", password)
        }

        public struct Result: WireObject, Hashable {
            public var call: CallID
            /// The INVITE's Call-ID.
            public var sipCallID: String
            public init(call: CallID, sipCallID: String) {
                self.call = call
                self.sipCallID = sipCallID
            }
            public init(from r: WireReader) throws(WireError) {
                call = try r("call")
                sipCallID = try r("sip_call_id")
            }
            public func write(to w: inout WireWriter) {
                w("call", call)
                w("sip_call_id", sipCallID)
            }
        }
    }

    /// `call.answer`: the 200 OK with our SDP (488 and error `failed` when no codec is in common).
    public struct CallAnswer: WireCommand, Hashable {
        public static let name = "call.answer"
        public static let receiver = WireReceiver.sig
        public var call: CallID
        public var media: MediaEndpoint
        public var codecs: [CodecName]?
        public var sdpAttributes: [String]?

        public init(call: CallID, media: MediaEndpoint, codecs: [CodecName]? = nil, sdpAttributes: [String]? = nil) {
            self.call = call
            self.media = media
            self.codecs = codecs
            self.sdpAttributes = sdpAttributes
        }

        public init(from r: WireReader) throws(WireError) {
            guard let call: CallID = try? r("call"), let media: MediaEndpoint = try? r("media") else {
                throw r.error("call.answer needs args.call, args.media.address and args.media.port")
            }
            self.call = call
            self.media = media
            codecs = try r.optional("codecs")
            sdpAttributes = try r.optional("sdp_attributes")
        }

        public func write(to w: inout WireWriter) {
            w("call", call)
            w("media", media)
            w("codecs", codecs)
            w("sdp_attributes", sdpAttributes)
        }

        /// The codec answered with; null when the INVITE had no offer (ours goes in the 200, the codec comes with the ACK).
        public struct Result: WireObject, Hashable {
            public var call: CallID
            public var codec: CodecName?
            public init(call: CallID, codec: CodecName?) {
                self.call = call
                self.codec = codec
            }
            public init(from r: WireReader) throws(WireError) {
                call = try r("call")
                codec = try r.optional("codec")
            }
            public func write(to w: inout WireWriter) {
                w("call", call)
                w.nullable("codec", codec)
            }
        }
    }

    /// `call.reject`: the INVITE gets `code` (300-699, default 486; a 3xx redirects the caller).
    public struct CallReject: WireCommand, Hashable {
        public static let name = "call.reject"
        public static let receiver = WireReceiver.sig
        public static let defaultCode = 486
        public var call: CallID
        public var code: Int?
        public var reason: String?

        public init(call: CallID, code: Int? = nil, reason: String? = nil) {
            self.call = call
            self.code = code
            self.reason = reason
        }

        public init(from r: WireReader) throws(WireError) {
            guard let call: CallID = try? r("call") else { throw r.error("call.reject needs args.call") }
            self.call = call
            code = try r.optional("code")
            reason = try r.optional("reason")
        }

        public func write(to w: inout WireWriter) {
            w("call", call)
            w("code", code)
            w("reason", reason)
        }

        public typealias Result = CallReference
    }

    /// `call.hangup`: CANCEL (outgoing, unanswered), 487 (incoming, unanswered) or BYE.
    public struct CallHangup: WireCommand, Hashable {
        public static let name = "call.hangup"
        public static let receiver = WireReceiver.sig
        public var call: CallID

        public init(call: CallID) { self.call = call }

        public init(from r: WireReader) throws(WireError) {
            guard let call: CallID = try? r("call") else { throw r.error("call.hangup needs args.call") }
            self.call = call
        }

        public func write(to w: inout WireWriter) { w("call", call) }

        public typealias Result = CallReference
    }

    /// `call.restore`: a restarted sig takes back a call from the snapshot of its last `call.state`.
    public struct CallRestore: WireCommand, Hashable {
        public static let name = "call.restore"
        public static let receiver = WireReceiver.sig
        public var call: CallID
        public var signaling: SignalingSnapshot

        public init(call: CallID, signaling: SignalingSnapshot) {
            self.call = call
            self.signaling = signaling
        }

        public init(from r: WireReader) throws(WireError) {
            guard let call: CallID = try? r("call"), r.contains("signaling") else {
                throw r.error("call.restore needs args.call and args.signaling (from call.state)")
            }
            self.call = call
            signaling = try r("signaling")
        }

        public func write(to w: inout WireWriter) {
            w("call", call)
            w("signaling", signaling)
        }

        /// `restored` false: sig has the call already (left as it is).
        public struct Result: WireObject, Hashable {
            public var call: CallID
            public var restored: Bool
            public init(call: CallID, restored: Bool) {
                self.call = call
                self.restored = restored
            }
            public init(from r: WireReader) throws(WireError) {
                call = try r("call")
                restored = try r("restored")
            }
            public func write(to w: inout WireWriter) {
                w("call", call)
                w("restored", restored)
            }
        }
    }

    /// `calls`: sig's calls, one short entry each (a listing of hundreds stays far below the bus message limit).
    public struct Calls: WireCommand, Hashable {
        public static let name = "calls"
        public static let receiver = WireReceiver.sig
        public init() {}
        public init(from r: WireReader) {}
        public func write(to w: inout WireWriter) {}

        public struct Result: WireObject, Hashable {
            public var calls: [Entry]
            public init(calls: [Entry]) { self.calls = calls }
            public init(from r: WireReader) throws(WireError) { calls = try r("calls") }
            public func write(to w: inout WireWriter) { w("calls", calls) }
        }

        /// One call: enough for orch's audit to see a state or an SDP it missed (then it asks `call.describe`).
        public struct Entry: WireObject, Hashable {
            public var call: CallID
            public var state: CallState
            public var direction: CallDirection
            public var remote: String
            public var sipCallID: String
            public var codec: CodecName?
            /// The peer's RTP port and the direction of the negotiated media (`remote_media`).
            public var remotePort: UInt16?
            public var mediaDirection: RTPDirection?

            public init(call: CallID, state: CallState, direction: CallDirection, remote: String, sipCallID: String,
                        codec: CodecName? = nil, remotePort: UInt16? = nil, mediaDirection: RTPDirection? = nil) {
                self.call = call
                self.state = state
                self.direction = direction
                self.remote = remote
                self.sipCallID = sipCallID
                self.codec = codec
                self.remotePort = remotePort
                self.mediaDirection = mediaDirection
            }

            public init(from r: WireReader) throws(WireError) {
                call = try r("call")
                state = try r("state")
                direction = try r("direction")
                remote = try r("remote")
                sipCallID = try r("sip_call_id")
                codec = try r.optional("codec")
                remotePort = try r.optional("remote_port")
                mediaDirection = try r.optional("media_direction")
            }

            public func write(to w: inout WireWriter) {
                w("call", call)
                w("state", state)
                w("direction", direction)
                w("remote", remote)
                w("sip_call_id", sipCallID)
                w("codec", codec)
                w("remote_port", remotePort)
                w("media_direction", mediaDirection)
            }
        }
    }

    /// `call.describe {"call"}`: one call's whole `call.state` (what orch's audit applies when it missed the event).
    public struct CallDescribe: WireCommand, Hashable {
        public static let name = "call.describe"
        public static let receiver = WireReceiver.sig
        public var call: CallID
        public init(call: CallID) { self.call = call }
        public init(from r: WireReader) throws(WireError) { call = try r("call") }
        public func write(to w: inout WireWriter) { w("call", call) }
        public typealias Result = CallStateEvent
    }
}
