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

    init(_ event: Wire.CallQualityDegradedEvent) {
        self.init(callID: event.call.rawValue, lossPercent: event.lossPct, seconds: event.seconds, codec: event.codec, message: event.message)
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

    init(_ event: CallCodecFallbackEvent) {
        self.init(callID: event.call.rawValue, from: event.from, to: event.to, accepted: event.accepted, message: event.message)
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

    init(_ relocation: MediaRelocation) {
        self.init(callID: relocation.call.rawValue, worker: relocation.worker, port: relocation.port.map(Int.init),
                  message: relocation.message)
    }
}
