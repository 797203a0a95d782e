/// Where a session's decoded 20 ms frames go, called on the engine's event loop: the bus (sip-audio and the
/// taps) in sip-rtp, a WAV recorder in the speech-quality benchmark.
public protocol MediaPlayoutSink: Sendable {
    /// One frame of 160 samples; `silent` when nothing arrived in time to play.
    func play(session: MediaSession, samples: [Int16], silent: Bool, stream: UInt32)
    /// The session ended.
    func endStream(_ session: MediaSession)
}
