/// Why an RTCP datagram was rejected (RFC 3550 §6 and the A.2 validity checks).
public enum RTCPParseError: Error, Sendable, Equatable {
    /// Empty datagram, or fewer than 4 bytes left where a packet header must start.
    case truncated
    case badVersion(UInt8)
    /// A length field claims more bytes than the datagram holds.
    case lengthPastEnd
    /// A packet's length is too small for its fixed part or its report/source count.
    case packetTooShort(packetType: UInt8)
    /// Padding bit set with a count of 0 or larger than the packet body.
    case badPadding
    /// The compound does not start with SR or RR (only when required).
    case firstPacketNotReport(packetType: UInt8)
    /// An SDES item or chunk runs past its packet, or a chunk lacks its END item.
    case malformedSDES
    /// A BYE reason length runs past its packet.
    case malformedBYE
}

/// A compound RTCP datagram: a sequence of RTCP packets.
///
/// Why owned values (arrays, strings) rather than views like `RTPPacket`:
/// RTCP arrives a few times per second per stream, so clarity wins over
/// zero allocation here. Parsing still never reads past the input.
public struct RTCPCompound: Sendable, Hashable {
    public var packets: [RTCPPacket]

    public init(packets: [RTCPPacket]) { self.packets = packets }

    /// Parses a compound packet.
    /// - Parameter requireReportFirst: RFC 3550 requires SR or RR first;
    ///   pass false to accept reduced-size RTCP (RFC 5506).
    public static func parse(
        _ datagram: UnsafeRawBufferPointer, requireReportFirst: Bool = true
    ) throws(RTCPParseError) -> RTCPCompound {
        guard datagram.count > 0 else { throw .truncated }
        var packets: [RTCPPacket] = []
        var offset = 0
        while offset < datagram.count {
            guard datagram.count - offset >= 4 else { throw .truncated }
            let first = datagram.u8(offset)
            let version = first >> 6
            guard version == 2 else { throw .badVersion(version) }
            let count = first & 0x1F
            let packetType = datagram.u8(offset + 1)
            let packetLength = (Int(datagram.u16(offset + 2)) + 1) * 4
            guard packetLength <= datagram.count - offset else { throw .lengthPastEnd }
            if offset == 0, requireReportFirst,
                packetType != RTCPPacketType.senderReport, packetType != RTCPPacketType.receiverReport
            {
                throw .firstPacketNotReport(packetType: packetType)
            }
            var end = offset + packetLength
            if first & 0x20 != 0 {
                let padding = Int(datagram.u8(end - 1))
                guard padding > 0, padding <= packetLength - 4 else { throw .badPadding }
                end -= padding
            }
            let body = (offset + 4)..<end
            packets.append(try parsePacket(datagram, type: packetType, count: count, body: body))
            offset += packetLength
        }
        return RTCPCompound(packets: packets)
    }

    /// Convenience over an array.
    public static func parse(_ datagram: [UInt8], requireReportFirst: Bool = true) throws(RTCPParseError) -> RTCPCompound {
        let result = datagram.withUnsafeBytes { bytes in
            Result { () throws(RTCPParseError) -> RTCPCompound in
                try parse(bytes, requireReportFirst: requireReportFirst)
            }
        }
        return try result.get()
    }

    private static func parsePacket(
        _ data: UnsafeRawBufferPointer, type: UInt8, count: UInt8, body: Range<Int>
    ) throws(RTCPParseError) -> RTCPPacket {
        switch type {
        case RTCPPacketType.senderReport:
            guard body.count >= 24 + RTCPReportBlock.size * Int(count) else { throw .packetTooShort(packetType: type) }
            let base = body.lowerBound
            let report = RTCPSenderReport(
                ssrc: data.u32(base),
                ntpTimestamp: NTPTimestamp(seconds: data.u32(base + 4), fraction: data.u32(base + 8)),
                rtpTimestamp: data.u32(base + 12),
                packetCount: data.u32(base + 16),
                octetCount: data.u32(base + 20),
                reports: reportBlocks(data, at: base + 24, count: Int(count)))
            return .senderReport(report)
        case RTCPPacketType.receiverReport:
            guard body.count >= 4 + RTCPReportBlock.size * Int(count) else { throw .packetTooShort(packetType: type) }
            let base = body.lowerBound
            return .receiverReport(
                RTCPReceiverReport(ssrc: data.u32(base), reports: reportBlocks(data, at: base + 4, count: Int(count))))
        case RTCPPacketType.sourceDescription:
            return .sourceDescription(try parseSDES(data, count: Int(count), body: body))
        case RTCPPacketType.bye:
            return .bye(try parseBye(data, count: Int(count), body: body))
        default:
            return .other(packetType: type, count: count, bodyRange: body)
        }
    }

    /// Caller has checked that `count` blocks fit.
    private static func reportBlocks(_ data: UnsafeRawBufferPointer, at start: Int, count: Int) -> [RTCPReportBlock] {
        var blocks: [RTCPReportBlock] = []
        blocks.reserveCapacity(count)
        for index in 0..<count {
            let base = start + index * RTCPReportBlock.size
            let lost24 = data.u24(base + 5)
            // Sign-extend the 24-bit two's complement field.
            let lost = Int32(bitPattern: lost24 << 8) >> 8
            blocks.append(
                RTCPReportBlock(
                    ssrc: data.u32(base), fractionLost: data.u8(base + 4), cumulativeLost: lost,
                    extendedHighestSequence: data.u32(base + 8), jitter: data.u32(base + 12),
                    lastSenderReport: data.u32(base + 16), delaySinceLastSenderReport: data.u32(base + 20)))
        }
        return blocks
    }

    private static func parseSDES(
        _ data: UnsafeRawBufferPointer, count: Int, body: Range<Int>
    ) throws(RTCPParseError) -> RTCPSourceDescription {
        var chunks: [RTCPSDESChunk] = []
        var offset = body.lowerBound
        let packetStart = body.lowerBound - 4
        for _ in 0..<count {
            guard body.upperBound - offset >= 4 else { throw .malformedSDES }
            let source = data.u32(offset)
            offset += 4
            var items: [RTCPSDESItem] = []
            while true {
                guard offset < body.upperBound else { throw .malformedSDES }
                let itemType = data.u8(offset)
                if itemType == 0 {
                    // END item, then null octets up to the next 32-bit boundary.
                    let consumed = offset + 1 - packetStart
                    offset = packetStart + (consumed + 3) / 4 * 4
                    guard offset <= body.upperBound else { throw .malformedSDES }
                    break
                }
                guard body.upperBound - offset >= 2 else { throw .malformedSDES }
                let itemLength = Int(data.u8(offset + 1))
                let valueStart = offset + 2
                guard body.upperBound - valueStart >= itemLength else { throw .malformedSDES }
                items.append(
                    RTCPSDESItem(
                        type: RTCPSDESItemType(rawValue: itemType),
                        value: data.bytes(valueStart..<(valueStart + itemLength))))
                offset = valueStart + itemLength
            }
            chunks.append(RTCPSDESChunk(source: source, items: items))
        }
        return RTCPSourceDescription(chunks: chunks)
    }

    private static func parseBye(
        _ data: UnsafeRawBufferPointer, count: Int, body: Range<Int>
    ) throws(RTCPParseError) -> RTCPBye {
        guard body.count >= 4 * count else { throw .packetTooShort(packetType: RTCPPacketType.bye) }
        var sources: [UInt32] = []
        sources.reserveCapacity(count)
        for index in 0..<count {
            sources.append(data.u32(body.lowerBound + 4 * index))
        }
        var reason: String?
        let reasonStart = body.lowerBound + 4 * count
        if reasonStart < body.upperBound {
            let reasonLength = Int(data.u8(reasonStart))
            guard body.upperBound - (reasonStart + 1) >= reasonLength else { throw .malformedBYE }
            // A zero length octet here is just word-alignment padding: no reason.
            if reasonLength > 0 {
                reason = String(decoding: data.bytes((reasonStart + 1)..<(reasonStart + 1 + reasonLength)), as: UTF8.self)
            }
        }
        return RTCPBye(sources: sources, reason: reason)
    }
}
