/// WAV (RIFF) PCM files (the file backend of sip-audio, hold music in media workers): 16-bit little-endian PCM only, mono or stereo, 8-48 kHz.
/// Anything else is refused with an error that names what the file is and what is needed, never read as noise.
public struct WAVFile: Sendable, Equatable {
    public var sampleRate: Int
    public var channels: Int
    /// Interleaved samples.
    public var samples: [Int16]

    public init(sampleRate: Int, channels: Int, samples: [Int16]) {
        self.sampleRate = sampleRate
        self.channels = channels
        self.samples = samples
    }

    public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        case notRIFF
        case truncated(needed: Int, available: Int)
        case missingChunk(String)
        case unsupportedFormat(formatTag: Int, bitsPerSample: Int)
        case unsupportedLayout(sampleRate: Int, channels: Int)

        public var description: String {
            switch self {
            case .notRIFF: "not a WAV file (no RIFF/WAVE header); convert it with: sox IN -r 8000 -c 1 -b 16 OUT.wav"
            case .truncated(let needed, let available):
                "the WAV file is truncated (\(available) bytes where \(needed) are needed); re-export it"
            case .missingChunk(let name): "the WAV file has no '\(name)' chunk; re-export it as plain PCM"
            case .unsupportedFormat(let tag, let bits):
                "the WAV file is not 16-bit PCM (format \(tag), \(bits) bits); convert it with: sox IN -b 16 -e signed-integer OUT.wav"
            case .unsupportedLayout(let rate, let channels):
                "the WAV file has \(channels) channel(s) at \(rate) Hz; use 1 or 2 channels at 8000-48000 Hz"
            }
        }
    }

    /// Parses a whole file. Chunks other than `fmt ` and `data` are skipped; a `data` chunk longer than the file
    /// (a writer that died before fixing the size) is read as far as it goes.
    public static func parse(_ bytes: [UInt8]) throws(ParseError) -> WAVFile {
        guard bytes.count >= 12 else { throw .truncated(needed: 12, available: bytes.count) }
        guard bytes[0..<4] == [0x52, 0x49, 0x46, 0x46][...], bytes[8..<12] == [0x57, 0x41, 0x56, 0x45][...] else { throw .notRIFF }
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        var offset = 12
        var format: (tag: Int, channels: Int, rate: Int, bits: Int)?
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            let size = u32(offset + 4)
            let body = offset + 8
            if id == "fmt " {
                guard body + 16 <= bytes.count else { throw .truncated(needed: body + 16, available: bytes.count) }
                format = (u16(body), u16(body + 2), u32(body + 4), u16(body + 14))
            } else if id == "data" {
                guard let f = format else { throw .missingChunk("fmt ") }
                guard f.tag == 1 || f.tag == 0xFFFE, f.bits == 16 else { throw .unsupportedFormat(formatTag: f.tag, bitsPerSample: f.bits) }
                guard (1...2).contains(f.channels), (8000...48000).contains(f.rate) else {
                    throw .unsupportedLayout(sampleRate: f.rate, channels: f.channels)
                }
                let end = min(body + size, bytes.count)
                let count = (end - body) / 2
                var samples = [Int16](repeating: 0, count: count)
                for i in 0..<count { samples[i] = Int16(bitPattern: UInt16(u16(body + 2 * i))) }
                return WAVFile(sampleRate: f.rate, channels: f.channels, samples: samples)
            }
            offset = body + size + (size & 1)  // chunks are padded to even sizes
        }
        throw .missingChunk(format == nil ? "fmt " : "data")
    }

    /// The file's bytes: a 44-byte canonical header and the samples.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(44 + samples.count * 2)
        func u16(_ v: Int) { out += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func u32(_ v: Int) { u16(v & 0xFFFF); u16(v >> 16 & 0xFFFF) }
        out += Array("RIFF".utf8); u32(36 + samples.count * 2); out += Array("WAVE".utf8)
        out += Array("fmt ".utf8); u32(16); u16(1); u16(channels); u32(sampleRate); u32(sampleRate * channels * 2)
        u16(channels * 2); u16(16)
        out += Array("data".utf8); u32(samples.count * 2)
        for s in samples { u16(Int(UInt16(bitPattern: s))) }
        return out
    }

    public var duration: Double { Double(samples.count / max(1, channels)) / Double(max(1, sampleRate)) }
}
