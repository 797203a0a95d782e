/// Events orch publishes about calls (docs/PROTOCOL.md §5): transfers it followed, replaced calls, quality and its
/// reactions, media it moved or lost, and the local conference.
public enum OrchCallEvents {
    public static let all: [any WireEvent.Type] = [
        CallTransferredEvent.self, CallReplacedEvent.self, CallQualityDegradedEvent.self, CallCodecFallbackEvent.self,
        CallWarningEvent.self, CallMediaMovedEvent.self, CallMediaLostEvent.self, CallQualityEvent.self, CallConferenceEvent.self,
    ]
}

/// `call.transferred`: the call orch placed for a peer's REFER on `call`.
public struct CallTransferredEvent: WireEvent, Hashable {
    public static let type = "call.transferred"
    public var call: CallID
    public var newCall: CallID
    public var target: String
    public var attended: Bool

    public init(call: CallID, newCall: CallID, target: String, attended: Bool) {
        self.call = call
        self.newCall = newCall
        self.target = target
        self.attended = attended
    }

    public init(from r: WireReader) throws(WireError) {
        call = try r("call")
        newCall = try r("new_call")
        target = try r("target")
        attended = try r("attended")
    }

    public func write(to w: inout WireWriter) {
        w("call", call)
        w("new_call", newCall)
        w("target", target)
        w("attended", attended)
    }
}

/// `call.replaced`: an INVITE with Replaces (RFC 3891) took the place of `call`.
public struct CallReplacedEvent: WireEvent, Hashable {
    public static let type = "call.replaced"
    public var call: CallID
    public var newCall: CallID

    public init(call: CallID, newCall: CallID) {
        self.call = call
        self.newCall = newCall
    }

    public init(from r: WireReader) throws(WireError) {
        call = try r("call")
        newCall = try r("new_call")
    }

    public func write(to w: inout WireWriter) {
        w("call", call)
        w("new_call", newCall)
    }
}

/// `call.quality.degraded`: `seconds` seconds in a row of loss at or above `calls.fallback_loss_pct`.
public struct CallQualityDegradedEvent: WireEvent, Hashable {
    public static let type = "call.quality.degraded"
    public var call: CallID
    public var lossPct: Double
    public var seconds: Int
    public var codec: String
    public var message: String

    public init(call: CallID, lossPct: Double, seconds: Int, codec: String, message: String) {
        self.call = call
        self.lossPct = lossPct
        self.seconds = seconds
        self.codec = codec
        self.message = message
    }

    public init(from r: WireReader) throws(WireError) {
        call = try r("call")
        lossPct = try r("loss_pct")
        seconds = try r("seconds")
        codec = try r("codec")
        message = try r("message")
    }

    public func write(to w: inout WireWriter) {
        w("call", call)
        w("loss_pct", lossPct)
        w("seconds", seconds)
        w("codec", codec)
        w("message", message)
    }
}

/// `call.codec.fallback`: the call was re-offered the next codec of `calls.codec_fallback`; `accepted` false keeps
/// the old one (`message` says why).
public struct CallCodecFallbackEvent: WireEvent, Hashable {
    public static let type = "call.codec.fallback"
    public var call: CallID
    public var from: String
    public var to: String
    public var accepted: Bool
    public var message: String?

    public init(call: CallID, from: String, to: String, accepted: Bool, message: String? = nil) {
        self.call = call
        self.from = from
        self.to = to
        self.accepted = accepted
        self.message = message
    }

    public init(from r: WireReader) throws(WireError) {
        call = try r("call")
        from = try r("from")
        to = try r("to")
        accepted = try r("accepted")
        message = try r.optional("message")
    }

    public func write(to w: inout WireWriter) {
        w("call", call)
        w("from", from)
        w("to", to)
        w("accepted", accepted)
        w("message", message)
    }
}

/// `call.warning`: something about a call the operator should fix (a hold music file that cannot be used).
public struct CallWarningEvent: WireEvent, Hashable {
    public static let type = "call.warning"
    public var call: CallID
    public var message: String

    public init(call: CallID, message: String) {
        self.call = call
        self.message = message
    }

    public init(from r: WireReader) throws(WireError) {
        call = try r("call")
        message = try r("message")
    }

    public func write(to w: inout WireWriter) {
        w("call", call)
        w("message", message)
    }
}

/// Where a call's media went after its worker failed: the worker now carrying it (or that could not), and its new port.
public struct MediaRelocation: WireObject, Hashable {
    public var call: CallID
    public var worker: String
    public var port: UInt16?
    public var message: String

    public init(call: CallID, worker: String, port: UInt16? = nil, message: String) {
        self.call = call
        self.worker = worker
        self.port = port
        self.message = message
    }

    public init(from r: WireReader) throws(WireError) {
        call = try r("call")
        worker = try r("worker")
        port = try r.optional("port")
        message = try r("message")
    }

    public func write(to w: inout WireWriter) {
        w("call", call)
        w("worker", worker)
        w("port", port)
        w("message", message)
    }
}

/// `call.media.moved`: a restarted or lost worker's call went on on another port or worker (the peer is re-INVITEd).
public struct CallMediaMovedEvent: WireEvent, Hashable {
    public static let type = "call.media.moved"
    public var relocation: MediaRelocation
    public init(_ relocation: MediaRelocation) { self.relocation = relocation }
    public init(from r: WireReader) throws(WireError) { relocation = try MediaRelocation(from: r) }
    public func write(to w: inout WireWriter) { relocation.write(to: &w) }
}

/// `call.media.lost`: a call's media could not be taken back after its worker failed.
public struct CallMediaLostEvent: WireEvent, Hashable {
    public static let type = "call.media.lost"
    public var relocation: MediaRelocation
    public init(_ relocation: MediaRelocation) { self.relocation = relocation }
    public init(from r: WireReader) throws(WireError) { relocation = try MediaRelocation(from: r) }
    public func write(to w: inout WireWriter) { relocation.write(to: &w) }
}

/// `call.quality`: the call's quality report, published by orch when its media ended (the worker's `media.stopped`
/// figures, with the call's length and peer). Figures the worker did not report are absent.
public struct CallQualityEvent: WireEvent, Hashable {
    public static let type = "call.quality"
    public var call: CallID
    public var mos: Double?
    public var rFactor: Double?
    public var jitterMs: Double?
    public var lossPct: Double?
    public var packetsSent: Int?
    public var packetsReceived: Int?
    public var packetsLost: Int?
    public var rttMs: Double?
    public var concealedMs: Double?
    public var codec: String?
    public var remoteLossPct: Double?
    public var remoteJitterMs: Double?
    public var durationS: Double?
    public var remote: String?

    public init(call: CallID, mos: Double? = nil, rFactor: Double? = nil, jitterMs: Double? = nil, lossPct: Double? = nil,
                packetsSent: Int? = nil, packetsReceived: Int? = nil, packetsLost: Int? = nil, rttMs: Double? = nil,
                concealedMs: Double? = nil, codec: String? = nil, remoteLossPct: Double? = nil, remoteJitterMs: Double? = nil,
                durationS: Double? = nil, remote: String? = nil) {
        self.call = call
        self.mos = mos
        self.rFactor = rFactor
        self.jitterMs = jitterMs
        self.lossPct = lossPct
        self.packetsSent = packetsSent
        self.packetsReceived = packetsReceived
        self.packetsLost = packetsLost
        self.rttMs = rttMs
        self.concealedMs = concealedMs
        self.codec = codec
        self.remoteLossPct = remoteLossPct
        self.remoteJitterMs = remoteJitterMs
        self.durationS = durationS
        self.remote = remote
    }

    public init(from r: WireReader) throws(WireError) {
        call = try r("call")
        mos = try r.optional("mos")
        rFactor = try r.optional("r_factor")
        jitterMs = try r.optional("jitter_ms")
        lossPct = try r.optional("loss_pct")
        packetsSent = try r.optional("packets_sent")
        packetsReceived = try r.optional("packets_received")
        packetsLost = try r.optional("packets_lost")
        rttMs = try r.optional("rtt_ms")
        concealedMs = try r.optional("concealed_ms")
        codec = try r.optional("codec")
        remoteLossPct = try r.optional("remote_loss_pct")
        remoteJitterMs = try r.optional("remote_jitter_ms")
        durationS = try r.optional("duration_s")
        remote = try r.optional("remote")
    }

    public func write(to w: inout WireWriter) {
        w("call", call)
        w("mos", mos)
        w("r_factor", rFactor)
        w("jitter_ms", jitterMs)
        w("loss_pct", lossPct)
        w("packets_sent", packetsSent)
        w("packets_received", packetsReceived)
        w("packets_lost", packetsLost)
        w("rtt_ms", rttMs)
        w("concealed_ms", concealedMs)
        w("codec", codec)
        w("remote_loss_pct", remoteLossPct)
        w("remote_jitter_ms", remoteJitterMs)
        w("duration_s", durationS)
        w("remote", remote)
    }
}

/// `call.conference`: the local conference's members changed (`[]`: it ended); `left` is the call that ended.
public struct CallConferenceEvent: WireEvent, Hashable {
    public static let type = "call.conference"
    public var calls: [CallID]
    public var left: CallID?

    public init(calls: [CallID], left: CallID? = nil) {
        self.calls = calls
        self.left = left
    }

    public init(from r: WireReader) throws(WireError) {
        calls = try r("calls")
        left = try r.optional("left")
    }

    public func write(to w: inout WireWriter) {
        w("calls", calls)
        w("left", left)
    }
}
