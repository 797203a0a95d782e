/// Where a session's decoded 20 ms frames go, called on the engine's event loop: the bus (sip-audio and the
/// taps) in sip-rtp, a WAV recorder in the speech-quality benchmark.
public protocol MediaPlayoutSink: Sendable {
    /// One frame of 160 samples; `silent` when nothing arrived in time to play.
    func play(session: MediaSession, samples: [Int16], silent: Bool, stream: UInt32)
    /// The session ended.
    func endStream(_ session: MediaSession)
    /// A session takes its frames to send from stream `new` instead of `old` (nil: none).
    func captureStreamChanged(from old: UInt32?, to new: UInt32?)
}

extension MediaPlayoutSink {
    /// A session now takes its frames to send from stream `new` instead of `old` (nil: none): the bus follows only
    /// the streams of the worker's own calls.
    public func captureStreamChanged(from old: UInt32?, to new: UInt32?) {}
}
