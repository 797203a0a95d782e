import AudioIO
import Timebase
import Wire

/// The devices of one open stretch and the pipeline between them, with what happens when one fails: the null
/// backend stands in with the same format, `audio.device.lost` is emitted, and (for sound cards) the device is
/// reopened every second until `audio.device.restored`.
struct DeviceSession {
    let factory: AudioDeviceFactory
    let emit: AudioEngine.Emit
    let pipeline: AudioPipeline
    private var capture: any AudioCaptureDevice
    private var playback: any AudioPlaybackDevice
    private(set) var captureStatus = AudioEngine.DeviceStatus()
    private(set) var playbackStatus = AudioEngine.DeviceStatus()
    private var captureLostAt: MonotonicTime?
    private var playbackLostAt: MonotonicTime?
    private var captureEndReported = false
    private var reportedXruns = 0
    private var readBuffer: [Int16]

    var captureName: String { captureStatus.name }

    init(factory: AudioDeviceFactory, controls: AudioControls, emit: @escaping AudioEngine.Emit) throws {
        self.factory = factory
        self.emit = emit
        let now = MonotonicClock.now()
        var captureStatus = AudioEngine.DeviceStatus(name: factory.captureName(), state: .open)
        var playbackStatus = AudioEngine.DeviceStatus(name: factory.playbackName(), state: .open)
        var captureLostAt: MonotonicTime?, playbackLostAt: MonotonicTime?
        let fallbackFormat = factory.settings.backend == .null ? AudioFormat.call : factory.settings.deviceFormat

        switch Result(catching: { () throws(AudioDeviceError) in try factory.openCapture() }) {
        case .success(let device): capture = device
        case .failure(let error):
            capture = NullCaptureDevice(format: fallbackFormat)
            captureLostAt = Self.standIn(after: error, direction: .capture, status: &captureStatus, factory: factory, emit: emit, now: now)
        }
        switch Result(catching: { () throws(AudioDeviceError) in try factory.openPlayback() }) {
        case .success(let device): playback = device
        case .failure(let error):
            playback = NullPlaybackDevice(format: fallbackFormat)
            playbackLostAt = Self.standIn(after: error, direction: .playback, status: &playbackStatus, factory: factory, emit: emit, now: now)
        }
        captureStatus.format = capture.format
        playbackStatus.format = playback.format
        self.captureStatus = captureStatus
        self.playbackStatus = playbackStatus
        self.captureLostAt = captureLostAt
        self.playbackLostAt = playbackLostAt
        let acoustic: Bool
        if case .alsa = factory.settings.backend { acoustic = true } else { acoustic = false }
        pipeline = try AudioPipeline(captureFormat: capture.format, playbackFormat: playback.format, controls: controls,
                                     echoTailMs: factory.settings.echoTailMs, acousticPath: acoustic)
        readBuffer = [Int16](repeating: 0, count: capture.format.frames(milliseconds: 20) * capture.format.channels)
        for (direction, status) in [(AudioDirection.capture, captureStatus), (.playback, playbackStatus)] where status.state == .open {
            emit(AudioDeviceOpenedEvent(direction: direction.wire, device: status.name, backend: factory.settings.backendName,
                                        rate: status.format?.sampleRate ?? 0, channels: status.format?.channels ?? 0))
        }
    }

    /// A device that did not open: reported, and marked for reopening when that can help; returns when it was lost.
    private static func standIn(after error: AudioDeviceError, direction: AudioDirection, status: inout AudioEngine.DeviceStatus,
                                factory: AudioDeviceFactory, emit: AudioEngine.Emit, now: MonotonicTime) -> MonotonicTime? {
        let retry = factory.retries(after: error)
        emit(AudioErrorEvent(cause: AudioAPI.Cause(rawValue: error.cause), message: error.description, direction: direction.wire,
                             device: status.name, fallback: "null", retrying: retry))
        status.state = retry ? .lost : .failed
        status.error = error.description
        return retry ? now : nil
    }

    // MARK: per tick

    /// Reads up to one tick of capture into the pipeline.
    mutating func readCapture() {
        let frames = pipeline.captureFramesPerTick
        if readBuffer.count < frames * capture.format.channels { readBuffer = [Int16](repeating: 0, count: frames * capture.format.channels) }
        let device = capture
        let result = readBuffer.withUnsafeMutableBufferPointer { buffer -> Result<Int, AudioDeviceError> in
            do throws(AudioDeviceError) { return .success(try device.read(into: buffer, maxFrames: frames)) } catch { return .failure(error) }
        }
        switch result {
        case .success(let got):
            readBuffer.withUnsafeBufferPointer { pipeline.pushCaptured($0, frames: got) }
        case .failure(let error):
            lose(.capture, error)
        }
    }

    /// Writes the tick's loudspeaker frame; returns the device frames dropped (its buffer was full).
    mutating func writePlayback() -> Int {
        let device = playback
        let result = pipeline.devicePlayback { samples, frames -> Result<Int, AudioDeviceError> in
            do throws(AudioDeviceError) { return .success(frames - (try device.write(samples, frames: frames))) } catch { return .failure(error) }
        }
        switch result {
        case .success(let dropped): return dropped
        case .failure(let error):
            lose(.playback, error)
            return 0
        }
    }

    /// True once, when a WAV microphone has played to its end.
    mutating func captureFileEnded() -> Bool {
        guard !captureEndReported, let wav = capture as? WAVCaptureDevice, wav.finished else { return false }
        captureEndReported = true
        return true
    }

    private mutating func lose(_ direction: AudioDirection, _ error: AudioDeviceError) {
        let retry = factory.retries(after: error)
        let name: String
        switch direction {
        case .capture:
            name = captureStatus.name
            capture.close()
            capture = NullCaptureDevice(format: capture.format)
            captureStatus.state = retry ? .lost : .failed
            captureStatus.error = error.description
            captureLostAt = retry ? MonotonicClock.now() : nil
        case .playback:
            name = playbackStatus.name
            playback.close()
            playback = NullPlaybackDevice(format: playback.format)
            playbackStatus.state = retry ? .lost : .failed
            playbackStatus.error = error.description
            playbackLostAt = retry ? MonotonicClock.now() : nil
        }
        emit(AudioDeviceLostEvent(direction: direction.wire, device: name, cause: AudioAPI.Cause(rawValue: error.cause),
                                  message: error.description, fallback: "null", retrying: retry))
    }

    /// Called about once a second: tries to reopen lost devices.
    mutating func retryLostDevices(now: MonotonicTime) {
        if let lostAt = captureLostAt, let device = try? factory.openCapture() {
            if device.format != capture.format { try? pipeline.setCaptureFormat(device.format) }
            capture = device
            captureLostAt = nil
            captureStatus.state = .open
            captureStatus.error = nil
            captureStatus.format = device.format
            pipeline.reset()
            restored(.capture, device: captureStatus.name, format: device.format, lostFor: now.since(lostAt))
        }
        if let lostAt = playbackLostAt, let device = try? factory.openPlayback() {
            if device.format != playback.format { try? pipeline.setPlaybackFormat(device.format) }
            playback = device
            playbackLostAt = nil
            playbackStatus.state = .open
            playbackStatus.error = nil
            playbackStatus.format = device.format
            pipeline.reset()
            restored(.playback, device: playbackStatus.name, format: device.format, lostFor: now.since(lostAt))
        }
    }

    private func restored(_ direction: AudioDirection, device: String, format: AudioFormat, lostFor: Duration) {
        emit(AudioDeviceRestoredEvent(direction: direction.wire, device: device, rate: format.sampleRate, channels: format.channels,
                                      lostMs: Int(lostFor.wholeNanoseconds / 1_000_000)))
    }

    /// Emits `audio.xrun` when the devices recovered from over/underruns since the last report.
    mutating func reportXruns() {
        captureStatus.xruns = capture.xruns
        playbackStatus.xruns = playback.xruns
        let total = capture.xruns + playback.xruns
        guard total > reportedXruns else { return }
        emit(AudioXrunEvent(captureXruns: capture.xruns, playbackXruns: playback.xruns,
                            message: "the sound device ran out of (or over) its buffer; recovered. Frequent xruns mean an overloaded machine: try audio.period_ms 20"))
        reportedXruns = total
    }

    mutating func close() {
        capture.close()
        playback.close()
        for (direction, status) in [(AudioDirection.capture, captureStatus), (.playback, playbackStatus)] {
            emit(AudioDeviceClosedEvent(direction: direction.wire, device: status.name))
        }
    }
}
