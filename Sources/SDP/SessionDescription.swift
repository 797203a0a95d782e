/// Session-level model of an SDP body (RFC 4566).
///
/// Fields the softphone needs are typed; everything else (i=, u=, e=, b=, r=, z=, k=,
/// unknown attributes) is preserved verbatim so that a parse/serialize cycle never
/// silently drops information a peer sent.
public struct SessionDescription: Sendable, Hashable {
    /// `v=` — only version 0 exists; kept so the model mirrors the wire format.
    public var version: Int
    public var origin: Origin
    /// `s=` — stored raw (RFC 4566 allows a single space when there is no name).
    public var sessionName: String
    /// Session-level `c=`; media-level `c=` overrides it.
    public var connection: Connection?
    public var timing: Timing
    public var attributes: [Attribute]
    public var media: [MediaDescription]
    /// Session-level lines the model does not interpret, in original order.
    public var otherLines: [SDPLine]

    public init(
        version: Int = 0,
        origin: Origin,
        sessionName: String = "-",
        connection: Connection? = nil,
        timing: Timing = Timing(start: 0, stop: 0),
        attributes: [Attribute] = [],
        media: [MediaDescription] = [],
        otherLines: [SDPLine] = []
    ) {
        self.version = version
        self.origin = origin
        self.sessionName = sessionName
        self.connection = connection
        self.timing = timing
        self.attributes = attributes
        self.media = media
        self.otherLines = otherLines
    }

    /// Session-level direction attribute, if any (applies to media lacking their own).
    public var direction: MediaDirection? { MediaDirection.find(in: attributes) }

    /// The connection that applies to a media section: its own `c=` or the session one.
    public func effectiveConnection(for media: MediaDescription) -> Connection? {
        media.connection ?? connection
    }

    /// The direction in force for a media section (RFC 3264 §5.1: default sendrecv).
    public func effectiveDirection(for media: MediaDescription) -> MediaDirection {
        media.direction ?? direction ?? .sendrecv
    }
}

/// `o=` line. Session id/version are numeric per RFC 4566; they are `UInt64` so the
/// version can be incremented on re-offers without string juggling.
public struct Origin: Sendable, Hashable {
    public var username: String
    public var sessionID: UInt64
    public var sessionVersion: UInt64
    public var networkType: String
    public var addressType: String
    public var address: String

    public init(username: String = "-", sessionID: UInt64, sessionVersion: UInt64,
                networkType: String = "IN", addressType: String = "IP4", address: String) {
        self.username = username
        self.sessionID = sessionID
        self.sessionVersion = sessionVersion
        self.networkType = networkType
        self.addressType = addressType
        self.address = address
    }
}

/// `c=` line. The address is kept as written (may carry `/ttl` for multicast).
public struct Connection: Sendable, Hashable {
    public var networkType: String
    public var addressType: String
    public var address: String

    public init(networkType: String = "IN", addressType: String = "IP4", address: String) {
        self.networkType = networkType
        self.addressType = addressType
        self.address = address
    }

    /// Convenience: picks IP6 when the address contains a colon.
    public init(address: String) {
        self.init(addressType: address.contains(":") ? "IP6" : "IP4", address: address)
    }

    /// RFC 3264 §8.4 legacy hold uses 0.0.0.0; callers may want to detect it.
    public var isNullAddress: Bool { address == "0.0.0.0" || address == "::" }
}

/// `t=` line (NTP seconds; 0 0 means unbounded, the norm for SIP).
public struct Timing: Sendable, Hashable {
    public var start: UInt64
    public var stop: UInt64
    public init(start: UInt64, stop: UInt64) {
        self.start = start
        self.stop = stop
    }
}

/// `a=` line: property (`a=name`) or value (`a=name:value`) attribute.
/// Kept generic so unknown attributes round-trip; typed views live in accessors.
public struct Attribute: Sendable, Hashable {
    public var name: String
    public var value: String?
    public init(_ name: String, _ value: String? = nil) {
        self.name = name
        self.value = value
    }
}

/// Any uninterpreted `x=value` line, kept verbatim for round-tripping.
public struct SDPLine: Sendable, Hashable {
    public var type: Character
    public var value: String
    public init(type: Character, value: String) {
        self.type = type
        self.value = value
    }
}
