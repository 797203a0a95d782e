/// sig's commands on an answered call: re-INVITEs (hold, resume, a new offer), DTMF by INFO, and transfer by REFER
/// (docs/PROTOCOL.md §4, sig).
extension SigAPI {
    /// `call.hold`: a re-INVITE offering `direction` (`sendonly`, the default, or `inactive`); answers once the peer did.
    public struct CallHold: WireCommand, Hashable {
        public static let name = "call.hold"
        public static let receiver = WireReceiver.sig
        public var call: CallID
        public var direction: RTPDirection?

        public init(call: CallID, direction: RTPDirection? = nil) {
            self.call = call
            self.direction = direction
        }

        public init(from r: WireReader) throws(WireError) {
            guard let call: CallID = try? r("call") else { throw r.error("call.hold needs args.call") }
            self.call = call
            direction = try Self.direction(r)
        }

        /// `direction`, when given, must be one a hold offers (RFC 3264 §8.4); orch's `hold` checks it the same way.
        public static func direction(_ r: WireReader) throws(WireError) -> RTPDirection? {
            guard r.contains("direction") else { return nil }
            guard let text: String = try? r("direction"), let direction = RTPDirection(rawValue: text),
                  direction == .sendonly || direction == .inactive else {
                throw r.error("call.hold: direction must be sendonly (the default) or inactive")
            }
            return direction
        }

        public func write(to w: inout WireWriter) {
            w("call", call)
            w("direction", direction)
        }

        /// The call's state once the peer answered the re-INVITE; `changed` false when it was in that state already.
        public struct Result: WireObject, Hashable {
            public var call: CallID
            public var state: CallState
            public var changed: Bool
            public init(call: CallID, state: CallState, changed: Bool) {
                self.call = call
                self.state = state
                self.changed = changed
            }
            public init(from r: WireReader) throws(WireError) {
                call = try r("call")
                state = try r("state")
                changed = try r("changed")
            }
            public func write(to w: inout WireWriter) {
                w("call", call)
                w("state", state)
                w("changed", changed)
            }
        }
    }

    /// `call.resume`: as `call.hold`, offering `sendrecv`.
    public struct CallResume: WireCommand, Hashable {
        public static let name = "call.resume"
        public static let receiver = WireReceiver.sig
        public var call: CallID
        public init(call: CallID) { self.call = call }
        public init(from r: WireReader) throws(WireError) {
            guard let call: CallID = try? r("call") else { throw r.error("call.resume needs args.call") }
            self.call = call
        }
        public func write(to w: inout WireWriter) { w("call", call) }
        public typealias Result = CallHold.Result
    }

    /// `call.reoffer`: a re-INVITE offering these codecs (in order) and/or our new media address, hold state and
    /// attributes unchanged; answers when the peer did (`failed`, and the old codecs stay, when it refused).
    public struct CallReoffer: WireCommand, Hashable {
        public static let name = "call.reoffer"
        public static let receiver = WireReceiver.sig
        public var call: CallID
        public var codecs: [CodecName]?
        public var media: MediaEndpoint?

        public init(call: CallID, codecs: [CodecName]? = nil, media: MediaEndpoint? = nil) {
            self.call = call
            self.codecs = codecs
            self.media = media
        }

        public init(from r: WireReader) throws(WireError) {
            guard let call: CallID = try? r("call"), r.contains("codecs") || r.contains("media") else {
                throw r.error("call.reoffer needs args.call and args.codecs or args.media {address, port}")
            }
            self.call = call
            codecs = try r.optional("codecs")
            media = try r.optional("media")
        }

        public func write(to w: inout WireWriter) {
            w("call", call)
            w("codecs", codecs)
            w("media", media)
        }

        public typealias Result = CallHold.Result
    }

    /// `call.dtmf_info`: one INFO per digit (`application/dtmf-relay`), each once the previous one got its answer.
    public struct CallDTMFInfo: WireCommand, Hashable {
        public static let name = "call.dtmf_info"
        public static let receiver = WireReceiver.sig
        public static let defaultDurationMs = 100
        public var call: CallID
        public var digits: String
        public var durationMs: Int?

        public init(call: CallID, digits: String, durationMs: Int? = nil) {
            self.call = call
            self.digits = digits
            self.durationMs = durationMs
        }

        public init(from r: WireReader) throws(WireError) {
            guard let call: CallID = try? r("call"), let digits: String = try? r("digits") else {
                throw r.error("call.dtmf_info needs args.call and args.digits")
            }
            self.call = call
            self.digits = digits
            durationMs = try r.optional("duration_ms")
        }

        public func write(to w: inout WireWriter) {
            w("call", call)
            w("digits", digits)
            w("duration_ms", durationMs)
        }

        /// How many digits were queued (`method` is `info`, as `dtmf` names it).
        public struct Result: WireObject, Hashable {
            public var call: CallID
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
                w("method", DTMFReceivedEvent.Method.info)
            }
        }
    }

    /// `call.transfer`: REFER in the call's dialog (RFC 3515) to `target` (blind), or to the peer of our other call
    /// `replaces` with Replaces (attended, RFC 3891); answers when the REFER got its final response.
    public struct CallTransfer: WireCommand, Hashable {
        public static let name = "call.transfer"
        public static let receiver = WireReceiver.sig
        public var call: CallID
        public var target: String?
        public var replaces: CallID?

        public init(call: CallID, target: String? = nil, replaces: CallID? = nil) {
            self.call = call
            self.target = target
            self.replaces = replaces
        }

        public init(from r: WireReader) throws(WireError) {
            guard let call: CallID = try? r("call"), r.contains("target") || r.contains("replaces") else {
                throw r.error("call.transfer needs args.call and args.target (blind) or args.replaces (attended: our other call)")
            }
            self.call = call
            target = try r.optional("target")
            replaces = try r.optional("replaces")
        }

        public func write(to w: inout WireWriter) {
            w("call", call)
            w("target", target)
            w("replaces", replaces)
        }

        /// The peer accepted the REFER (202); the outcome comes as `call.transfer` events.
        public struct Result: WireObject, Hashable {
            public var call: CallID
            public init(call: CallID) { self.call = call }
            public init(from r: WireReader) throws(WireError) { call = try r("call") }
            public func write(to w: inout WireWriter) {
                w("call", call)
                w("accepted", true)
            }
        }
    }

    /// `call.refer_notify`: a NOTIFY (message/sipfrag `SIP/2.0 CODE REASON`) to the peer whose REFER we follow; a final
    /// `code` ends the implicit subscription.
    public struct CallReferNotify: WireCommand, Hashable {
        public static let name = "call.refer_notify"
        public static let receiver = WireReceiver.sig
        public var call: CallID
        public var code: Int
        public var reason: String?

        public init(call: CallID, code: Int, reason: String? = nil) {
            self.call = call
            self.code = code
            self.reason = reason
        }

        public init(from r: WireReader) throws(WireError) {
            guard let call: CallID = try? r("call"), let code: Int = try? r("code") else {
                throw r.error("call.refer_notify needs args.call and args.code")
            }
            self.call = call
            self.code = code
            reason = try r.optional("reason")
        }

        public func write(to w: inout WireWriter) {
            w("call", call)
            w("code", code)
            w("reason", reason)
        }

        public struct Result: WireObject, Hashable {
            public var call: CallID
            public var code: Int
            public init(call: CallID, code: Int) {
                self.call = call
                self.code = code
            }
            public init(from r: WireReader) throws(WireError) {
                call = try r("call")
                code = try r("code")
            }
            public func write(to w: inout WireWriter) {
                w("call", call)
                w("code", code)
            }
        }
    }
}
