/// Event types more than one component publishes.
public enum SharedEvents {
    public static let all: [any WireEvent.Type] = [DTMFReceivedEvent.self]
}

/// `dtmf.received`: a digit arrived, as RFC 4733 (from the media worker) or SIP INFO (from sig).
public struct DTMFReceivedEvent: WireEvent, Hashable {
    public static let type = "dtmf.received"

    public struct Method: RawRepresentable, Sendable, Hashable, WireString {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let rfc4733 = Method(rawValue: "rfc4733")
        public static let info = Method(rawValue: "info")
    }

    public var call: CallID
    public var digit: String
    public var method: Method
    public var durationMs: Int?
    /// The component that published it (added by orch when republishing).
    public var source: String?

    public init(call: CallID, digit: String, method: Method, durationMs: Int? = nil, source: String? = nil) {
        self.call = call
        self.digit = digit
        self.method = method
        self.durationMs = durationMs
        self.source = source
    }

    public init(from r: WireReader) throws(WireError) {
        call = try r("call")
        digit = try r("digit")
        method = try r("method")
        durationMs = try r.optional("duration_ms")
        source = try r.optional("source")
    }

    public func write(to w: inout WireWriter) {
        w("call", call)
        w("digit", digit)
        w("method", method)
        w("duration_ms", durationMs)
        w("source", source)
    }
}
