import Wire

/// The instance's audio controls after a change: microphone mute, gains and voice processing (sip-audio's
/// `audio.set` result). One set per instance, shared by all its calls.
public struct AudioControls: Sendable, Equatable {
    /// Whether the microphone is muted (the peer hears silence).
    public var muted: Bool
    /// Microphone gain in dB (-40 to 40).
    public var inputGainDB: Double
    /// Loudspeaker gain in dB (-40 to 40).
    public var outputGainDB: Double
    /// Acoustic echo cancellation on the microphone.
    public var echoCancellation: Bool
    /// Noise suppression on the microphone.
    public var noiseSuppression: Bool
    /// Automatic gain control on the microphone.
    public var gainControl: Bool

    init(_ controls: AudioAPI.Controls) {
        muted = controls.mute
        inputGainDB = controls.inputGainDB
        outputGainDB = controls.outputGainDB
        echoCancellation = controls.echoCancellation
        noiseSuppression = controls.noiseSuppression
        gainControl = controls.gainControl
    }
}
