import Wire

/// A call arrived (`call.incoming`). `call` is the object to answer or reject; the same object comes out of
/// `SIPClient.incomingCalls`.
public struct IncomingCallEvent: Sendable {
    /// The call, already followed: answer, reject or watch it.
    public var call: Call
    /// Who calls: the From URI.
    public var from: String
    /// Whom they called: the To URI (one of our addresses or accounts).
    public var to: String
    /// The SIP Call-ID, for matching with the peer's logs.
    public var sipCallID: String?
}

/// A call changed state (`call.state`).
public struct CallStateEvent: Sendable, Equatable {
    /// The call concerned.
    public var callID: String
    /// The state the call is now in.
    public var state: CallState
    /// Who placed the call.
    public var direction: CallDirection
    /// The peer's URI.
    public var remote: String?
    /// The SIP status behind the change (180, 200, 486, ...), when there was one.
    public var sipStatus: Int?
    /// Why the call ended (terminated only).
    public var reason: String?
    /// False when a terminated call failed rather than ended normally.
    public var isNormal: Bool?
    /// Negotiated codec, once the SDP settled.
    public var codec: String?

    init(callID: String, state: CallState, direction: CallDirection, remote: String? = nil, sipStatus: Int? = nil,
         reason: String? = nil, isNormal: Bool? = nil, codec: String? = nil) {
        self.callID = callID
        self.state = state
        self.direction = direction
        self.remote = remote
        self.sipStatus = sipStatus
        self.reason = reason
        self.isNormal = isNormal
        self.codec = codec
    }

    /// Nil for a state this version does not know.
    init?(_ event: Wire.CallStateEvent) {
        guard let state = CallState(wire: event.state.rawValue) else { return nil }
        self.init(callID: event.call.rawValue, state: state, direction: CallDirection(event.direction), remote: event.remote,
                  sipStatus: event.code, reason: event.reason, isNormal: event.normal, codec: event.codec?.rawValue)
    }
}

/// A digit arrived on a call (`dtmf.received`): one event per key press, by RFC 4733 or SIP INFO.
public struct DTMFEvent: Sendable, Equatable {
    /// The call concerned.
    public var callID: String
    /// `0`-`9`, `*`, `#` or `A`-`D`.
    public var digit: String
    /// How it came: `.rfc4733` (telephone-event RTP packets) or `.info` (a SIP INFO request).
    public var method: DTMFMethod

    init(_ event: DTMFReceivedEvent) {
        callID = event.call.rawValue
        digit = event.digit
        method = event.method == .info ? .info : .rfc4733
    }
}

/// How DTMF digits travel.
public enum DTMFMethod: String, Sendable, Hashable {
    /// RFC 4733 telephone events in the RTP stream (the default; needs telephone-event in the peer's SDP).
    case rfc4733
    /// SIP INFO requests with an `application/dtmf-relay` body (for peers without telephone-event).
    case info
}

/// How a transfer we asked for goes (`call.transfer`): the status of the peer's new call, as its NOTIFYs report it.
public struct TransferEvent: Sendable, Equatable {
    /// The call being transferred.
    public var callID: String
    /// A SIP status: 202 when the peer accepted the REFER, then 100/180 and a final one for its new call.
    public var code: Int
    public var reason: String
    /// Whether this is the last word: with `succeeded` true the transferred call ends by itself; false leaves it up.
    public var isFinal: Bool
    public var succeeded: Bool?

    init(_ event: CallTransferEvent) {
        callID = event.call.rawValue
        code = event.code
        reason = event.reason
        isFinal = event.final
        succeeded = event.success
    }
}
