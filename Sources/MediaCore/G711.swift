/// G.711 companding (ITU-T G.711), bit-exact to the ITU-T G.191 reference
/// implementation (`ulaw_compress`/`alaw_compress`/`*_expand`).
///
/// Why G.191 and not the widespread Sun sample code: for negative inputs the
/// Sun mu-law encoder negates in two's complement, which moves every negative
/// decision threshold by one 14-bit step (e.g. -1 encodes to 0x7E instead of
/// 0x7F). G.191 uses one's complement, so -1...-4 are "negative zero" and the
/// code table is symmetric around -0.5. A-law and both decoders agree between
/// the two.
///
/// Encoding is computed (a handful of integer ops); decoding uses 256-entry
/// tables built once. Nothing here allocates per sample or per packet.
public enum G711 {
    /// Encodes one 16-bit linear sample to a mu-law byte (G.191 `ulaw_compress`).
    @inlinable
    public static func muLawEncode(_ sample: Int16) -> UInt8 {
        let value = Int32(sample)
        let negative = value < 0
        // One's complement magnitude, 16 -> 14 bit, plus the mu-law bias of 33.
        var magnitude = ((negative ? ~value : value) >> 2) + 33
        if magnitude > 0x1FFF { magnitude = 0x1FFF }
        // Segment = bit length of magnitude >> 6 (0...7).
        let segment = Int32(32 - UInt32(magnitude >> 6).leadingZeroBitCount)
        let mantissa = (magnitude >> (segment + 1)) & 0x0F
        let code = UInt8(truncatingIfNeeded: ~((segment << 4) | mantissa) & 0x7F)
        return negative ? code : code | 0x80
    }

    /// Encodes one 16-bit linear sample to an A-law byte (G.191 `alaw_compress`).
    @inlinable
    public static func aLawEncode(_ sample: Int16) -> UInt8 {
        let value = Int32(sample)
        let negative = value < 0
        // One's complement magnitude, 16 -> 12 bit.
        var index = (negative ? ~value : value) >> 4
        if index > 15 {
            let exponent = Int32(32 - UInt32(index >> 4).leadingZeroBitCount)  // 1...7
            index = (exponent << 4) | ((index >> (exponent - 1)) & 0x0F)
        }
        let code = UInt8(truncatingIfNeeded: index) | (negative ? 0 : 0x80)
        return code ^ 0x55
    }

    /// Decodes a mu-law byte to a 16-bit linear sample (G.191 `ulaw_expand`).
    @inlinable
    public static func muLawDecode(_ byte: UInt8) -> Int16 {
        muLawTable[Int(byte)]
    }

    /// Decodes an A-law byte to a 16-bit linear sample (G.191 `alaw_expand`).
    @inlinable
    public static func aLawDecode(_ byte: UInt8) -> Int16 {
        aLawTable[Int(byte)]
    }

    /// Decoding tables, computed once (thread-safe lazy global initialisation).
    @usableFromInline
    static let muLawTable: [Int16] = (0..<256).map { computeMuLawDecode(UInt8($0)) }

    @usableFromInline
    static let aLawTable: [Int16] = (0..<256).map { computeALawDecode(UInt8($0)) }

    static func computeMuLawDecode(_ byte: UInt8) -> Int16 {
        let inverted = Int32(~byte)
        let exponent = (inverted >> 4) & 0x07
        let mantissa = inverted & 0x0F
        let step = Int32(4) << (exponent + 1)
        let magnitude = (Int32(0x80) << exponent) + step * mantissa + step / 2 - 4 * 33
        return Int16(byte < 0x80 ? -magnitude : magnitude)
    }

    static func computeALawDecode(_ byte: UInt8) -> Int16 {
        let index = Int32(byte ^ 0x55) & 0x7F
        let exponent = index >> 4
        var mantissa = index & 0x0F
        if exponent > 0 { mantissa += 16 }
        mantissa = (mantissa << 4) + 8
        if exponent > 1 { mantissa <<= (exponent - 1) }
        return Int16(byte > 0x7F ? mantissa : -mantissa)
    }
}

/// The two G.711 laws, for code that picks one at run time (e.g. from SDP).
public enum G711Law: Sendable, Hashable, CaseIterable {
    /// PCMU, the North American / Japanese law.
    case muLaw
    /// PCMA, the European / international law.
    case aLaw

    /// Static RTP payload type (RFC 3551): PCMU = 0, PCMA = 8.
    public var staticPayloadType: UInt8 {
        switch self {
        case .muLaw: 0
        case .aLaw: 8
        }
    }

    /// The byte a silent (zero) sample encodes to; useful for comfort fill.
    public var silenceByte: UInt8 {
        switch self {
        case .muLaw: 0xFF
        case .aLaw: 0xD5
        }
    }

    @inlinable
    public func encode(_ sample: Int16) -> UInt8 {
        switch self {
        case .muLaw: G711.muLawEncode(sample)
        case .aLaw: G711.aLawEncode(sample)
        }
    }

    @inlinable
    public func decode(_ byte: UInt8) -> Int16 {
        switch self {
        case .muLaw: G711.muLawDecode(byte)
        case .aLaw: G711.aLawDecode(byte)
        }
    }
}
