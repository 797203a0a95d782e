/// Why an RTCP compound could not be written.
public enum RTCPSerializeError: Error, Sendable, Equatable {
    case bufferTooSmall(required: Int)
    /// More than 31 report blocks, SDES chunks or BYE sources in one packet.
    case tooManyEntries
    /// An SDES item value or BYE reason longer than 255 bytes.
    case textTooLong
    /// SDES item type 0 is the END marker and cannot be sent as an item.
    case invalidItemType
    /// A packet would exceed the 16-bit length field (256 KiB).
    case packetTooLong
    /// `.other` packets only reference a received buffer; they cannot be re-sent.
    case unsupportedPacket
}

/// RTCP serialization (RFC 3550 §6.4–6.6) into caller-provided buffers.
///
/// Why two passes: sizes are computed and validated for the whole compound
/// first, so a short buffer or bad argument fails before anything is written.
extension RTCPCompound {
    /// Total bytes `write(into:)` will produce.
    public func encodedSize() throws(RTCPSerializeError) -> Int {
        var total = 0
        for packet in packets {
            total += try Self.size(of: packet)
        }
        return total
    }

    /// Writes all packets back to back; returns the byte count.
    public func write(into buffer: UnsafeMutableRawBufferPointer) throws(RTCPSerializeError) -> Int {
        let total = try encodedSize()
        guard total <= buffer.count else { throw .bufferTooSmall(required: total) }
        var offset = 0
        for packet in packets {
            offset = Self.write(packet, into: buffer, at: offset)
        }
        return offset
    }

    /// Convenience returning a new array.
    public func serialized() throws(RTCPSerializeError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: try encodedSize())
        let result = out.withUnsafeMutableBytes { buffer in
            Result { () throws(RTCPSerializeError) -> Int in try write(into: buffer) }
        }
        _ = try result.get()
        return out
    }

    // MARK: - Sizes (also the validation pass)

    private static func size(of packet: RTCPPacket) throws(RTCPSerializeError) -> Int {
        switch packet {
        case .senderReport(let sr):
            guard sr.reports.count <= 31 else { throw .tooManyEntries }
            return 28 + RTCPReportBlock.size * sr.reports.count
        case .receiverReport(let rr):
            guard rr.reports.count <= 31 else { throw .tooManyEntries }
            return 8 + RTCPReportBlock.size * rr.reports.count
        case .sourceDescription(let sdes):
            guard sdes.chunks.count <= 31 else { throw .tooManyEntries }
            var total = 4
            for chunk in sdes.chunks {
                total += try chunkSize(chunk)
                guard total <= 4 * 65_536 else { throw .packetTooLong }
            }
            return total
        case .bye(let bye):
            guard bye.sources.count <= 31 else { throw .tooManyEntries }
            let reasonLength = bye.reason?.utf8.count ?? 0
            guard reasonLength <= 255 else { throw .textTooLong }
            let raw = 4 + 4 * bye.sources.count + (reasonLength > 0 ? 1 + reasonLength : 0)
            return (raw + 3) / 4 * 4
        case .other:
            throw .unsupportedPacket
        }
    }

    private static func chunkSize(_ chunk: RTCPSDESChunk) throws(RTCPSerializeError) -> Int {
        var raw = 4
        for item in chunk.items {
            guard item.type.rawValue != 0 else { throw .invalidItemType }
            guard item.value.count <= 255 else { throw .textTooLong }
            raw += 2 + item.value.count
        }
        // At least one null octet (END), padded to a 32-bit boundary.
        return (raw + 1 + 3) / 4 * 4
    }

    // MARK: - Writing (sizes already validated)

    private static func writeHeader(
        _ buffer: UnsafeMutableRawBufferPointer, at offset: Int, count: Int, type: UInt8, length: Int
    ) {
        buffer.put8(0x80 | UInt8(count), at: offset)
        buffer.put8(type, at: offset + 1)
        buffer.put16(UInt16(length / 4 - 1), at: offset + 2)
    }

    private static func writeBlocks(_ blocks: [RTCPReportBlock], _ buffer: UnsafeMutableRawBufferPointer, at start: Int) {
        var offset = start
        for block in blocks {
            let lost = min(max(block.cumulativeLost, RTCPReportBlock.minCumulativeLost), RTCPReportBlock.maxCumulativeLost)
            buffer.put32(block.ssrc, at: offset)
            buffer.put8(block.fractionLost, at: offset + 4)
            buffer.put24(UInt32(bitPattern: lost) & 0xFF_FFFF, at: offset + 5)
            buffer.put32(block.extendedHighestSequence, at: offset + 8)
            buffer.put32(block.jitter, at: offset + 12)
            buffer.put32(block.lastSenderReport, at: offset + 16)
            buffer.put32(block.delaySinceLastSenderReport, at: offset + 20)
            offset += RTCPReportBlock.size
        }
    }

    /// Returns the offset after the packet.
    private static func write(_ packet: RTCPPacket, into buffer: UnsafeMutableRawBufferPointer, at start: Int) -> Int {
        // Sizes were validated by encodedSize(); `try!` cannot fail here.
        let length = try! size(of: packet)
        switch packet {
        case .senderReport(let sr):
            writeHeader(buffer, at: start, count: sr.reports.count, type: RTCPPacketType.senderReport, length: length)
            buffer.put32(sr.ssrc, at: start + 4)
            buffer.put32(sr.ntpTimestamp.seconds, at: start + 8)
            buffer.put32(sr.ntpTimestamp.fraction, at: start + 12)
            buffer.put32(sr.rtpTimestamp, at: start + 16)
            buffer.put32(sr.packetCount, at: start + 20)
            buffer.put32(sr.octetCount, at: start + 24)
            writeBlocks(sr.reports, buffer, at: start + 28)
        case .receiverReport(let rr):
            writeHeader(buffer, at: start, count: rr.reports.count, type: RTCPPacketType.receiverReport, length: length)
            buffer.put32(rr.ssrc, at: start + 4)
            writeBlocks(rr.reports, buffer, at: start + 8)
        case .sourceDescription(let sdes):
            writeHeader(buffer, at: start, count: sdes.chunks.count, type: RTCPPacketType.sourceDescription, length: length)
            var offset = start + 4
            for chunk in sdes.chunks {
                let chunkEnd = offset + (try! chunkSize(chunk))
                buffer.put32(chunk.source, at: offset)
                offset += 4
                for item in chunk.items {
                    buffer.put8(item.type.rawValue, at: offset)
                    buffer.put8(UInt8(item.value.count), at: offset + 1)
                    item.value.withUnsafeBytes { buffer.putBytes($0, at: offset + 2) }
                    offset += 2 + item.value.count
                }
                buffer.putZeros(chunkEnd - offset, at: offset)
                offset = chunkEnd
            }
        case .bye(let bye):
            writeHeader(buffer, at: start, count: bye.sources.count, type: RTCPPacketType.bye, length: length)
            var offset = start + 4
            for source in bye.sources {
                buffer.put32(source, at: offset)
                offset += 4
            }
            if let reason = bye.reason, !reason.isEmpty {
                let bytes = Array(reason.utf8)
                buffer.put8(UInt8(bytes.count), at: offset)
                bytes.withUnsafeBytes { buffer.putBytes($0, at: offset + 1) }
                offset += 1 + bytes.count
            }
            buffer.putZeros(start + length - offset, at: offset)
        case .other:
            break  // rejected by size(of:)
        }
        return start + length
    }
}
