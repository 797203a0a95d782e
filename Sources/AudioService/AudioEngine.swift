import AudioDSP
import AudioIO
import Foundation
import MediaQuality
import Synchronization
import Timebase
import Wire

/// sip-audio's audio thread: opens the devices when the first call attaches and closes them after the last
/// one leaves (no CPU at idle), and while open runs a 20 ms tick paced by the monotonic clock, because
/// file and null backends (and ALSA's plugins) do not pace themselves.
///
/// Each tick: the calls' frames are mixed and played, one microphone frame is read, cleaned and published to
/// every attached call. A device that fails is replaced by the null backend at once (the call keeps its media
/// clock), reported with `audio.device.lost`, reopened every second and reported with `audio.device.restored`.
public final class AudioEngine: @unchecked Sendable {
    /// Where the engine's events go (sip-audio: to orch, which republishes them).
    public typealias Emit = @Sendable (any WireEvent) -> Void

    /// What `audio.state`, `audio.devices` and heartbeats report. Written by the audio thread only.
    public struct DeviceStatus: Sendable, Equatable {
        public var name = ""
        /// `closed`, `open`, `lost` (null stand-in, reopening) or `failed` (null stand-in, not retried).
        public var state = AudioAPI.DeviceState.closed
        public var format: AudioFormat?
        public var xruns = 0
        public var error: String?
    }

    struct Status: Sendable {
        var open = false
        var capture = DeviceStatus()
        var playback = DeviceStatus()
        var ticks = 0
        var lateTicks = 0
        var captureUnderflows = 0
        var playbackDropped = 0
        var opens = 0
        var captureLatency = LatencyWindow()
        var busyNanoseconds: UInt64 = 0
    }

    private let streams: AudioStreams
    private let link: AudioBusLink?
    private let emit: Emit
    private let settingsBox: Mutex<AudioEngineSettings>
    private let controlsBox: Mutex<AudioControls>
    private let status = Mutex(Status())
    private let wakeup = NSCondition()
    private let stopping = Atomic<Bool>(false)
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)
    /// The conference mix of each member's capture stream (audio thread only).
    private let conferenceMix = ConferenceMix()

    init(settings: AudioEngineSettings, streams: AudioStreams, link: AudioBusLink?, emit: @escaping Emit) {
        self.settingsBox = Mutex(settings)
        self.controlsBox = Mutex(settings.controls)
        self.streams = streams
        self.link = link
        self.emit = emit
    }

    // MARK: control (any thread)

    public func start() {
        let t = Thread { [self] in run(); finished.signal() }
        t.name = "audio"
        t.qualityOfService = .userInteractive
        thread = t
        t.start()
    }

    public func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        wake()
        if thread != nil { finished.wait() }
    }

    /// Tells the idle thread a call attached.
    func wake() {
        wakeup.lock()
        wakeup.signal()
        wakeup.unlock()
    }

    /// New settings apply when the devices are next opened; controls apply at the next tick.
    func update(settings: AudioEngineSettings) { settingsBox.withLock { $0 = settings } }

    var controls: AudioControls {
        get { controlsBox.withLock { $0 } }
        set { controlsBox.withLock { $0 = newValue } }
    }

    var settings: AudioEngineSettings { settingsBox.withLock { $0 } }

    var snapshot: Status { status.withLock { $0 } }

    // MARK: the audio thread

    private func run() {
        while !stopping.load(ordering: .sequentiallyConsistent) {
            wakeup.lock()
            while streams.isEmpty && !stopping.load(ordering: .sequentiallyConsistent) { wakeup.wait() }
            wakeup.unlock()
            if stopping.load(ordering: .sequentiallyConsistent) { break }
            runSession()
        }
    }

    /// One stretch with the devices open: from the first attached call to the last detached.
    private func runSession() {
        let factory = AudioDeviceFactory(settings: settings)
        var session: DeviceSession
        do {
            session = try DeviceSession(factory: factory, controls: controls, emit: emit)
        } catch {
            // Only a resampler refusing the formats gets here; the devices were checked already.
            emit(AudioErrorEvent(cause: .unsupportedFormat, message: "\(error)"))
            streams.detachAll().forEach { emit(AudioStreamStoppedEvent(call: CallID($0.call), reason: .pipelineFailed)) }
            return
        }
        status.withLock { $0.open = true; $0.opens += 1 }
        publishDeviceStatus(session)
        streams.keepNewest()
        var frame = [Int16](repeating: 0, count: AudioPipeline.frameSamples)
        var next = MonotonicClock.now()
        var tick = 0
        while !stopping.load(ordering: .sequentiallyConsistent) && !streams.isEmpty {
            let started = MonotonicClock.now()
            session.pipeline.controls = controls
            playOneFrame(&session)
            captureOneFrame(&session, into: &frame, started: started)
            tick += 1
            if tick % 5 == 0, settings.levelEvents { emitLevels(session) }
            if tick % 50 == 0 { session.retryLostDevices(now: started); session.reportXruns() }
            publishDeviceStatus(session)
            let busy = MonotonicClock.now().since(started).nanosecondsClamped
            status.withLock { $0.ticks += 1; $0.busyNanoseconds &+= busy }
            next += .milliseconds(20)
            let now = MonotonicClock.now()
            if now > next + .milliseconds(100) {
                // The machine stalled: start afresh rather than racing to catch up with a burst of frames.
                status.withLock { $0.lateTicks += 1 }
                next = now
            }
            MonotonicClock.sleep(until: next)
        }
        session.close()
        status.withLock { s in
            s.open = false
            s.capture.state = .closed
            s.playback.state = .closed
        }
    }

    private func playOneFrame(_ session: inout DeviceSession) {
        let pipeline = session.pipeline
        pipeline.beginMix()
        streams.forEachPlaybackFrame(now: MonotonicClock.now()) { pipeline.addToMix($0) }
        pipeline.finishMix()
        let dropped = session.writePlayback()
        streams.deliveredToDevice(now: MonotonicClock.now())
        if dropped > 0 { status.withLock { $0.playbackDropped += dropped } }
    }

    private func captureOneFrame(_ session: inout DeviceSession, into frame: inout [Int16], started: MonotonicTime) {
        session.readCapture()
        let complete = frame.withUnsafeMutableBufferPointer { session.pipeline.nextCaptureFrame(into: $0) }
        let muted = session.pipeline.controls.mute
        // The origin stamp of the frame: when its oldest sample was read from the device (issue 9 (e), uplink).
        let waited = UInt64(session.pipeline.lastCaptureBacklog) * 125_000
        let startedAt = started.unsignedNanoseconds
        let origin = startedAt > waited ? startedAt - waited : 1
        let outs = streams.nextCaptureHeaders(flags: muted ? [.silence] : [], origin: origin)
        if let link {
            for out in outs {
                if out.others.isEmpty {
                    frame.withUnsafeBufferPointer { link.publish(out.header, samples: $0) }
                } else {
                    conferenceMix.mix(call: out.call, microphone: muted ? nil : frame, others: out.others) { link.publish(out.header, samples: $0) }
                }
            }
        }
        // Latency inside sip-audio: the time the oldest sample of the frame waited in the FIFO, plus processing.
        let processing = MonotonicClock.now().since(started).nanosecondsClamped
        status.withLock { s in
            s.captureLatency.add(nanoseconds: waited &+ processing)
            if !complete { s.captureUnderflows += 1 }
        }
        if session.captureFileEnded() { emit(AudioCaptureEndedEvent(device: session.captureName)) }
    }

    private func emitLevels(_ session: DeviceSession) {
        let (capture, playback) = session.pipeline.takeLevels()
        func level(_ l: AudioLevel) -> AudioLevelEvent.Level {
            .init(rmsDBFS: (l.rmsDBFS * 10).rounded() / 10, peakDBFS: (l.peakDBFS * 10).rounded() / 10)
        }
        emit(AudioLevelEvent(capture: level(capture), playback: level(playback), muted: session.pipeline.controls.mute))
    }

    private func publishDeviceStatus(_ session: DeviceSession) {
        status.withLock { s in
            s.capture = session.captureStatus
            s.playback = session.playbackStatus
        }
    }
}
