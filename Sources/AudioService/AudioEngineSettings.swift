import ALSAAudio
import AudioIO
import Config
import Wire

/// sip-audio's part of the instance configuration (`audio.*` in docs/CONFIG.md), as it arrives in `configure`.
public struct AudioEngineSettings: Sendable, Equatable {
    public var backend: AudioBackend = .null
    public var captureDevice: String?
    public var playbackDevice: String?
    public var deviceFormat = AudioFormat(sampleRate: 48000, channels: 1)
    public var periodMs = 20
    public var echoTailMs = 200
    public var levelEvents = true
    public var controls = AudioControls()

    public init() {}

    /// The `audio` section of a configuration (`configure`'s settings, read through Config's settings table, which
    /// refused invalid values already). `auto` is decided here, by `alsaHasDefault` (ALSA's device hints by
    /// default): sip-audio is the one process that links ALSA, so clients leave the choice to it.
    public static func from(_ config: InstanceConfig, alsaHasDefault: () -> Bool = { ALSADevices.hasDefault }) -> AudioEngineSettings {
        let audio = config.audio
        var s = AudioEngineSettings()
        s.backend = audio.backend == .automatic ? (alsaHasDefault() ? .alsa(device: "default") : .null) : audio.backend
        s.captureDevice = audio.captureDevice
        s.playbackDevice = audio.playbackDevice
        s.deviceFormat = AudioFormat(sampleRate: audio.deviceRate, channels: audio.channels)
        s.periodMs = audio.periodMs
        s.echoTailMs = audio.echoTailMs
        s.levelEvents = audio.levelEvents
        s.controls = AudioControls(mute: audio.mute, inputGainDB: audio.inputGainDB, outputGainDB: audio.outputGainDB,
                                   echoCancellation: audio.echoCancellation, noiseSuppression: audio.noiseSuppression,
                                   gainControl: audio.gainControl)
        return s
    }

    public var backendName: AudioAPI.Backend {
        switch backend {
        case .null: .null
        case .file: .file
        case .alsa: .alsa
        case .automatic: .automatic
        }
    }
}
