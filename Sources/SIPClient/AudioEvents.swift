import Wire

/// What happened to a sound device.
public enum AudioDeviceChange: String, Sendable, Hashable {
    /// Opened because the first call needed it (`audio.device.opened`).
    case opened
    /// Closed because the last call left (`audio.device.closed`).
    case closed
    /// Failed mid-call; the null backend stands in so the call goes on (`audio.device.lost`).
    case lost
    /// Works again after a loss (`audio.device.restored`).
    case restored
}

/// A sound device changed (`audio.device.*`), so a UI can show which device is in use and warn when one fails.
public struct AudioDeviceEvent: Sendable, Equatable {
    /// What happened to the device.
    public var change: AudioDeviceChange
    /// `capture` or `playback`.
    public var direction: String
    /// The ALSA device name (or the file, or `null`).
    public var device: String
    /// The backend in use (`alsa`, `file`, `null`), when opened.
    public var backend: String?
    /// Sample rate the device runs at, when opened or restored.
    public var sampleRate: Int?
    /// Channels the device runs with, when opened or restored.
    public var channels: Int?
    /// Why a device was lost (`device_lost`, ...) and what the user should know.
    public var cause: String?
    /// What the user should know about a loss (names the cause and the fix).
    public var message: String?
    /// Whether sip-audio keeps trying to reopen a lost device.
    public var retrying: Bool?
    /// How long a restored device was lost.
    public var lostMilliseconds: Int?

    init(_ change: AudioDeviceChange, direction: AudioAPI.Direction, device: String, backend: AudioAPI.Backend? = nil,
         sampleRate: Int? = nil, channels: Int? = nil, cause: AudioAPI.Cause? = nil, message: String? = nil, retrying: Bool? = nil,
         lostMilliseconds: Int? = nil) {
        self.change = change
        self.direction = direction.rawValue
        self.device = device
        self.backend = backend?.rawValue
        self.sampleRate = sampleRate
        self.channels = channels
        self.cause = cause?.rawValue
        self.message = message
        self.retrying = retrying
        self.lostMilliseconds = lostMilliseconds
    }

    init(_ e: AudioDeviceOpenedEvent) {
        self.init(.opened, direction: e.direction, device: e.device, backend: e.backend, sampleRate: e.rate, channels: e.channels)
    }

    init(_ e: AudioDeviceClosedEvent) { self.init(.closed, direction: e.direction, device: e.device) }

    init(_ e: AudioDeviceLostEvent) {
        self.init(.lost, direction: e.direction, device: e.device, cause: e.cause, message: e.message, retrying: e.retrying)
    }

    init(_ e: AudioDeviceRestoredEvent) {
        self.init(.restored, direction: e.direction, device: e.device, sampleRate: e.rate, channels: e.channels, lostMilliseconds: e.lostMs)
    }
}

/// Capture and playback levels (`audio.level`, 10 times a second while a call has the devices): for meters.
public struct AudioLevelEvent: Sendable, Equatable {
    /// Microphone RMS and peak in dBFS (-96 is silence).
    public var captureRMS: Double
    /// Microphone peak in dBFS.
    public var capturePeak: Double
    /// Loudspeaker RMS and peak in dBFS.
    public var playbackRMS: Double
    /// Loudspeaker peak in dBFS.
    public var playbackPeak: Double
    /// Whether the microphone is muted.
    public var muted: Bool

    init(_ event: Wire.AudioLevelEvent) {
        captureRMS = event.capture.rmsDBFS
        capturePeak = event.capture.peakDBFS
        playbackRMS = event.playback.rmsDBFS
        playbackPeak = event.playback.peakDBFS
        muted = event.muted
    }
}

/// The audio pipeline reported a problem (`audio.error`): a device that would not open, a bad file, bad frames.
/// `message` names the cause and the fix.
public struct AudioErrorEvent: Sendable, Equatable {
    /// `device_not_found`, `device_busy`, `unsupported_format`, `bad_file`, `frame_format`, `frame_malformed`, `xrun`, ...
    public var cause: String
    /// What happened and how to fix it, for the user.
    public var message: String
    /// `capture` or `playback`, when a device is concerned.
    public var direction: String?
    /// The ALSA device name (or the file, or `null`).
    public var device: String?
    /// The call whose frames were bad (`frame_format`, `frame_malformed`).
    public var callID: String?

    init(_ event: Wire.AudioErrorEvent) {
        cause = event.cause.rawValue
        message = event.message
        direction = event.direction?.rawValue
        device = event.device
        callID = event.call?.rawValue
    }

    /// An `audio.xrun`: the device over/underran and was recovered (cause `xrun`).
    init(_ xrun: AudioXrunEvent) {
        cause = "xrun"
        message = "\(xrun.message) (capture xruns \(xrun.captureXruns), playback xruns \(xrun.playbackXruns))"
        direction = nil
        device = nil
        callID = nil
    }
}

/// A call was attached to or detached from the sound devices (`audio.stream.started` / `.stopped`).
public struct AudioStreamEvent: Sendable, Equatable {
    /// The call attached or detached.
    public var callID: String
    /// PCM stream ids of the call (started only).
    public var playbackStream: Int?
    /// The capture stream id (started only).
    public var captureStream: Int?
    /// Why the stream stopped (stopped only): `detached`, `audio pipeline failed`, ...
    public var reason: String?

    init(_ event: AudioStreamStartedEvent) {
        callID = event.call.rawValue
        playbackStream = Int(event.playback.rawValue)
        captureStream = Int(event.capture.rawValue)
        reason = nil
    }

    init(_ event: AudioStreamStoppedEvent) {
        callID = event.call.rawValue
        playbackStream = nil
        captureStream = nil
        reason = event.reason.rawValue
    }
}
