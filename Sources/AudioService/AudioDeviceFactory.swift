import ALSAAudio
import AudioIO
import Config

/// Opens the devices the configured backend names, one direction at a time (a lost microphone must not take
/// the loudspeaker with it).
struct AudioDeviceFactory: Sendable {
    let settings: AudioEngineSettings

    // `.automatic` is decided when the settings are read (`AudioEngineSettings.from`); one set in code opens null.
    func captureName() -> String {
        switch settings.backend {
        case .null, .automatic: "null"
        case .file(let input, _): input
        case .alsa(let device): settings.captureDevice ?? device
        }
    }

    func playbackName() -> String {
        switch settings.backend {
        case .null, .automatic, .file(_, nil): "null"
        case .file(_, let output?): output
        case .alsa(let device): settings.playbackDevice ?? device
        }
    }

    func openCapture() throws(AudioDeviceError) -> any AudioCaptureDevice {
        switch settings.backend {
        case .null, .automatic: return NullCaptureDevice()
        case .file(let input, _): return try WAVCaptureDevice(path: input)
        case .alsa: return try ALSACapture.open(device: captureName(), format: settings.deviceFormat, periodMilliseconds: settings.periodMs)
        }
    }

    func openPlayback() throws(AudioDeviceError) -> any AudioPlaybackDevice {
        switch settings.backend {
        case .null, .automatic, .file(_, nil): return NullPlaybackDevice()
        case .file(_, let output?): return try WAVPlaybackDevice(path: output)
        case .alsa: return try ALSAPlayback.open(device: playbackName(), format: settings.deviceFormat, periodMilliseconds: settings.periodMs)
        }
    }

    /// Whether a device that failed is worth reopening: sound cards come back (USB headsets are replugged); a WAV
    /// file that failed would be truncated by reopening it, and a bad format stays bad.
    func retries(after error: AudioDeviceError) -> Bool {
        guard case .alsa = settings.backend else { return false }
        switch error {
        case .notFound, .busy, .disconnected: return true
        case .unsupportedFormat, .file: return false
        }
    }
}
