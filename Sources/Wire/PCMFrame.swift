/// The binary PCM frame that carries 20 ms of audio between processes (`docs/PROTOCOL.md`, "PCM frames").
///
/// Layout, all integers little-endian:
///
///     offset size field
///     0      2    magic "PF" (0x50 0x46)
///     2      1    version (1)
///     3      1    header length in bytes (32)
///     4      4    stream id          (u32; one per call direction, chosen by orch)
///     8      4    sequence           (u32; +1 per frame, wraps)
///     12     4    flags              (u32; see `PCMFrameFlags`)
///     16     8    timestamp          (u64; sample clock of the first sample, at `sample rate`)
///     24     4    sample rate        (u32; 8000...48000 Hz)
///     28     2    channels           (u16; 1 or 2)
///     30     2    sample count       (u16; samples per channel in this frame)
///     32     ...  samples            (int16 LE, interleaved; sample count x channels values)
///     end    8    origin stamp       (u64; only with flag bit 4: CLOCK_MONOTONIC ns when the frame's audio entered
///                                     the pipeline on the sender's host, for end-to-end latency)
///
/// The first 8 bytes are constant for a stream, so a ZeroMQ SUB socket subscribes to one stream by prefix.
/// A frame never exceeds `PCMFrame.slotSize`, so frames live in preallocated fixed-size slots (shared memory
/// included) and flow with no per-frame allocation.
public struct PCMFrameHeader: Sendable, Equatable {
    public var streamID: UInt32
    public var sequence: UInt32
    public var flags: PCMFrameFlags
    public var timestamp: UInt64
    public var sampleRate: UInt32
    public var channels: UInt16
    public var sampleCount: UInt16
    /// The origin stamp (trailer) of a frame flagged `originStamped`: CLOCK_MONOTONIC nanoseconds at which its
    /// audio entered the pipeline (device read for captured frames, RTP packet arrival for played ones). Only
    /// comparable with the clock of the same host.
    public var origin: UInt64

    /// - Parameter origin: nonzero adds the origin stamp trailer (and sets `originStamped`).
    public init(streamID: UInt32, sequence: UInt32, flags: PCMFrameFlags = [], timestamp: UInt64,
                sampleRate: UInt32, channels: UInt16, sampleCount: UInt16, origin: UInt64 = 0) {
        self.streamID = streamID
        self.sequence = sequence
        self.flags = flags
        self.timestamp = timestamp
        self.sampleRate = sampleRate
        self.channels = channels
        self.sampleCount = sampleCount
        self.origin = origin
        if origin != 0 { self.flags.insert(.originStamped) }
    }

    /// Values (not bytes) of samples that follow the header.
    public var totalSamples: Int { Int(sampleCount) * Int(channels) }
    /// Bytes of the whole frame, header and origin stamp included.
    public var frameBytes: Int {
        PCMFrame.headerSize + totalSamples * 2 + (flags.contains(.originStamped) ? PCMFrame.originStampSize : 0)
    }

    /// A 20 ms frame header for the given rate and channel count.
    public static func twentyMilliseconds(streamID: UInt32, sequence: UInt32, timestamp: UInt64,
                                          sampleRate: UInt32, channels: UInt16, flags: PCMFrameFlags = [],
                                          origin: UInt64 = 0) -> PCMFrameHeader {
        PCMFrameHeader(streamID: streamID, sequence: sequence, flags: flags, timestamp: timestamp,
                       sampleRate: sampleRate, channels: channels, sampleCount: UInt16(sampleRate / 50), origin: origin)
    }
}

/// Frame flags. Unknown bits are kept and ignored by receivers, so later versions can add flags.
public struct PCMFrameFlags: OptionSet, Sendable, Hashable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The sender had no audio and sent silence (samples are zero); receivers may skip processing.
    public static let silence = PCMFrameFlags(rawValue: 1 << 0)
    /// A gap precedes this frame (talkspurt start, restart, seek): do not interpolate across it.
    public static let discontinuity = PCMFrameFlags(rawValue: 1 << 1)
    /// The samples were synthesised by packet loss concealment, not received.
    public static let concealed = PCMFrameFlags(rawValue: 1 << 2)
    /// The last frame of the stream.
    public static let endOfStream = PCMFrameFlags(rawValue: 1 << 3)
    /// An 8-byte origin stamp follows the samples (`PCMFrameHeader.origin`).
    public static let originStamped = PCMFrameFlags(rawValue: 1 << 4)
}

/// Why bytes are not a valid PCM frame.
public enum PCMFrameError: Error, Sendable, Equatable {
    case truncated(bytes: Int)
    case badMagic
    case unsupportedVersion(UInt8)
    case badHeaderLength(UInt8)
    case badSampleRate(UInt32)
    case badChannels(UInt16)
    case tooManySamples(Int)
    case lengthMismatch(declared: Int, actual: Int)
    case bufferTooSmall(needed: Int, available: Int)
}

public enum PCMFrame {
    public static let version: UInt8 = 1
    public static let headerSize = 32
    public static let magic: (UInt8, UInt8) = (0x50, 0x46)
    public static let minSampleRate: UInt32 = 8000
    public static let maxSampleRate: UInt32 = 48000
    /// 20 ms at 48 kHz stereo.
    public static let maxTotalSamples = 1920
    /// Largest possible frame: header plus 1920 int16 values (3872 bytes).
    public static let maxFrameBytes = headerSize + maxTotalSamples * 2
    /// The fixed slot size a frame always fits in.
    public static let slotSize = 4096
    /// The optional trailer of a frame flagged `originStamped`.
    public static let originStampSize = 8
    /// Bytes that identify a stream at the start of every frame (subscription prefix).
    public static let streamPrefixLength = 8

    /// The subscription prefix for one stream.
    public static func streamPrefix(_ streamID: UInt32) -> [UInt8] {
        [magic.0, magic.1, version, UInt8(headerSize)] + withUnsafeBytes(of: streamID.littleEndian, Array.init)
    }

    /// Writes the header into the first 32 bytes of `buffer`.
    public static func writeHeader(_ h: PCMFrameHeader, into buffer: UnsafeMutableRawBufferPointer) throws(PCMFrameError) {
        try validate(h)
        guard buffer.count >= headerSize else { throw .bufferTooSmall(needed: headerSize, available: buffer.count) }
        buffer[0] = magic.0
        buffer[1] = magic.1
        buffer[2] = version
        buffer[3] = UInt8(headerSize)
        buffer.storeBytes(of: h.streamID.littleEndian, toByteOffset: 4, as: UInt32.self)
        buffer.storeBytes(of: h.sequence.littleEndian, toByteOffset: 8, as: UInt32.self)
        buffer.storeBytes(of: h.flags.rawValue.littleEndian, toByteOffset: 12, as: UInt32.self)
        buffer.storeBytes(of: h.timestamp.littleEndian, toByteOffset: 16, as: UInt64.self)
        buffer.storeBytes(of: h.sampleRate.littleEndian, toByteOffset: 24, as: UInt32.self)
        buffer.storeBytes(of: h.channels.littleEndian, toByteOffset: 28, as: UInt16.self)
        buffer.storeBytes(of: h.sampleCount.littleEndian, toByteOffset: 30, as: UInt16.self)
    }

    /// Writes a whole frame (header and samples) into `buffer`; returns the bytes written.
    @discardableResult
    public static func encode(_ h: PCMFrameHeader, samples: UnsafeBufferPointer<Int16>,
                              into buffer: UnsafeMutableRawBufferPointer) throws(PCMFrameError) -> Int {
        guard samples.count == h.totalSamples else {
            throw .lengthMismatch(declared: h.totalSamples, actual: samples.count)
        }
        guard buffer.count >= h.frameBytes else { throw .bufferTooSmall(needed: h.frameBytes, available: buffer.count) }
        try writeHeader(h, into: buffer)
        for i in 0..<samples.count {
            buffer.storeBytes(of: samples[i].littleEndian, toByteOffset: headerSize + 2 * i, as: Int16.self)
        }
        writeOrigin(h, into: buffer)
        return h.frameBytes
    }

    /// Writes the origin stamp trailer of a frame flagged `originStamped` (the zero-copy path writes the samples
    /// itself, then calls this); `buffer` must hold `h.frameBytes`.
    public static func writeOrigin(_ h: PCMFrameHeader, into buffer: UnsafeMutableRawBufferPointer) {
        guard h.flags.contains(.originStamped), buffer.count >= h.frameBytes else { return }
        buffer.storeBytes(of: h.origin.littleEndian, toByteOffset: h.frameBytes - originStampSize, as: UInt64.self)
    }

    /// Reads and validates the header of a complete frame: the byte count must match the declared samples.
    public static func decodeHeader(_ bytes: UnsafeRawBufferPointer) throws(PCMFrameError) -> PCMFrameHeader {
        guard bytes.count >= headerSize else { throw .truncated(bytes: bytes.count) }
        guard bytes[0] == magic.0, bytes[1] == magic.1 else { throw .badMagic }
        guard bytes[2] == version else { throw .unsupportedVersion(bytes[2]) }
        guard bytes[3] == UInt8(headerSize) else { throw .badHeaderLength(bytes[3]) }
        let h = PCMFrameHeader(
            streamID: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self)),
            sequence: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self)),
            flags: PCMFrameFlags(rawValue: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 12, as: UInt32.self))),
            timestamp: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
            sampleRate: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 24, as: UInt32.self)),
            channels: UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 28, as: UInt16.self)),
            sampleCount: UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 30, as: UInt16.self)))
        try validate(h)
        guard bytes.count == h.frameBytes else { throw .lengthMismatch(declared: h.frameBytes, actual: bytes.count) }
        var stamped = h
        if h.flags.contains(.originStamped) {
            stamped.origin = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: bytes.count - originStampSize, as: UInt64.self))
        }
        return stamped
    }

    /// Copies the samples of a validated frame into `out` (which must hold `header.totalSamples` values).
    public static func readSamples(_ bytes: UnsafeRawBufferPointer, header h: PCMFrameHeader,
                                   into out: UnsafeMutableBufferPointer<Int16>) throws(PCMFrameError) {
        guard out.count >= h.totalSamples else { throw .bufferTooSmall(needed: h.totalSamples, available: out.count) }
        guard bytes.count >= h.frameBytes else { throw .truncated(bytes: bytes.count) }
        for i in 0..<h.totalSamples {
            out[i] = Int16(littleEndian: bytes.loadUnaligned(fromByteOffset: headerSize + 2 * i, as: Int16.self))
        }
    }

    private static func validate(_ h: PCMFrameHeader) throws(PCMFrameError) {
        guard h.sampleRate >= minSampleRate, h.sampleRate <= maxSampleRate else { throw .badSampleRate(h.sampleRate) }
        guard h.channels == 1 || h.channels == 2 else { throw .badChannels(h.channels) }
        guard h.totalSamples <= maxTotalSamples else { throw .tooManySamples(h.totalSamples) }
    }
}
