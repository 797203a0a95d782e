import AudioDSP

/// The three-way conference mix of sip-audio: what a conference member hears is the microphone plus every other
/// member, summed with a limiter (never clipped or wrapped). Each member has its own mixer, because the limiter's
/// gain follows that member's sum. Owned by the audio thread.
///
/// Why here and not in a media worker: the calls of a conference may sit on different workers (orch places calls on
/// the least loaded one, possibly on other hosts), while sip-audio already receives every attached call's audio and
/// produces every call's microphone frame on one 20 ms tick.
final class ConferenceMix: @unchecked Sendable {
    private var mixers: [String: PlaybackMixer] = [:]
    private var output = [Int16](repeating: 0, count: AudioStreams.frameSamples)

    func mix(call: String, microphone: [Int16]?, others: [[Int16]], _ publish: (UnsafeBufferPointer<Int16>) -> Void) {
        let mixer = mixers[call] ?? PlaybackMixer(frameSamples: AudioStreams.frameSamples)
        mixers[call] = mixer
        if mixers.count > 16 { mixers = mixers.filter { $0.key == call } }  // members that left do not pile up
        mixer.begin()
        microphone?.withUnsafeBufferPointer { mixer.add($0) }
        for other in others { other.withUnsafeBufferPointer { mixer.add($0) } }
        output.withUnsafeMutableBufferPointer { mixer.finish(into: $0) }
        output.withUnsafeBufferPointer(publish)
    }
}
