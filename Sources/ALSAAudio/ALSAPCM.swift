import AudioIO
import CALSA
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// ALSA capture: non-blocking interleaved S16_LE reads. The engine paces by its own clock, so a read takes what
/// the device has and never waits (plugins such as `null`/`file` do not pace in real time at all).
public final class ALSACapture: AudioCaptureDevice, @unchecked Sendable {
    public let name: String
    /// What the device accepted: the rate may differ from the request (set_rate_near), channels may be the other
    /// of 1/2 when the device refused the requested count.
    public let format: AudioFormat
    /// Negotiated period size in frames.
    public let periodFrames: Int
    private let stream: ALSAPCM

    /// Opens `device` (an ALSA PCM name: "default", "plughw:0", or a name from an ALSA config) for capture,
    /// non-blocking, interleaved S16_LE, rate 8000...48000, 1 or 2 channels, a period of `periodMilliseconds`
    /// (clamped to 10...20) and a buffer of about 4 periods. Capture is started at once.
    public static func open(device: String, format: AudioFormat, periodMilliseconds: Int = 20) throws(AudioDeviceError) -> ALSACapture {
        let opened = try ALSAPCM.open(device: device, direction: .capture, format: format, periodMilliseconds: periodMilliseconds)
        return ALSACapture(opened)
    }

    private init(_ opened: ALSAPCM.Opened) {
        name = opened.stream.device
        format = opened.format
        periodFrames = opened.periodFrames
        stream = opened.stream
    }

    public var xruns: Int { stream.xruns }

    public func read(into buffer: UnsafeMutableBufferPointer<Int16>, maxFrames: Int) throws(AudioDeviceError) -> Int {
        let frames = min(maxFrames, buffer.count / format.channels)
        guard frames > 0, let base = buffer.baseAddress else { return 0 }
        return try stream.transfer("snd_pcm_readi") { pcm in snd_pcm_readi(pcm, base, snd_pcm_uframes_t(frames)) }
    }

    public func close() { stream.close() }
}

/// ALSA playback: non-blocking interleaved S16_LE writes; playback starts by itself once one period is queued.
public final class ALSAPlayback: AudioPlaybackDevice, @unchecked Sendable {
    public let name: String
    /// What the device accepted (see `ALSACapture.format`).
    public let format: AudioFormat
    /// Negotiated period size in frames.
    public let periodFrames: Int
    private let stream: ALSAPCM

    /// Opens `device` for playback; same negotiation as `ALSACapture.open`.
    public static func open(device: String, format: AudioFormat, periodMilliseconds: Int = 20) throws(AudioDeviceError) -> ALSAPlayback {
        let opened = try ALSAPCM.open(device: device, direction: .playback, format: format, periodMilliseconds: periodMilliseconds)
        return ALSAPlayback(opened)
    }

    private init(_ opened: ALSAPCM.Opened) {
        name = opened.stream.device
        format = opened.format
        periodFrames = opened.periodFrames
        stream = opened.stream
    }

    public var xruns: Int { stream.xruns }

    /// Returns the frames ALSA took; 0 when its buffer is full or after an underrun (the caller drops the period).
    public func write(_ samples: UnsafeBufferPointer<Int16>, frames: Int) throws(AudioDeviceError) -> Int {
        let count = min(frames, samples.count / format.channels)
        guard count > 0, let base = samples.baseAddress else { return 0 }
        return try stream.transfer("snd_pcm_writei") { pcm in snd_pcm_writei(pcm, base, snd_pcm_uframes_t(count)) }
    }

    public func close() { stream.close() }
}

/// One open ALSA PCM handle shared by both directions: negotiation, error mapping and xrun recovery. The handle
/// sits behind a mutex so `close()` (from any thread, or deinit) never races a read or write.
final class ALSAPCM: Sendable {
    /// What to do with a negative return code from snd_pcm_readi/writei.
    enum Action: Equatable, Sendable {
        /// Nothing to do right now (-EAGAIN, -EINTR): report 0 frames.
        case again
        /// Xrun (-EPIPE) or suspend (-ESTRPIPE): prepare/resume and carry on.
        case recover
        /// The device is gone or broken (-ENODEV, -EIO, -EBADFD, ...): report it lost.
        case fatal
    }

    /// Maps an ALSA return code (negative errno; a positive errno is read the same) to what the caller does.
    static func classify(_ errno: Int32) -> Action {
        switch errno < 0 ? -errno : errno {
        case EAGAIN, EINTR: .again
        case EPIPE, ESTRPIPE: .recover
        default: .fatal
        }
    }

    static let rates = 8000...48000
    static let channels = 1...2
    static let periodMilliseconds = 10...20

    struct Opened {
        var stream: ALSAPCM
        var format: AudioFormat
        var periodFrames: Int
    }

    /// `@unchecked`: the snd_pcm_t is only touched while the mutex is held.
    private struct State: @unchecked Sendable {
        var pcm: OpaquePointer?
        var xruns = 0
    }

    let device: String
    let direction: AudioDirection
    private let state: Mutex<State>

    private init(device: String, direction: AudioDirection, pcm: OpaquePointer) {
        self.device = device
        self.direction = direction
        state = Mutex(State(pcm: pcm))
    }

    deinit { close() }

    var xruns: Int { state.withLock { $0.xruns } }

    func close() {
        state.withLock { s in
            if let pcm = s.pcm { snd_pcm_close(pcm) }
            s.pcm = nil
        }
    }

    /// Runs one readi/writei and turns its result into frames or an error, recovering from xruns on the spot.
    func transfer(_ call: String, _ body: (OpaquePointer) -> Int) throws(AudioDeviceError) -> Int {
        try state.withLock { (s: inout State) throws(AudioDeviceError) -> Int in
            guard let pcm = s.pcm else { throw .disconnected(device: device, detail: "device was closed") }
            let n = body(pcm)
            if n >= 0 { return n }
            let code = Int32(truncatingIfNeeded: n)
            switch Self.classify(code) {
            case .again:
                return 0
            case .recover:
                let rc = recover(pcm, from: code)
                if rc < 0 {
                    throw .disconnected(device: device, detail: "\(call): \(Self.text(code)), recovery failed: \(Self.text(rc))")
                }
                if code == -EPIPE { s.xruns += 1 }
                return 0
            case .fatal:
                throw .disconnected(device: device, detail: "\(call): \(Self.text(code))")
            }
        }
    }

    /// Never blocks: snd_pcm_recover would sleep in a loop while a suspended device is not yet resumable, so
    /// resume is tried once and -EAGAIN leaves the device suspended for the next call to try again.
    private func recover(_ pcm: OpaquePointer, from code: Int32) -> Int32 {
        if code == -ESTRPIPE {
            let rc = snd_pcm_resume(pcm)
            if rc == 0 || rc == -EAGAIN { return 0 }
            // The device cannot resume (-ENOSYS on most): start over from prepare.
        }
        var rc = snd_pcm_prepare(pcm)
        if rc == 0 && direction == .capture { rc = snd_pcm_start(pcm) }
        return rc
    }

    static func text(_ code: Int32) -> String { String(cString: snd_strerror(code)) }

    // MARK: Opening

    static func open(device: String, direction: AudioDirection, format: AudioFormat,
                     periodMilliseconds: Int) throws(AudioDeviceError) -> Opened {
        // Refuse what sip-audio cannot use before ALSA gets a chance to pick something else "near" it.
        guard rates.contains(format.sampleRate) else {
            throw .unsupportedFormat(device: device, detail: "\(format.sampleRate) Hz asked; sip-audio uses \(rates.lowerBound)...\(rates.upperBound) Hz")
        }
        guard channels.contains(format.channels) else {
            throw .unsupportedFormat(device: device, detail: "\(format.channels) channels asked; sip-audio uses 1 or 2")
        }
        let ms = min(max(periodMilliseconds, Self.periodMilliseconds.lowerBound), Self.periodMilliseconds.upperBound)
        var handle: OpaquePointer?
        let rc = snd_pcm_open(&handle, device, direction == .capture ? SND_PCM_STREAM_CAPTURE : SND_PCM_STREAM_PLAYBACK,
                              SND_PCM_NONBLOCK)
        guard rc == 0, let pcm = handle else {
            if rc == -EBUSY || rc == -EAGAIN { throw .busy(device: device) }
            // -ENOENT is "Unknown PCM" or a missing /dev node, -ENODEV/-ENXIO a card that is gone; anything else
            // (bad config, permissions) also means this name cannot be used, and the detail says why.
            throw .notFound(device: device, detail: text(rc))
        }
        do {
            let (accepted, period) = try configure(pcm, device: device, direction: direction, format: format, milliseconds: ms)
            return Opened(stream: ALSAPCM(device: device, direction: direction, pcm: pcm), format: accepted, periodFrames: period)
        } catch {
            snd_pcm_close(pcm)
            throw error
        }
    }

    /// A failed setup step: a vanished or busy device says so; anything else is a format the device refuses.
    private static func check(_ rc: Int32, _ step: @autoclosure () -> String, device: String) throws(AudioDeviceError) {
        guard rc < 0 else { return }
        switch -rc {
        case EBUSY: throw .busy(device: device)
        case ENOENT, ENODEV, ENXIO: throw .notFound(device: device, detail: "\(step()): \(text(rc))")
        default: throw .unsupportedFormat(device: device, detail: "\(step()) (\(text(rc)))")
        }
    }

    private static func configure(_ pcm: OpaquePointer, device: String, direction: AudioDirection, format: AudioFormat,
                                  milliseconds: Int) throws(AudioDeviceError) -> (AudioFormat, Int) {
        var hwp: OpaquePointer?
        guard snd_pcm_hw_params_malloc(&hwp) == 0, let hw = hwp else {
            throw .unsupportedFormat(device: device, detail: "out of memory for hardware parameters")
        }
        defer { snd_pcm_hw_params_free(hw) }
        try check(snd_pcm_hw_params_any(pcm, hw), "no hardware configuration", device: device)
        try check(snd_pcm_hw_params_set_access(pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED), "no interleaved access", device: device)
        try check(snd_pcm_hw_params_set_format(pcm, hw, SND_PCM_FORMAT_S16_LE), "no S16_LE sample format", device: device)

        // Take the other of 1/2 channels rather than fail: the engine up/down-mixes.
        var channels = UInt32(format.channels)
        if snd_pcm_hw_params_set_channels(pcm, hw, channels) < 0 {
            let other: UInt32 = channels == 1 ? 2 : 1
            try check(snd_pcm_hw_params_set_channels(pcm, hw, other), "neither 1 nor 2 channels", device: device)
            channels = other
        }

        var low = UInt32(rates.lowerBound), high = UInt32(rates.upperBound)
        var lowDir: Int32 = 0, highDir: Int32 = 0
        try check(snd_pcm_hw_params_set_rate_minmax(pcm, hw, &low, &lowDir, &high, &highDir),
                  "no rate in \(rates.lowerBound)...\(rates.upperBound) Hz", device: device)
        var rate = UInt32(format.sampleRate)
        var dir: Int32 = 0
        try check(snd_pcm_hw_params_set_rate_near(pcm, hw, &rate, &dir), "no rate near \(format.sampleRate) Hz", device: device)

        var period = snd_pcm_uframes_t(Int(rate) * milliseconds / 1000)
        try check(snd_pcm_hw_params_set_period_size_near(pcm, hw, &period, &dir),
                  "no period near \(milliseconds) ms", device: device)
        var buffer = period * 4
        try check(snd_pcm_hw_params_set_buffer_size_near(pcm, hw, &buffer), "no buffer of 4 periods", device: device)
        try check(snd_pcm_hw_params(pcm, hw), "hardware parameters refused", device: device)
        snd_pcm_hw_params_get_rate(hw, &rate, &dir)
        snd_pcm_hw_params_get_channels(hw, &channels)
        snd_pcm_hw_params_get_period_size(hw, &period, &dir)

        var swp: OpaquePointer?
        guard snd_pcm_sw_params_malloc(&swp) == 0, let sw = swp else {
            throw .unsupportedFormat(device: device, detail: "out of memory for software parameters")
        }
        defer { snd_pcm_sw_params_free(sw) }
        try check(snd_pcm_sw_params_current(pcm, sw), "no software parameters", device: device)
        // Playback starts by itself once a period is queued; capture is started explicitly below.
        try check(snd_pcm_sw_params_set_start_threshold(pcm, sw, direction == .playback ? period : 1),
                  "start threshold refused", device: device)
        try check(snd_pcm_sw_params_set_avail_min(pcm, sw, period), "avail_min refused", device: device)
        try check(snd_pcm_sw_params(pcm, sw), "software parameters refused", device: device)

        try check(snd_pcm_prepare(pcm), "prepare failed", device: device)
        if direction == .capture { try check(snd_pcm_start(pcm), "start failed", device: device) }
        return (AudioFormat(sampleRate: Int(rate), channels: Int(channels)), Int(period))
    }
}
