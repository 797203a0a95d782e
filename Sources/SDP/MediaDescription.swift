/// One `m=` section with its media-level lines.
///
/// Attributes are stored as an ordered generic list (so unknown ones survive);
/// rtpmap/fmtp/ptime/direction/rtcp-mux are exposed as typed computed views.
public struct MediaDescription: Sendable, Hashable {
    /// Media type, e.g. "audio", "video" (kept as string: new types must not fail parsing).
    public var type: String
    public var port: UInt16
    /// Optional `/count` suffix on the port.
    public var portCount: Int?
    /// Transport protocol, e.g. "RTP/AVP".
    public var proto: String
    /// Format list; for RTP these are payload type numbers as strings.
    public var formats: [String]
    public var connection: Connection?
    public var attributes: [Attribute]
    /// Media-level i=, b=, k= and unknown lines, in original order.
    public var otherLines: [SDPLine]

    public init(type: String, port: UInt16, portCount: Int? = nil, proto: String = "RTP/AVP",
                formats: [String], connection: Connection? = nil,
                attributes: [Attribute] = [], otherLines: [SDPLine] = []) {
        self.type = type
        self.port = port
        self.portCount = portCount
        self.proto = proto
        self.formats = formats
        self.connection = connection
        self.attributes = attributes
        self.otherLines = otherLines
    }

    /// All well-formed rtpmap attributes. Malformed ones stay in `attributes` but are
    /// skipped here, so one bad line from a peer never breaks negotiation.
    public var rtpMaps: [RTPMap] {
        attributes.compactMap { $0.name == "rtpmap" ? $0.value.flatMap(RTPMap.init(attributeValue:)) : nil }
    }

    public func rtpMap(for payloadType: String) -> RTPMap? {
        guard let pt = UInt8(digits: payloadType) else { return nil }
        return rtpMaps.first { $0.payloadType == pt }
    }

    public var fmtps: [FMTP] {
        attributes.compactMap { $0.name == "fmtp" ? $0.value.flatMap(FMTP.init(attributeValue:)) : nil }
    }

    public func fmtp(for payloadType: String) -> FMTP? {
        fmtps.first { $0.format == payloadType }
    }

    /// `a=ptime` in milliseconds, nil when absent or malformed.
    public var ptime: Int? {
        attributes.first { $0.name == "ptime" }?.value.flatMap { Int(digits: $0) }
    }

    /// Explicit media-level direction; nil means "inherit" (see `effectiveDirection`).
    public var direction: MediaDirection? { MediaDirection.find(in: attributes) }

    /// RFC 5761 `a=rtcp-mux`.
    public var rtcpMux: Bool { attributes.contains { $0.name == "rtcp-mux" } }
}

/// `a=rtpmap:<pt> <encoding>/<clock>[/<channels>]`.
public struct RTPMap: Sendable, Hashable {
    public var payloadType: UInt8
    public var encoding: String
    public var clockRate: UInt32
    public var channels: UInt8?

    public init(payloadType: UInt8, encoding: String, clockRate: UInt32, channels: UInt8? = nil) {
        self.payloadType = payloadType
        self.encoding = encoding
        self.clockRate = clockRate
        self.channels = channels
    }

    /// Lenient parse; returns nil instead of throwing because rtpmap is advisory.
    public init?(attributeValue: String) {
        let parts = attributeValue.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, let pt = UInt8(digits: parts[0]), pt <= 127 else { return nil }
        let enc = parts[1].split(separator: "/", omittingEmptySubsequences: false)
        guard enc.count == 2 || enc.count == 3, !enc[0].isEmpty,
              let rate = UInt32(digits: enc[1]) else { return nil }
        var ch: UInt8?
        if enc.count == 3 {
            guard let c = UInt8(digits: enc[2]) else { return nil }
            ch = c
        }
        self.init(payloadType: pt, encoding: String(enc[0]), clockRate: rate, channels: ch)
    }

    public var attributeValue: String {
        "\(payloadType) \(encoding)/\(clockRate)" + (channels.map { "/\($0)" } ?? "")
    }

    public var attribute: Attribute { Attribute("rtpmap", attributeValue) }
}

/// `a=fmtp:<format> <parameters>`; parameters kept opaque (codec-specific).
public struct FMTP: Sendable, Hashable {
    public var format: String
    public var parameters: String

    public init(format: String, parameters: String) {
        self.format = format
        self.parameters = parameters
    }

    public init?(attributeValue: String) {
        let parts = attributeValue.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard let first = parts.first else { return nil }
        self.init(format: String(first), parameters: parts.count > 1 ? String(parts[1]) : "")
    }

    public var attribute: Attribute { Attribute("fmtp", "\(format) \(parameters)") }
}

/// RFC 3264 direction attributes.
public enum MediaDirection: String, Sendable, Hashable, CaseIterable {
    case sendrecv, sendonly, recvonly, inactive

    public var sends: Bool { self == .sendrecv || self == .sendonly }
    public var receives: Bool { self == .sendrecv || self == .recvonly }

    public init(sends: Bool, receives: Bool) {
        switch (sends, receives) {
        case (true, true): self = .sendrecv
        case (true, false): self = .sendonly
        case (false, true): self = .recvonly
        case (false, false): self = .inactive
        }
    }

    /// RFC 3264 §6.1: the answer may only send what the offerer receives and receive
    /// what it sends, further limited by what the local side wants.
    public func answer(local: MediaDirection) -> MediaDirection {
        MediaDirection(sends: receives && local.sends, receives: sends && local.receives)
    }

    public var attribute: Attribute { Attribute(rawValue) }

    /// Last direction attribute wins if a peer sends several (defensive, not RFC-mandated).
    static func find(in attributes: [Attribute]) -> MediaDirection? {
        attributes.last { $0.value == nil && MediaDirection(rawValue: $0.name) != nil }
            .flatMap { MediaDirection(rawValue: $0.name) }
    }
}

extension FixedWidthInteger {
    /// Strict decimal parse: ASCII digits only (no sign, no spaces), nil on overflow.
    init?<S: StringProtocol>(digits text: S) {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let v = Self(text, radix: 10) else { return nil }
        self = v
    }
}
