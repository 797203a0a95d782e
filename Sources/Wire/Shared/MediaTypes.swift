/// Which way a call goes, seen from this instance.
public enum CallDirection: String, Sendable, Hashable, CaseIterable, WireString {
    case incoming, outgoing
    public static var known: [CallDirection] { allCases }
}

/// An RTP stream's direction as RFC 3264 names it, always seen from our side (what our media worker does: the peer's
/// `recvonly` is our `sendonly`).
public enum RTPDirection: String, Sendable, Hashable, CaseIterable, WireString {
    case sendrecv, sendonly, recvonly, inactive
    public static var known: [RTPDirection] { allCases }

    public init(sends: Bool, receives: Bool) {
        switch (sends, receives) {
        case (true, true): self = .sendrecv
        case (true, false): self = .sendonly
        case (false, true): self = .recvonly
        case (false, false): self = .inactive
        }
    }

    public var sends: Bool { self == .sendrecv || self == .sendonly }
    public var receives: Bool { self == .sendrecv || self == .recvonly }
}

/// A codec's encoding name as SDP writes it (`PCMU`, `PCMA`; later `opus`, `G722`). A struct: new codecs are not a
/// protocol change, and a receiver that does not know one says so itself.
public struct CodecName: RawRepresentable, Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral, WireString {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public var description: String { rawValue }

    public static let pcmu = CodecName("PCMU")
    public static let pcma = CodecName("PCMA")
}

/// A call's state on the bus (docs/PROTOCOL.md §5, `call.state`). A struct: later versions may add states.
public struct CallState: RawRepresentable, Sendable, Hashable, CustomStringConvertible, WireString {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let dialing = CallState(rawValue: "dialing")
    public static let ringing = CallState(rawValue: "ringing")
    public static let early = CallState(rawValue: "early")
    public static let incoming = CallState(rawValue: "incoming")
    public static let connected = CallState(rawValue: "connected")
    /// We hold it (our offer was sendonly or inactive; also when both sides hold).
    public static let held = CallState(rawValue: "held")
    /// The peer holds it (its offer or answer was sendonly or inactive).
    public static let remoteHeld = CallState(rawValue: "remote-held")
    public static let terminated = CallState(rawValue: "terminated")

    /// Answered and not ended.
    public var isAnswered: Bool { self == .connected || self == .held || self == .remoteHeld }
}

/// An address and port for media (`{"address","port"}`): where a worker's port pair is, or where the peer wants RTP.
public struct MediaEndpoint: WireObject, Hashable {
    public var address: String
    public var port: UInt16

    public init(address: String, port: UInt16) {
        self.address = address
        self.port = port
    }

    public init(from r: WireReader) throws(WireError) {
        address = try r("address")
        port = try r("port")
    }

    public func write(to w: inout WireWriter) {
        w("address", address)
        w("port", port)
    }
}

/// The negotiated media of a call (`remote_media` in `call.state`, `remote` in `media.start`): where the peer wants our
/// RTP, the codec and payload type, and `direction` as seen from our side.
public struct RemoteMedia: WireObject, Hashable {
    public var address: String
    public var port: UInt16
    public var codec: CodecName
    /// The payload type of `codec` (-1 when the peer's SDP named a format that is not a number).
    public var payloadType: Int
    public var direction: RTPDirection
    public var telephoneEvent: Int?
    /// Milliseconds of audio per packet (media.start; 20 when absent).
    public var ptime: Int?
    /// The peer's RTCP port when not `port + 1` (a=rtcp), and whether RTCP is multiplexed on the RTP port.
    public var rtcpPort: UInt16?
    public var rtcpMux: Bool?

    public init(address: String, port: UInt16, codec: CodecName, payloadType: Int, direction: RTPDirection,
                telephoneEvent: Int? = nil, ptime: Int? = nil, rtcpPort: UInt16? = nil, rtcpMux: Bool? = nil) {
        self.address = address
        self.port = port
        self.codec = codec
        self.payloadType = payloadType
        self.direction = direction
        self.telephoneEvent = telephoneEvent
        self.ptime = ptime
        self.rtcpPort = rtcpPort
        self.rtcpMux = rtcpMux
    }

    public init(from r: WireReader) throws(WireError) {
        address = try r("address")
        port = try r("port")
        codec = try r("codec")
        payloadType = try r("payload_type")
        direction = try r("direction")
        telephoneEvent = try r.optional("telephone_event")
        ptime = try r.optional("ptime")
        rtcpPort = try r.optional("rtcp_port")
        rtcpMux = try r.optional("rtcp_mux")
    }

    public func write(to w: inout WireWriter) {
        w("address", address)
        w("port", port)
        w("codec", codec)
        w("payload_type", payloadType)
        w("direction", direction)
        w("telephone_event", telephoneEvent)
        w("ptime", ptime)
        w("rtcp_port", rtcpPort)
        w("rtcp_mux", rtcpMux)
    }

    public var endpoint: MediaEndpoint { MediaEndpoint(address: address, port: port) }
}

/// Where an RTP stream we send stood (`rtp_state`): a new worker continues it with the same SSRC, and sequence and
/// timestamp advanced by the 20 ms packets since `atNanoseconds` (the host's monotonic clock), so the peer sees loss,
/// not a new stream.
public struct RTPStreamState: WireObject, Hashable {
    public var ssrc: UInt32
    public var sequence: UInt16
    public var timestamp: UInt32
    public var atNanoseconds: UInt64

    public init(ssrc: UInt32, sequence: UInt16, timestamp: UInt32, atNanoseconds: UInt64) {
        self.ssrc = ssrc
        self.sequence = sequence
        self.timestamp = timestamp
        self.atNanoseconds = atNanoseconds
    }

    public init(from r: WireReader) throws(WireError) {
        ssrc = try r("ssrc")
        sequence = try r("seq")
        timestamp = try r("ts")
        atNanoseconds = try r("at_ns")
    }

    public func write(to w: inout WireWriter) {
        w("ssrc", ssrc)
        w("seq", sequence)
        w("ts", timestamp)
        w("at_ns", atNanoseconds)
    }
}
