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

    /// Reads the `audio` section; keys that are missing keep their defaults. orch validated the values already
    /// (Config), so an invalid one here means a foreign orch: it is named in the returned problems and ignored.
    /// `auto` is decided here, by `alsaHasDefault` (ALSA's device hints by default): sip-audio is the one process
    /// that links ALSA, so clients leave the choice to it.
    public static func from(config: [String: JSONValue],
                            alsaHasDefault: () -> Bool = { ALSADevices.hasDefault }) -> (AudioEngineSettings, problems: [String]) {
        var s = AudioEngineSettings()
        var problems: [String] = []
        guard let audio = config["audio"]?.objectValue else { return (s, problems) }
        if let text = audio["backend"]?.stringValue {
            if let backend = AudioBackend.parse(text) { s.backend = backend } else {
                problems.append("audio.backend '\(text)' is not null, file:IN.wav[,OUT.wav], alsa[:DEVICE] or auto; using null")
            }
        }
        if s.backend == .automatic { s.backend = alsaHasDefault() ? .alsa(device: "default") : .null }
        s.captureDevice = audio["capture_device"]?.stringValue
        s.playbackDevice = audio["playback_device"]?.stringValue
        if let rate = audio["device_rate"]?.intValue {
            if (8000...48000).contains(rate) { s.deviceFormat.sampleRate = rate } else { problems.append("audio.device_rate \(rate) is outside 8000-48000") }
        }
        if let ch = audio["channels"]?.intValue {
            if (1...2).contains(ch) { s.deviceFormat.channels = ch } else { problems.append("audio.channels \(ch) is not 1 or 2") }
        }
        if let p = audio["period_ms"]?.intValue, p == 10 || p == 20 { s.periodMs = p }
        if let t = audio["echo_tail_ms"]?.intValue, (20...500).contains(t) { s.echoTailMs = t }
        if let b = audio["level_events"]?.boolValue { s.levelEvents = b }
        var controlArgs = audio
        controlArgs = controlArgs.filter { ["mute", "input_gain_db", "output_gain_db", "echo_cancellation", "noise_suppression", "gain_control"].contains($0.key) }
        switch s.controls.applying(controlArgs) {
        case .success(let c): s.controls = c
        case .failure(let e): problems.append(e.message)
        }
        return (s, problems)
    }

    public var backendName: String {
        switch backend {
        case .null: "null"
        case .file: "file"
        case .alsa: "alsa"
        case .automatic: "auto"
        }
    }
}
