import Wire

/// 20 ms of a call's decoded audio: 160 samples of 16-bit PCM at 8000 Hz, mono (the rate of every call).
public struct AudioFrame: Sendable, Equatable {
    /// The samples, `sampleRate / 50` per channel.
    public var samples: [Int16]
    /// +1 per frame of the stream (wraps); a gap means frames were lost on the way to this process.
    public var sequence: UInt32
    /// Sample clock of the first sample.
    public var timestamp: UInt64
    /// Samples per second: 8000 for calls.
    public var sampleRate: Int
    /// Interleaved channels: 1 for calls.
    public var channels: Int
    /// No packet arrived in time: the samples are silence, not the peer's audio.
    public var isSilence: Bool
    /// The samples were synthesised by packet loss concealment.
    public var isConcealed: Bool
    /// The last frame of the stream (the call's media ended).
    public var isEndOfStream: Bool

    /// A frame of call audio to send: 160 samples (20 ms at 8 kHz, mono).
    public init(samples: [Int16], sequence: UInt32 = 0, timestamp: UInt64 = 0) {
        self.samples = samples
        self.sequence = sequence
        self.timestamp = timestamp
        sampleRate = 8000
        channels = 1
        isSilence = false
        isConcealed = false
        isEndOfStream = false
    }

    /// Samples per 20 ms frame of a call.
    public static let samplesPerFrame = 160
    /// A call's sample rate.
    public static let callSampleRate = 8000

    /// Decodes one PCM frame of the bus (docs/PROTOCOL.md §7); nil if it is not a valid frame.
    init?(bytes: [UInt8]) {
        let decoded = bytes.withUnsafeBytes { raw -> (PCMFrameHeader, [Int16])? in
            guard let h = try? PCMFrame.decodeHeader(raw) else { return nil }
            var samples = [Int16](repeating: 0, count: h.totalSamples)
            let ok = samples.withUnsafeMutableBufferPointer { (try? PCMFrame.readSamples(raw, header: h, into: $0)) != nil }
            return ok ? (h, samples) : nil
        }
        guard let (h, samples) = decoded else { return nil }
        self.samples = samples
        sequence = h.sequence
        timestamp = h.timestamp
        sampleRate = Int(h.sampleRate)
        channels = Int(h.channels)
        isSilence = h.flags.contains(.silence)
        isConcealed = h.flags.contains(.concealed)
        isEndOfStream = h.flags.contains(.endOfStream)
    }

    /// Encodes 160 samples as a bus PCM frame of `stream`.
    static func encode(_ samples: [Int16], stream: UInt32, sequence: UInt32, timestamp: UInt64) -> [UInt8]? {
        let header = PCMFrameHeader.twentyMilliseconds(streamID: stream, sequence: sequence, timestamp: timestamp,
                                                       sampleRate: UInt32(callSampleRate), channels: 1)
        var frame = [UInt8](repeating: 0, count: header.frameBytes)
        let ok = frame.withUnsafeMutableBytes { out in
            samples.withUnsafeBufferPointer { (try? PCMFrame.encode(header, samples: $0, into: out)) != nil }
        }
        return ok ? frame : nil
    }
}
