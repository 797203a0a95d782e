/// A decoded 20 ms frame a session plays, lent to a `MediaPlayoutSink` for the duration of one call: `samples`
/// must not be kept (the engine reuses the memory for the next session).
public struct PlayedFrame {
    public var stream: UInt32
    public var sequence: UInt32
    public var timestamp: UInt64
    /// Nothing arrived in time to play (the samples are zero).
    public var silent: Bool
    /// When the RTP packet holding the frame's last sample arrived (monotonic ns; 0 for none).
    public var origin: UInt64
    public var samples: UnsafeBufferPointer<Int16>

    public init(stream: UInt32, sequence: UInt32, timestamp: UInt64, silent: Bool, origin: UInt64, samples: UnsafeBufferPointer<Int16>) {
        self.stream = stream
        self.sequence = sequence
        self.timestamp = timestamp
        self.silent = silent
        self.origin = origin
        self.samples = samples
    }
}

/// Where a session's decoded 20 ms frames go, called on the engine's event loop: the bus (sip-audio and the
/// taps) in sip-rtp, a WAV recorder in the speech-quality benchmark.
public protocol MediaPlayoutSink: Sendable {
    /// One frame of 160 samples.
    func play(_ frame: PlayedFrame)
    /// A session's stream ended; `sequence` and `timestamp` are those of the frame after its last one.
    func endStream(_ stream: UInt32, sequence: UInt32, timestamp: UInt64)
    /// A session takes its frames to send from stream `new` instead of `old` (nil: none).
    func captureStreamChanged(from old: UInt32?, to new: UInt32?)
}

extension MediaPlayoutSink {
    /// A session now takes its frames to send from stream `new` instead of `old` (nil: none): the bus follows only
    /// the streams of the worker's own calls.
    public func captureStreamChanged(from old: UInt32?, to new: UInt32?) {}
}
