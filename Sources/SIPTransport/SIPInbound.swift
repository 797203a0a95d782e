import SIPCore

/// What the transport hands up: a parsed message, or bytes that could not be parsed.
public enum SIPInbound: Sendable {
    /// A whole message, with the address it came from (for TCP, the connection's remote address, which is
    /// also where responses go back, §18.2.2) and the local address it arrived on.
    case message(SIPMessage, from: SIPTransportAddress, local: SIPTransportAddress)
    /// Input that failed to parse. `raw` is at most `limits.maxMessageSize` bytes; the receiver may answer a
    /// request with 400 (datagrams) — a stream with a framing error is closed by the transport.
    case malformed(raw: [UInt8], error: SIPParseError, from: SIPTransportAddress, local: SIPTransportAddress)
}

/// Counters of one transport layer (shown in `sip-sig` stats).
public struct SIPTransportCounters: Sendable, Equatable {
    public var messagesIn = 0
    public var messagesOut = 0
    public var malformed = 0
    public var keepAlives = 0
    public var connectionsAccepted = 0
    public var connectionsRefused = 0
    public var connectionsOpen = 0
    public var sendFailures = 0
    /// Messages dropped because the receiver fell behind (the inbound queue is bounded).
    public var inboundDropped = 0
    public init() {}
}
