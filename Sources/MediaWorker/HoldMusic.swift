import AudioIO
import Foundation

/// Music on hold: a WAV file (8000 Hz, 16-bit PCM, mono or stereo) looped in 20 ms frames and sent instead of the
/// microphone while we hold a call (`hold_music` in `media.start`). Loaded once per file and kept in memory, so the
/// 20 ms tick does no I/O.
public struct HoldMusic: Sendable {
    public let path: String
    private let samples: [Int16]
    private var position = 0

    /// Ten minutes: a longer file is refused rather than held in every worker's memory.
    static let maxSeconds = 600

    public static func load(path: String) -> Result<HoldMusic, HoldMusicError> {
        guard let data = FileManager.default.contents(atPath: path) else { return .failure(.unreadable(path)) }
        let wav: WAVFile
        do { wav = try WAVFile.parse([UInt8](data)) } catch { return .failure(.invalid(path, error.description)) }
        guard wav.sampleRate == 8000 else { return .failure(.rate(path, wav.sampleRate)) }
        var mono: [Int16]
        if wav.channels == 2 {
            mono = []
            mono.reserveCapacity(wav.samples.count / 2)
            var i = 0
            while i + 1 < wav.samples.count {
                let sum = Int(wav.samples[i]) + Int(wav.samples[i + 1])
                mono.append(Int16(sum / 2))
                i += 2
            }
        } else {
            mono = wav.samples
        }
        guard !mono.isEmpty else { return .failure(.invalid(path, "the file holds no samples")) }
        guard mono.count <= maxSeconds * 8000 else { return .failure(.tooLong(path, mono.count / 8000)) }
        if mono.count < 160 { mono += [Int16](repeating: 0, count: 160 - mono.count) }
        return .success(HoldMusic(path: path, samples: mono))
    }

    /// Music from samples already in memory (8 kHz mono; padded to one frame).
    public init(path: String, samples: [Int16]) {
        self.path = path
        self.samples = samples.count < 160 ? samples + [Int16](repeating: 0, count: 160 - samples.count) : samples
    }

    /// Writes the next 20 ms (160 samples) into `frame`, wrapping round at the end of the file.
    public mutating func nextFrame(into frame: UnsafeMutableBufferPointer<Int16>) {
        var filled = 0
        samples.withUnsafeBufferPointer { all in
            while filled < frame.count {
                let take = min(frame.count - filled, all.count - position)
                for i in 0..<take { frame[filled + i] = all[position + i] }
                filled += take
                position = (position + take) % all.count
            }
        }
    }
}

public enum HoldMusicError: Error, Sendable, CustomStringConvertible {
    case unreadable(String)
    case invalid(String, String)
    case rate(String, Int)
    case tooLong(String, Int)

    public var description: String {
        switch self {
        case .unreadable(let p): "hold music '\(p)' cannot be read; check calls.hold_music and the file's permissions"
        case .invalid(let p, let why): "hold music '\(p)': \(why)"
        case .rate(let p, let rate): "hold music '\(p)' is \(rate) Hz; calls need 8000 Hz: sox '\(p)' -r 8000 -c 1 -b 16 hold.wav"
        case .tooLong(let p, let s): "hold music '\(p)' lasts \(s) s; at most \(HoldMusic.maxSeconds) s is kept (it loops)"
        }
    }
}
