import Foundation

/// The file backend's microphone: a WAV file played into calls at real-time pace (the engine's clock calls
/// `read` once a period). After the last sample it gives silence, and `finished` turns true.
public final class WAVCaptureDevice: AudioCaptureDevice, @unchecked Sendable {
    public let name: String
    public let format: AudioFormat
    public var xruns: Int { 0 }
    private let samples: [Int16]
    private var position = 0

    /// Reads and validates the whole file now, so a bad file is reported when the call starts, not later.
    public init(path: String) throws(AudioDeviceError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .file(path: path, detail: "cannot be read (missing or not readable); give an existing 16-bit PCM WAV file")
        }
        let wav: WAVFile
        do { wav = try WAVFile.parse([UInt8](data)) } catch { throw .file(path: path, detail: error.description) }
        name = path
        format = AudioFormat(sampleRate: wav.sampleRate, channels: wav.channels)
        samples = wav.samples
    }

    public var finished: Bool { position >= samples.count }

    public func read(into buffer: UnsafeMutableBufferPointer<Int16>, maxFrames: Int) throws(AudioDeviceError) -> Int {
        let wanted = min(buffer.count, maxFrames * format.channels)
        let available = min(wanted, samples.count - position)
        samples.withUnsafeBufferPointer { source in
            if available > 0 { buffer.baseAddress!.update(from: source.baseAddress! + position, count: available) }
        }
        if wanted > available { (buffer.baseAddress! + available).update(repeating: 0, count: wanted - available) }
        position += available
        return wanted / format.channels
    }

    public func close() {}
}

/// The file backend's loudspeaker: what calls bring back, recorded to a WAV file as it plays (the header is kept
/// valid as it goes, so a crash loses at most a second).
public final class WAVPlaybackDevice: AudioPlaybackDevice, @unchecked Sendable {
    public let name: String
    public let format: AudioFormat
    public var xruns: Int { 0 }
    private let writer: WAVStreamWriter

    public init(path: String, format: AudioFormat = .call) throws(AudioDeviceError) {
        do { writer = try WAVStreamWriter(path: path, sampleRate: format.sampleRate, channels: format.channels) } catch {
            throw .file(path: path, detail: error.description)
        }
        name = path
        self.format = format
    }

    public func write(_ samples: UnsafeBufferPointer<Int16>, frames: Int) throws(AudioDeviceError) -> Int {
        do { try writer.append(UnsafeBufferPointer(rebasing: samples.prefix(frames * format.channels))) } catch {
            throw .disconnected(device: name, detail: error.description)
        }
        return frames
    }

    public var samplesWritten: Int { writer.samplesWritten }

    public func close() { writer.close() }
}
