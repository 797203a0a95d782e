/// The RTP fixed header fields (RFC 3550 §5.1) plus the CSRC list.
///
/// Used both as the result of parsing (inside `RTPPacket`) and as the input
/// to serialization. Padding and the header extension are not stored here
/// because they describe a particular datagram layout, not the stream.
public struct RTPHeader: Sendable, Equatable, Hashable {
    public var marker: Bool
    /// 7-bit payload type; values above 127 are rejected when writing.
    public var payloadType: UInt8
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var ssrc: UInt32
    public var csrcs: RTPCSRCList

    /// Size of the fixed part that precedes the CSRC list.
    public static let fixedSize = 12

    public init(
        marker: Bool = false, payloadType: UInt8, sequenceNumber: UInt16,
        timestamp: UInt32, ssrc: UInt32, csrcs: RTPCSRCList = RTPCSRCList()
    ) {
        self.marker = marker
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.csrcs = csrcs
    }

    /// Bytes before the payload: fixed header, CSRCs and, when present, the
    /// 4-byte extension header plus `extensionDataLength` bytes.
    public func headerSize(extensionDataLength: Int? = nil) -> Int {
        Self.fixedSize + 4 * csrcs.count + (extensionDataLength.map { 4 + $0 } ?? 0)
    }
}

/// Why writing can fail; all are caller mistakes or a short buffer.
public enum RTPSerializeError: Error, Sendable, Equatable {
    /// The destination needs `required` bytes.
    case bufferTooSmall(required: Int)
    case payloadTypeOutOfRange
    /// Extension data must be a whole number of 32-bit words, at most 65535.
    case invalidExtensionLength
    /// Padding must be 0...255 bytes (it includes its own count byte).
    case invalidPaddingLength
    case negativePayloadLength
}

extension RTPHeader {
    /// Writes a complete packet whose payload the caller has ALREADY placed at
    /// `headerSize(extensionDataLength:)` in `buffer` (zero-copy send path:
    /// encode audio straight into the packet buffer, then call this).
    ///
    /// - Parameters:
    ///   - extensionProfile: when non-nil, an extension header is written with
    ///     `extensionData` (a multiple of 4 bytes) as its body.
    ///   - paddingLength: total padding bytes appended after the payload,
    ///     the last of which holds the count (RFC 3550 §5.1).
    /// - Returns: the total packet length.
    public func write(
        into buffer: UnsafeMutableRawBufferPointer,
        payloadLength: Int,
        extensionProfile: UInt16? = nil,
        extensionData: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0),
        paddingLength: Int = 0
    ) throws(RTPSerializeError) -> Int {
        let (header, total) = try validatedLayout(
            payloadLength: payloadLength, extensionProfile: extensionProfile,
            extensionDataCount: extensionData.count, paddingLength: paddingLength, bufferCount: buffer.count)
        var first: UInt8 = 0x80 | UInt8(csrcs.count)
        if paddingLength > 0 { first |= 0x20 }
        if extensionProfile != nil { first |= 0x10 }
        buffer.put8(first, at: 0)
        buffer.put8((marker ? 0x80 : 0) | payloadType, at: 1)
        buffer.put16(sequenceNumber, at: 2)
        buffer.put32(timestamp, at: 4)
        buffer.put32(ssrc, at: 8)
        var offset = Self.fixedSize
        for csrc in csrcs {
            buffer.put32(csrc, at: offset)
            offset += 4
        }
        if let profile = extensionProfile {
            buffer.put16(profile, at: offset)
            buffer.put16(UInt16(extensionData.count / 4), at: offset + 2)
            buffer.putBytes(extensionData, at: offset + 4)
        }
        if paddingLength > 0 {
            let padStart = header + payloadLength
            buffer.putZeros(paddingLength - 1, at: padStart)
            buffer.put8(UInt8(paddingLength), at: total - 1)
        }
        return total
    }

    /// Writes a complete packet, copying `payload` into place. `payload` may
    /// alias `buffer` (the copy has memmove semantics).
    public func write(
        into buffer: UnsafeMutableRawBufferPointer,
        payload: UnsafeRawBufferPointer,
        extensionProfile: UInt16? = nil,
        extensionData: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0),
        paddingLength: Int = 0
    ) throws(RTPSerializeError) -> Int {
        let (header, _) = try validatedLayout(
            payloadLength: payload.count, extensionProfile: extensionProfile,
            extensionDataCount: extensionData.count, paddingLength: paddingLength, bufferCount: buffer.count)
        buffer.putBytes(payload, at: header)
        return try write(
            into: buffer, payloadLength: payload.count, extensionProfile: extensionProfile,
            extensionData: extensionData, paddingLength: paddingLength)
    }

    /// Checks every argument and the destination size before any byte is
    /// written; returns (header size, total packet size).
    private func validatedLayout(
        payloadLength: Int, extensionProfile: UInt16?, extensionDataCount: Int,
        paddingLength: Int, bufferCount: Int
    ) throws(RTPSerializeError) -> (Int, Int) {
        guard payloadType <= 0x7F else { throw .payloadTypeOutOfRange }
        guard payloadLength >= 0 else { throw .negativePayloadLength }
        guard (0...255).contains(paddingLength) else { throw .invalidPaddingLength }
        if extensionProfile != nil {
            guard extensionDataCount % 4 == 0, extensionDataCount / 4 <= 0xFFFF else {
                throw .invalidExtensionLength
            }
        }
        let header = headerSize(extensionDataLength: extensionProfile == nil ? nil : extensionDataCount)
        let total = header + payloadLength + paddingLength
        guard total <= bufferCount else { throw .bufferTooSmall(required: total) }
        return (header, total)
    }

    /// Convenience for tests and control paths: returns a new byte array.
    public func serialized(
        payload: [UInt8], extensionProfile: UInt16? = nil, extensionData: [UInt8] = [], paddingLength: Int = 0
    ) throws(RTPSerializeError) -> [UInt8] {
        let extensionLength = extensionProfile == nil ? nil : extensionData.count
        let size = max(0, headerSize(extensionDataLength: extensionLength) + payload.count + paddingLength)
        var out = [UInt8](repeating: 0, count: size)
        let result: Result<Int, RTPSerializeError> = out.withUnsafeMutableBytes { buffer in
            payload.withUnsafeBytes { payloadBytes in
                extensionData.withUnsafeBytes { extensionBytes in
                    Result { () throws(RTPSerializeError) -> Int in
                        try write(
                            into: buffer, payload: payloadBytes, extensionProfile: extensionProfile,
                            extensionData: extensionBytes, paddingLength: paddingLength)
                    }
                }
            }
        }
        let written = try result.get()
        return Array(out[..<written])
    }
}
