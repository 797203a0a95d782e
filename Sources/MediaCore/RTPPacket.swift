/// Why a datagram is not a valid RTP packet (RFC 3550 §5.1 / A.1 checks).
public enum RTPParseError: Error, Sendable, Equatable {
    /// Shorter than the 12-byte fixed header.
    case truncated
    /// Version field is not 2 (the value found is attached).
    case badVersion(UInt8)
    /// The CC field announces more CSRCs than the datagram holds.
    case csrcPastEnd
    /// The extension header or its announced body runs past the end.
    case extensionPastEnd
    /// Padding bit set but the count byte is 0 or exceeds what follows the headers.
    case badPadding
}

/// A parsed RTP packet: header fields plus index ranges into the datagram.
///
/// Why ranges instead of slices: the packet never copies or retains the
/// receive buffer, so it can be parsed from a reusable socket buffer without
/// allocation; the caller reads `payloadRange` out of the same buffer
/// (e.g. `G711Law.decode(UnsafeRawBufferPointer(rebasing: buffer[p.payloadRange]), ...)`).
/// Ranges are relative to the start of the buffer passed to `parse`.
public struct RTPPacket: Sendable, Equatable, Hashable {
    public var header: RTPHeader
    /// Total padding bytes (including the count byte); 0 when the P bit is clear.
    public var paddingLength: Int
    /// Extension profile ("defined by profile" field) when the X bit is set.
    public var extensionProfile: UInt16?
    /// Extension body (after its 4-byte header) when the X bit is set.
    public var extensionRange: Range<Int>?
    /// Payload bytes, excluding headers and padding. May be empty.
    public var payloadRange: Range<Int>

    public var hasPadding: Bool { paddingLength > 0 }

    public init(
        header: RTPHeader, paddingLength: Int = 0, extensionProfile: UInt16? = nil,
        extensionRange: Range<Int>? = nil, payloadRange: Range<Int>
    ) {
        self.header = header
        self.paddingLength = paddingLength
        self.extensionProfile = extensionProfile
        self.extensionRange = extensionRange
        self.payloadRange = payloadRange
    }

    /// Parses and validates one datagram. Never traps and never reads outside
    /// `datagram`, whatever the input.
    public static func parse(_ datagram: UnsafeRawBufferPointer) throws(RTPParseError) -> RTPPacket {
        let length = datagram.count
        guard length >= RTPHeader.fixedSize else { throw .truncated }
        let first = datagram.u8(0)
        let version = first >> 6
        guard version == 2 else { throw .badVersion(version) }
        let hasPadding = first & 0x20 != 0
        let hasExtension = first & 0x10 != 0
        let csrcCount = Int(first & 0x0F)
        let second = datagram.u8(1)

        var offset = RTPHeader.fixedSize + 4 * csrcCount
        guard offset <= length else { throw .csrcPastEnd }
        var csrcs = RTPCSRCList()
        for index in 0..<csrcCount {
            csrcs.append(datagram.u32(RTPHeader.fixedSize + 4 * index))
        }

        var extensionProfile: UInt16?
        var extensionRange: Range<Int>?
        if hasExtension {
            guard length - offset >= 4 else { throw .extensionPastEnd }
            let bodyLength = 4 * Int(datagram.u16(offset + 2))
            let bodyStart = offset + 4
            guard length - bodyStart >= bodyLength else { throw .extensionPastEnd }
            extensionProfile = datagram.u16(offset)
            extensionRange = bodyStart..<(bodyStart + bodyLength)
            offset = bodyStart + bodyLength
        }

        var paddingLength = 0
        if hasPadding {
            // The count byte is the last byte of the datagram; it counts itself.
            paddingLength = Int(datagram.u8(length - 1))
            guard paddingLength > 0, paddingLength <= length - offset else { throw .badPadding }
        }

        let header = RTPHeader(
            marker: second & 0x80 != 0,
            payloadType: second & 0x7F,
            sequenceNumber: datagram.u16(2),
            timestamp: datagram.u32(4),
            ssrc: datagram.u32(8),
            csrcs: csrcs)
        return RTPPacket(
            header: header, paddingLength: paddingLength, extensionProfile: extensionProfile,
            extensionRange: extensionRange, payloadRange: offset..<(length - paddingLength))
    }

    /// Convenience over an array (control paths and tests).
    public static func parse(_ datagram: [UInt8]) throws(RTPParseError) -> RTPPacket {
        let result = datagram.withUnsafeBytes { bytes in
            Result { () throws(RTPParseError) -> RTPPacket in try parse(bytes) }
        }
        return try result.get()
    }
}
