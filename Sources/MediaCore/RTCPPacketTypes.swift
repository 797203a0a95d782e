/// RTCP packet type codes (RFC 3550 §12.1).
public enum RTCPPacketType {
    public static let senderReport: UInt8 = 200
    public static let receiverReport: UInt8 = 201
    public static let sourceDescription: UInt8 = 202
    public static let bye: UInt8 = 203
    public static let app: UInt8 = 204
}

/// One reception report block (RFC 3550 §6.4.1), 24 bytes on the wire.
public struct RTCPReportBlock: Sendable, Hashable {
    public var ssrc: UInt32
    /// Fraction of packets lost since the previous report, as n/256.
    public var fractionLost: UInt8
    /// Cumulative packets lost, a 24-bit signed value on the wire
    /// (duplicates can make it negative). Clamped to -0x800000...0x7FFFFF
    /// when written.
    public var cumulativeLost: Int32
    public var extendedHighestSequence: UInt32
    /// Interarrival jitter in RTP timestamp units.
    public var jitter: UInt32
    /// Middle 32 bits of the last SR's NTP timestamp from this source, 0 if none.
    public var lastSenderReport: UInt32
    /// Delay since that SR was received, in 1/65536 s.
    public var delaySinceLastSenderReport: UInt32

    public static let size = 24
    public static let maxCumulativeLost: Int32 = 0x7F_FFFF
    public static let minCumulativeLost: Int32 = -0x80_0000

    public init(
        ssrc: UInt32, fractionLost: UInt8 = 0, cumulativeLost: Int32 = 0, extendedHighestSequence: UInt32 = 0,
        jitter: UInt32 = 0, lastSenderReport: UInt32 = 0, delaySinceLastSenderReport: UInt32 = 0
    ) {
        self.ssrc = ssrc
        self.fractionLost = fractionLost
        self.cumulativeLost = cumulativeLost
        self.extendedHighestSequence = extendedHighestSequence
        self.jitter = jitter
        self.lastSenderReport = lastSenderReport
        self.delaySinceLastSenderReport = delaySinceLastSenderReport
    }
}

/// Sender report (PT 200).
public struct RTCPSenderReport: Sendable, Hashable {
    public var ssrc: UInt32
    public var ntpTimestamp: NTPTimestamp
    public var rtpTimestamp: UInt32
    public var packetCount: UInt32
    public var octetCount: UInt32
    /// At most 31 blocks fit in one packet (5-bit RC field).
    public var reports: [RTCPReportBlock]

    public init(
        ssrc: UInt32, ntpTimestamp: NTPTimestamp, rtpTimestamp: UInt32, packetCount: UInt32,
        octetCount: UInt32, reports: [RTCPReportBlock] = []
    ) {
        self.ssrc = ssrc
        self.ntpTimestamp = ntpTimestamp
        self.rtpTimestamp = rtpTimestamp
        self.packetCount = packetCount
        self.octetCount = octetCount
        self.reports = reports
    }
}

/// Receiver report (PT 201).
public struct RTCPReceiverReport: Sendable, Hashable {
    public var ssrc: UInt32
    public var reports: [RTCPReportBlock]

    public init(ssrc: UInt32, reports: [RTCPReportBlock] = []) {
        self.ssrc = ssrc
        self.reports = reports
    }
}

/// SDES item type (RFC 3550 §6.5). A struct so unknown types survive a round trip.
public struct RTCPSDESItemType: RawRepresentable, Sendable, Hashable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let cname = Self(rawValue: 1)
    public static let name = Self(rawValue: 2)
    public static let email = Self(rawValue: 3)
    public static let phone = Self(rawValue: 4)
    public static let location = Self(rawValue: 5)
    public static let tool = Self(rawValue: 6)
    public static let note = Self(rawValue: 7)
    public static let priv = Self(rawValue: 8)
}

/// One SDES item. The value is kept as raw bytes (the RFC says UTF-8 but
/// peers send anything); `text` decodes leniently.
public struct RTCPSDESItem: Sendable, Hashable {
    public var type: RTCPSDESItemType
    /// At most 255 bytes.
    public var value: [UInt8]

    public init(type: RTCPSDESItemType, value: [UInt8]) {
        self.type = type
        self.value = value
    }

    public init(type: RTCPSDESItemType, text: String) {
        self.init(type: type, value: Array(text.utf8))
    }

    public var text: String { String(decoding: value, as: UTF8.self) }
}

/// SDES chunk: the items describing one SSRC/CSRC.
public struct RTCPSDESChunk: Sendable, Hashable {
    public var source: UInt32
    public var items: [RTCPSDESItem]

    public init(source: UInt32, items: [RTCPSDESItem]) {
        self.source = source
        self.items = items
    }

    /// The CNAME item's text, if present.
    public var cname: String? { items.first { $0.type == .cname }?.text }
}

/// Source description (PT 202).
public struct RTCPSourceDescription: Sendable, Hashable {
    public var chunks: [RTCPSDESChunk]
    public init(chunks: [RTCPSDESChunk]) { self.chunks = chunks }
}

/// Goodbye (PT 203).
public struct RTCPBye: Sendable, Hashable {
    public var sources: [UInt32]
    /// Optional reason; at most 255 UTF-8 bytes when written.
    public var reason: String?

    public init(sources: [UInt32], reason: String? = nil) {
        self.sources = sources
        self.reason = reason
    }
}

/// One packet of a compound RTCP datagram.
public enum RTCPPacket: Sendable, Hashable {
    case senderReport(RTCPSenderReport)
    case receiverReport(RTCPReceiverReport)
    case sourceDescription(RTCPSourceDescription)
    case bye(RTCPBye)
    /// APP (204) and types this module does not decode (e.g. RTPFB/PSFB/XR):
    /// skipped after length validation. `bodyRange` (after the 4-byte
    /// header, without padding) indexes the parsed buffer. Not serializable.
    case other(packetType: UInt8, count: UInt8, bodyRange: Range<Int>)
}
