/// Events sig publishes (docs/PROTOCOL.md §5). orch republishes them with `source`; it also publishes `call.state` itself
/// for calls it ends on its own (fewer fields: no `local`, `sip_call_id` or `signaling`).
public enum SigEvents {
    public static let all: [any WireEvent.Type] = [
        CallIncomingEvent.self, CallStateEvent.self, CallTransferEvent.self, CallReferredEvent.self, RegistrationStateEvent.self,
    ]
}

/// `call.incoming`: an INVITE arrived. sig sent 100 and 180, or (`answered`) answered it at once from an answer slot.
public struct CallIncomingEvent: WireEvent, Hashable {
    public static let type = "call.incoming"
    public var call: CallID
    public var sipCallID: String
    public var from: String
    public var to: String
    /// What the offer's audio stream would be answered with (left out for an INVITE without SDP).
    public var remoteMedia: RemoteMedia?
    /// The call of ours an INVITE with Replaces (RFC 3891) takes the place of.
    public var replaces: CallID?
    public var referredBy: String?
    public var answered: AnswerSlot?
    public var source: String?

    public init(call: CallID, sipCallID: String, from: String, to: String, remoteMedia: RemoteMedia? = nil, replaces: CallID? = nil,
                referredBy: String? = nil, answered: AnswerSlot? = nil, source: String? = nil) {
        self.call = call
        self.sipCallID = sipCallID
        self.from = from
        self.to = to
        self.remoteMedia = remoteMedia
        self.replaces = replaces
        self.referredBy = referredBy
        self.answered = answered
        self.source = source
    }

    public init(from r: WireReader) throws(WireError) {
        call = try r("call")
        sipCallID = try r("sip_call_id")
        from = try r("from")
        to = try r("to")
        remoteMedia = try r.optional("remote_media")
        replaces = try r.optional("replaces")
        referredBy = try r.optional("referred_by")
        answered = try r.optional("answered")
        source = try r.optional("source")
    }

    public func write(to w: inout WireWriter) {
        w("call", call)
        w("sip_call_id", sipCallID)
        w("from", from)
        w("to", to)
        w("remote_media", remoteMedia)
        w("replaces", replaces)
        w("referred_by", referredBy)
        w("answered", answered)
        w("source", source)
    }
}

/// `call.state`: a call changed state. Also what `call.describe` answers (then without `code`, `reason`, `normal`).
public struct CallStateEvent: WireEvent, Hashable {
    public static let type = "call.state"
    public var call: CallID
    public var state: CallState
    public var direction: CallDirection
    public var remote: String?
    public var local: String?
    public var sipCallID: String?
    /// The SIP status that caused the change (a provisional, the 2xx, the failure), when one did.
    public var code: Int?
    public var reason: String?
    /// With `terminated`: false for failures.
    public var normal: Bool?
    public var codec: CodecName?
    public var remoteMedia: RemoteMedia?
    /// sig's snapshot of a call it could hand over (answered, or outgoing and being set up).
    public var signaling: SignalingSnapshot?
    public var source: String?

    public init(call: CallID, state: CallState, direction: CallDirection, remote: String? = nil, local: String? = nil,
                sipCallID: String? = nil, code: Int? = nil, reason: String? = nil, normal: Bool? = nil, codec: CodecName? = nil,
                remoteMedia: RemoteMedia? = nil, signaling: SignalingSnapshot? = nil, source: String? = nil) {
        self.call = call
        self.state = state
        self.direction = direction
        self.remote = remote
        self.local = local
        self.sipCallID = sipCallID
        self.code = code
        self.reason = reason
        self.normal = normal
        self.codec = codec
        self.remoteMedia = remoteMedia
        self.signaling = signaling
        self.source = source
    }

    public init(from r: WireReader) throws(WireError) {
        call = try r("call")
        state = try r("state")
        direction = try r("direction")
        remote = try r.optional("remote")
        local = try r.optional("local")
        sipCallID = try r.optional("sip_call_id")
        code = try r.optional("code")
        reason = try r.optional("reason")
        normal = try r.optional("normal")
        codec = try r.optional("codec")
        remoteMedia = try r.optional("remote_media")
        signaling = try r.optional("signaling")
        source = try r.optional("source")
    }

    public func write(to w: inout WireWriter) {
        w("call", call)
        w("state", state)
        w("direction", direction)
        w("remote", remote)
        w("local", local)
        w("sip_call_id", sipCallID)
        w("code", code)
        w("reason", reason)
        w("normal", normal)
        w("codec", codec)
        w("remote_media", remoteMedia)
        w("signaling", signaling)
        w("source", source)
    }
}

/// `call.transfer`: progress of a transfer we asked for (`call.transfer`): 202 when the peer accepted the REFER, then
/// the status of the peer's new call from its NOTIFYs; `final` with `success`.
public struct CallTransferEvent: WireEvent, Hashable {
    public static let type = "call.transfer"
    public var call: CallID
    public var code: Int
    public var reason: String
    public var final: Bool
    public var success: Bool?
    public var source: String?

    public init(call: CallID, code: Int, reason: String, final: Bool, success: Bool? = nil, source: String? = nil) {
        self.call = call
        self.code = code
        self.reason = reason
        self.final = final
        self.success = success
        self.source = source
    }

    public init(from r: WireReader) throws(WireError) {
        call = try r("call")
        code = try r("code")
        reason = try r("reason")
        final = try r("final")
        success = try r.optional("success")
        source = try r.optional("source")
    }

    public func write(to w: inout WireWriter) {
        w("call", call)
        w("code", code)
        w("reason", reason)
        w("final", final)
        w("success", success)
        w("source", source)
    }
}

/// `call.referred`: the peer of `call` sent REFER (we answered 202); orch places the call to `target`.
public struct CallReferredEvent: WireEvent, Hashable {
    public static let type = "call.referred"
    public var call: CallID
    public var target: String
    /// The Replaces value of the Refer-To URI (attended transfer), unescaped.
    public var replaces: String?
    public var referredBy: String?
    public var source: String?

    public init(call: CallID, target: String, replaces: String? = nil, referredBy: String? = nil, source: String? = nil) {
        self.call = call
        self.target = target
        self.replaces = replaces
        self.referredBy = referredBy
        self.source = source
    }

    public init(from r: WireReader) throws(WireError) {
        call = try r("call")
        target = try r("target")
        replaces = try r.optional("replaces")
        referredBy = try r.optional("referred_by")
        source = try r.optional("source")
    }

    public func write(to w: inout WireWriter) {
        w("call", call)
        w("target", target)
        w("replaces", replaces)
        w("referred_by", referredBy)
        w("source", source)
    }
}

/// An account's registration state on the bus. A struct: later versions may add states.
public struct RegistrationState: RawRepresentable, Sendable, Hashable, CustomStringConvertible, WireString {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let registering = RegistrationState(rawValue: "registering")
    public static let registered = RegistrationState(rawValue: "registered")
    public static let failed = RegistrationState(rawValue: "failed")
    public static let unregistering = RegistrationState(rawValue: "unregistering")
    public static let unregistered = RegistrationState(rawValue: "unregistered")
}

/// `registration.state`: an account's registration changed.
public struct RegistrationStateEvent: WireEvent, Hashable {
    public static let type = "registration.state"
    public var aor: String
    public var state: RegistrationState
    /// The registrar's status, and the reason of a failure (or of an unregistration that did not get a 2xx).
    public var code: Int?
    public var reason: String?
    /// Seconds the binding lasts (`registered`).
    public var expires: Int?
    /// Seconds until the next attempt (`failed`).
    public var retryInS: Int?
    public var source: String?

    public init(aor: String, state: RegistrationState, code: Int? = nil, reason: String? = nil, expires: Int? = nil,
                retryInS: Int? = nil, source: String? = nil) {
        self.aor = aor
        self.state = state
        self.code = code
        self.reason = reason
        self.expires = expires
        self.retryInS = retryInS
        self.source = source
    }

    public init(from r: WireReader) throws(WireError) {
        aor = try r("aor")
        state = try r("state")
        code = try r.optional("code")
        reason = try r.optional("reason")
        expires = try r.optional("expires")
        retryInS = try r.optional("retry_in_s")
        source = try r.optional("source")
    }

    public func write(to w: inout WireWriter) {
        w("aor", aor)
        w("state", state)
        w("code", code)
        w("reason", reason)
        w("expires", expires)
        w("retry_in_s", retryInS)
        w("source", source)
    }
}
