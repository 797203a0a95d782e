/// The device side of sip-audio: a capture source and a playback sink of interleaved S16 samples, whatever
/// the backend (ALSA, WAV files, null). The engine paces every backend by its own monotonic clock, so reads and
/// writes never block: a device hands over what it has and takes what it can.
public struct AudioFormat: Sendable, Equatable, CustomStringConvertible {
    public var sampleRate: Int
    public var channels: Int

    public init(sampleRate: Int, channels: Int) {
        self.sampleRate = sampleRate
        self.channels = channels
    }

    /// Frames (samples per channel) in `milliseconds`.
    public func frames(milliseconds: Int) -> Int { sampleRate * milliseconds / 1000 }

    public var description: String { "\(sampleRate) Hz \(channels == 1 ? "mono" : "\(channels) channels")" }

    /// The call side of every G.711 call: 8 kHz mono.
    public static let call = AudioFormat(sampleRate: 8000, channels: 1)
}

/// Which way a device carries sound.
public enum AudioDirection: String, Sendable, Equatable {
    case capture, playback
}

/// Why a device cannot be opened or stopped working. Every case names the cause and the fix, because it ends
/// up in an event an operator reads.
public enum AudioDeviceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No such device (ALSA does not know the name, or the card is gone).
    case notFound(device: String, detail: String)
    /// Another program holds the device.
    case busy(device: String)
    /// The device refused every format we can use.
    case unsupportedFormat(device: String, detail: String)
    /// The device went away or failed while open (unplugged, I/O error).
    case disconnected(device: String, detail: String)
    /// A WAV file that cannot be read or written.
    case file(path: String, detail: String)

    /// A short machine-readable cause for events (`device_not_found`, ...).
    public var cause: String {
        switch self {
        case .notFound: "device_not_found"
        case .busy: "device_busy"
        case .unsupportedFormat: "unsupported_format"
        case .disconnected: "device_lost"
        case .file: "bad_file"
        }
    }

    public var description: String {
        switch self {
        case .notFound(let d, let detail):
            "audio device '\(d)' not found (\(detail)); list devices with 'sip-audio --list-devices' or 'aplay -L' and set audio.backend to alsa:NAME"
        case .busy(let d):
            "audio device '\(d)' is busy (another program has it open); close that program or choose another device"
        case .unsupportedFormat(let d, let detail):
            "audio device '\(d)' cannot do 16-bit PCM at a usable rate (\(detail)); use a 'plug:' device or set audio.device_rate to a rate it supports"
        case .disconnected(let d, let detail):
            "audio device '\(d)' stopped working (\(detail)); check the cable or card, sip-audio keeps the call going on silence and reopens it when it is back"
        case .file(let path, let detail):
            "audio file '\(path)': \(detail)"
        }
    }
}

/// A source of captured sound. `read` never blocks.
public protocol AudioCaptureDevice: AnyObject {
    var name: String { get }
    var format: AudioFormat { get }
    /// Overruns recovered so far (ALSA xruns on capture); 0 for backends that cannot overrun.
    var xruns: Int { get }
    /// Reads at most `maxFrames` frames of interleaved samples into `buffer` (which holds at least
    /// `maxFrames * format.channels` samples); returns the frames read, 0 when none are ready.
    func read(into buffer: UnsafeMutableBufferPointer<Int16>, maxFrames: Int) throws(AudioDeviceError) -> Int
    func close()
}

/// A sink for sound to play. `write` never blocks.
public protocol AudioPlaybackDevice: AnyObject {
    var name: String { get }
    var format: AudioFormat { get }
    /// Underruns recovered so far (ALSA xruns on playback).
    var xruns: Int { get }
    /// Writes `frames` frames of interleaved samples; returns the frames the device took (fewer when its
    /// buffer is full: the rest is dropped by the caller).
    func write(_ samples: UnsafeBufferPointer<Int16>, frames: Int) throws(AudioDeviceError) -> Int
    func close()
}
