/// The null backend: silence in, nothing out. It serves machines with no sound card, and it stands in for a
/// device that went away mid-call so the call keeps its media clock (the engine paces it like any device).
public final class NullCaptureDevice: AudioCaptureDevice, @unchecked Sendable {
    public let name: String
    public let format: AudioFormat
    public var xruns: Int { 0 }

    public init(name: String = "null", format: AudioFormat = .call) {
        self.name = name
        self.format = format
    }

    public func read(into buffer: UnsafeMutableBufferPointer<Int16>, maxFrames: Int) throws(AudioDeviceError) -> Int {
        let count = min(buffer.count, maxFrames * format.channels)
        buffer.baseAddress?.update(repeating: 0, count: count)
        return count / format.channels
    }

    public func close() {}
}

public final class NullPlaybackDevice: AudioPlaybackDevice, @unchecked Sendable {
    public let name: String
    public let format: AudioFormat
    public var xruns: Int { 0 }

    public init(name: String = "null", format: AudioFormat = .call) {
        self.name = name
        self.format = format
    }

    public func write(_ samples: UnsafeBufferPointer<Int16>, frames: Int) throws(AudioDeviceError) -> Int { frames }

    public func close() {}
}
