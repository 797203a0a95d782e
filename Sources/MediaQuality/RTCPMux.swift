/// Demultiplexing RTP and RTCP on one port (rtcp-mux, RFC 5761 §4).
///
/// Why only the second byte: with both on one 5-tuple, RTCP packet types
/// 192–223 occupy the RTP marker+payload-type octet values that RFC 5761
/// forbids for RTP payload types (64–95 with the marker bit set), so that
/// octet alone tells them apart. Anything that is not version 2 (STUN,
/// DTLS, junk) is `.other`.
public enum RTCPMux {
    public enum Kind: Sendable, Equatable {
        case rtp
        case rtcp
        case other
    }

    /// RTCP packet types reserved against RTP payload types (RFC 5761 §4).
    public static let rtcpPacketTypes: ClosedRange<UInt8> = 192...223

    /// Classifies a datagram from its first bytes (at least 2 are needed;
    /// fewer give `.other`).
    public static func classify(_ firstBytes: some Collection<UInt8>) -> Kind {
        var iterator = firstBytes.makeIterator()
        guard let first = iterator.next(), let second = iterator.next() else { return .other }
        guard first >> 6 == 2 else { return .other }
        return rtcpPacketTypes.contains(second) ? .rtcp : .rtp
    }

    /// True when `firstBytes` start an RTCP packet (version 2, packet type 192–223).
    public static func isRTCP(_ firstBytes: some Collection<UInt8>) -> Bool {
        classify(firstBytes) == .rtcp
    }
}
