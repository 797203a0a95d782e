/// Block encode/decode into caller-owned storage.
///
/// Why: a 20 ms frame is encoded/decoded 50 times a second per call leg, so
/// these never allocate. Each call processes `min(input.count, output.count)`
/// elements and returns that count, so a short output buffer truncates rather
/// than traps. The law is switched once per block, not per sample.
extension G711Law {
    /// Encodes linear samples into G.711 bytes.
    @inlinable
    public func encode(_ samples: UnsafeBufferPointer<Int16>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        // Bytes written through a raw view of UInt8 storage: one loop serves both entry points.
        encode(samples, into: UnsafeMutableRawBufferPointer(output))
    }

    /// Encodes linear samples straight into raw bytes, e.g. the payload area
    /// of an RTP packet buffer (see `RTPHeader.write(into:payloadLength:...)`).
    /// Writes through the raw buffer, so no memory rebinding is involved.
    @inlinable
    public func encode(_ samples: UnsafeBufferPointer<Int16>, into output: UnsafeMutableRawBufferPointer) -> Int {
        let count = Swift.min(samples.count, output.count)
        switch self {
        case .muLaw:
            for i in 0..<count { output[i] = G711.muLawEncode(samples[i]) }
        case .aLaw:
            for i in 0..<count { output[i] = G711.aLawEncode(samples[i]) }
        }
        return count
    }

    /// Decodes G.711 bytes into linear samples.
    @inlinable
    public func decode(_ bytes: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<Int16>) -> Int {
        let count = Swift.min(bytes.count, output.count)
        let table = self == .muLaw ? G711.muLawTable : G711.aLawTable
        table.withUnsafeBufferPointer { lut in
            for i in 0..<count { output[i] = lut[Int(bytes[i])] }
        }
        return count
    }

    /// Decodes raw payload bytes (e.g. an `RTPPacket.payloadRange` slice of a
    /// received datagram) into linear samples without copying the payload.
    @inlinable
    public func decode(_ bytes: UnsafeRawBufferPointer, into output: UnsafeMutableBufferPointer<Int16>) -> Int {
        let count = Swift.min(bytes.count, output.count)
        let table = self == .muLaw ? G711.muLawTable : G711.aLawTable
        table.withUnsafeBufferPointer { lut in
            for i in 0..<count { output[i] = lut[Int(bytes[i])] }
        }
        return count
    }

    /// Array form: writes into the existing elements of `output` (never
    /// resizes it, so a preallocated, uniquely referenced array is reused).
    @inlinable
    public func encode(_ samples: [Int16], into output: inout [UInt8]) -> Int {
        samples.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { encode(input, into: $0) }
        }
    }

    /// Array form of `decode`; see `encode(_:into:)` for the reuse contract.
    @inlinable
    public func decode(_ bytes: [UInt8], into output: inout [Int16]) -> Int {
        bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { decode(input, into: $0) }
        }
    }
}
