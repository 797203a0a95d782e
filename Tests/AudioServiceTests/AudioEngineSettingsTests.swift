import Config
import Testing
import Wire
@testable import AudioService

/// sip-audio's reading of the `audio` section: `auto` is decided here, where ALSA is linked, not by the client.
@Suite struct AudioEngineSettingsTests {
    @Test func autoIsTheDefaultSoundCardWhenALSAHasOneElseNull() {
        let config: [String: JSONValue] = ["audio": ["backend": "auto"]]
        let (withCard, problems) = AudioEngineSettings.from(config: config, alsaHasDefault: { true })
        #expect(withCard.backend == .alsa(device: "default") && withCard.backendName == "alsa" && problems.isEmpty)
        let (without, _) = AudioEngineSettings.from(config: config, alsaHasDefault: { false })
        #expect(without.backend == .null && without.backendName == "null")
    }

    @Test func anExplicitBackendIsKeptAndTheProbeNotAsked() {
        let (s, problems) = AudioEngineSettings.from(config: ["audio": ["backend": "alsa:plughw:1"]],
                                                     alsaHasDefault: { Issue.record("probed ALSA for an explicit backend"); return false })
        #expect(s.backend == .alsa(device: "plughw:1") && problems.isEmpty)
    }
}
