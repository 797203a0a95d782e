/// Big-endian (network order) field access on raw buffers.
///
/// Why unchecked helpers: every caller validates the whole span it is about
/// to read or write once (against the datagram or destination length), then
/// reads fields without per-byte checks. Reading byte by byte avoids
/// alignment requirements on arbitrary datagram offsets.
extension UnsafeRawBufferPointer {
    @inline(__always)
    func u8(_ offset: Int) -> UInt8 { self[offset] }

    @inline(__always)
    func u16(_ offset: Int) -> UInt16 {
        UInt16(self[offset]) << 8 | UInt16(self[offset + 1])
    }

    @inline(__always)
    func u24(_ offset: Int) -> UInt32 {
        UInt32(self[offset]) << 16 | UInt32(self[offset + 1]) << 8 | UInt32(self[offset + 2])
    }

    @inline(__always)
    func u32(_ offset: Int) -> UInt32 {
        UInt32(self[offset]) << 24 | UInt32(self[offset + 1]) << 16
            | UInt32(self[offset + 2]) << 8 | UInt32(self[offset + 3])
    }

    /// Copies `range` out as an owned array (used only for RTCP text items).
    func bytes(_ range: Range<Int>) -> [UInt8] {
        Array(self[range])
    }
}

extension UnsafeMutableRawBufferPointer {
    @inline(__always)
    func put8(_ value: UInt8, at offset: Int) { self[offset] = value }

    @inline(__always)
    func put16(_ value: UInt16, at offset: Int) {
        self[offset] = UInt8(truncatingIfNeeded: value >> 8)
        self[offset + 1] = UInt8(truncatingIfNeeded: value)
    }

    @inline(__always)
    func put24(_ value: UInt32, at offset: Int) {
        self[offset] = UInt8(truncatingIfNeeded: value >> 16)
        self[offset + 1] = UInt8(truncatingIfNeeded: value >> 8)
        self[offset + 2] = UInt8(truncatingIfNeeded: value)
    }

    @inline(__always)
    func put32(_ value: UInt32, at offset: Int) {
        self[offset] = UInt8(truncatingIfNeeded: value >> 24)
        self[offset + 1] = UInt8(truncatingIfNeeded: value >> 16)
        self[offset + 2] = UInt8(truncatingIfNeeded: value >> 8)
        self[offset + 3] = UInt8(truncatingIfNeeded: value)
    }

    /// Copies `source` to `offset` (memmove semantics, so overlap is fine).
    @inline(__always)
    func putBytes(_ source: UnsafeRawBufferPointer, at offset: Int) {
        guard source.count > 0, let src = source.baseAddress, let dst = baseAddress else { return }
        (dst + offset).copyMemory(from: src, byteCount: source.count)
    }

    /// Writes `count` zero bytes at `offset`.
    @inline(__always)
    func putZeros(_ count: Int, at offset: Int) {
        guard count > 0, let dst = baseAddress else { return }
        (dst + offset).initializeMemory(as: UInt8.self, repeating: 0, count: count)
    }
}
