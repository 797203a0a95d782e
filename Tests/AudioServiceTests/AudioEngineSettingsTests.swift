import Config
import Testing
import Wire
@testable import AudioService

/// sip-audio's reading of the `audio` section: `auto` is decided here, where ALSA is linked, not by the client.
@Suite struct AudioEngineSettingsTests {
    static func config(backend: AudioBackend) -> InstanceConfig {
        var config = InstanceConfig()
        config.audio.backend = backend
        return config
    }

    @Test func autoIsTheDefaultSoundCardWhenALSAHasOneElseNull() {
        let withCard = AudioEngineSettings.from(Self.config(backend: .automatic), alsaHasDefault: { true })
        #expect(withCard.backend == .alsa(device: "default") && withCard.backendName == .alsa)
        let without = AudioEngineSettings.from(Self.config(backend: .automatic), alsaHasDefault: { false })
        #expect(without.backend == .null && without.backendName == .null)
    }

    @Test func anExplicitBackendIsKeptAndTheProbeNotAsked() {
        let s = AudioEngineSettings.from(Self.config(backend: .alsa(device: "plughw:1")),
                                         alsaHasDefault: { Issue.record("probed ALSA for an explicit backend"); return false })
        #expect(s.backend == .alsa(device: "plughw:1"))
    }

    /// What orch sends in `configure` reaches the engine: formats, devices and the starting controls.
    @Test func aConfiguresAudioSectionBecomesTheEngineSettings() {
        var config = InstanceConfig()
        config.audio.backend = .alsa(device: "default")
        config.audio.captureDevice = "plughw:1"
        config.audio.deviceRate = 16000
        config.audio.channels = 2
        config.audio.periodMs = 10
        config.audio.mute = true
        config.audio.inputGainDB = -6
        config.audio.echoCancellation = false
        config.audio.levelEvents = false
        let configure = Configure(generation: 1, restarts: 0, config: config.json)
        var problems: [String] = []
        let s = AudioEngineSettings.from(configure.settings(problems: &problems), alsaHasDefault: { false })
        #expect(problems.isEmpty)
        #expect(s.backend == .alsa(device: "default") && s.captureDevice == "plughw:1" && s.playbackDevice == nil)
        #expect(s.deviceFormat.sampleRate == 16000 && s.deviceFormat.channels == 2 && s.periodMs == 10 && !s.levelEvents)
        #expect(s.controls == AudioControls(mute: true, inputGainDB: -6, outputGainDB: 0, echoCancellation: false,
                                            noiseSuppression: true, gainControl: false))
    }
}
