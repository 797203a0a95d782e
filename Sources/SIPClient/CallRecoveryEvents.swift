import Wire

/// A call has lost at least `calls.fallback_loss_pct` of its packets for `seconds` seconds in a row
/// (`call.quality.degraded`); `message` says what to check.
public struct CallQualityDegradedEvent: Sendable, Equatable {
    public var callID: String
    public var lossPercent: Double
    public var seconds: Int
    public var codec: String?
    public var message: String

    public init(callID: String, lossPercent: Double, seconds: Int, codec: String?, message: String) {
        self.callID = callID
        self.lossPercent = lossPercent
        self.seconds = seconds
        self.codec = codec
        self.message = message
    }

    init(_ data: [String: JSONValue]) {
        callID = data.string("call") ?? ""
        lossPercent = data.double("loss_pct") ?? 0
        seconds = data.int("seconds") ?? 0
        codec = data.string("codec")
        message = data.string("message") ?? ""
    }
}

/// A call was re-offered the next codec of `calls.codec_fallback` (`call.codec.fallback`); when the peer refused
/// (`accepted` false) the call keeps its codec.
public struct CodecFallbackEvent: Sendable, Equatable {
    public var callID: String
    public var from: String
    public var to: String
    public var accepted: Bool
    public var message: String?

    public init(callID: String, from: String, to: String, accepted: Bool, message: String?) {
        self.callID = callID
        self.from = from
        self.to = to
        self.accepted = accepted
        self.message = message
    }

    init(_ data: [String: JSONValue]) {
        callID = data.string("call") ?? ""
        from = data.string("from") ?? ""
        to = data.string("to") ?? ""
        accepted = data.bool("accepted") ?? false
        message = data.string("message")
    }
}

/// A media worker failed during a call: the call went on on `worker` (`call.media.moved`, `port` its new local
/// port; the peer was re-INVITEd), or could not be taken back (`call.media.lost`).
public struct MediaRelocationEvent: Sendable, Equatable {
    public var callID: String
    public var worker: String
    public var port: Int?
    public var message: String

    public init(callID: String, worker: String, port: Int?, message: String) {
        self.callID = callID
        self.worker = worker
        self.port = port
        self.message = message
    }

    init(_ data: [String: JSONValue]) {
        callID = data.string("call") ?? ""
        worker = data.string("worker") ?? ""
        port = data.int("port")
        message = data.string("message") ?? ""
    }
}
