import Bus
import Foundation
import Synchronization
import Timebase
import Wire

/// sip-audio's PCM sockets (docs/PROTOCOL.md §2, §7): PULL `audio-out.sock` (frames to play, from media workers
/// and the client library) and PUB `audio-in.sock` (microphone frames, one stream id per call).
final class AudioBusLink: Sendable {
    private let endpoint: BusEndpoint
    private let playbackAddress: String
    private let captureAddress: String
    private let pump = Mutex<Task<Void, Never>?>(nil)
    /// `remote.audio_listen`: the same two sockets on tcp:// for media workers on other hosts (CurveZMQ).
    private let remote = Mutex<(endpoint: BusEndpoint, pump: Task<Void, Never>)?>(nil)
    /// The frame handler, set by `start` (the endpoint's thread calls it; frames before that are dropped).
    private let handler = CallbackSlot<BusMessage>()
    private let limiter = EventLimiter(interval: .seconds(5))
    private static let playback = 0, capture = 1

    init(runDirectory: String) throws(BusError) {
        let endpoints = InstanceEndpoints(runDirectory: runDirectory)
        playbackAddress = endpoints.audioPlayback
        captureAddress = endpoints.audioCapture
        var pull = SocketSpec(type: .pull, bind: [playbackAddress])
        pull.receiveHighWaterMark = 50  // a second of frames; older audio is useless
        pull.maxMessageSize = Int64(PCMFrame.slotSize)
        var pub = SocketSpec(type: .pub, bind: [captureAddress])
        pub.sendHighWaterMark = 50
        let handler = self.handler
        // Frames are queued on the endpoint's thread (a short, lock-protected copy): no task hop per frame.
        endpoint = try BusEndpoint(name: "audio", sockets: [pull, pub], inboundBuffer: 200) { message in
            if message.socket == Self.playback { handler(message) }
        }
    }

    /// Feeds arriving frames to `streams`; bad ones become `audio.error` events (at most one per cause and stream
    /// every 5 s) and are counted, never played.
    func start(streams: AudioStreams, emit: @escaping AudioEngine.Emit) {
        let inbound = endpoint.inbound
        let limiter = self.limiter
        let handle: @Sendable (BusMessage) -> Void = { message in
                guard message.frames.count == 1 else {
                    streams.countMalformed()
                    if limiter.allow("multipart") {
                        emit(AudioErrorEvent(cause: .frameMalformed,
                                             message: "a message of \(message.frames.count) parts arrived on audio-out.sock; a PCM frame is one part (docs/PROTOCOL.md §7)"))
                    }
                    return
                }
                let now = MonotonicClock.now()
                let outcome = message.frames[0].withUnsafeBytes { streams.receive($0, now: now) }
                switch outcome {
                case .queued, .unattached, .late:
                    break
                case .badFormat(let stream, let call, let detail):
                    if limiter.allow("format-\(stream)") {
                        emit(AudioErrorEvent(cause: .frameFormat,
                                             message: "stream \(stream) sent frames of \(detail); sip-audio plays 20 ms frames of 8000 Hz mono (160 samples): the sender must resample (docs/PROTOCOL.md §7). Those frames are dropped; the call goes on",
                                             call: CallID(call), stream: StreamID(stream)))
                    }
                case .malformed(let detail):
                    if limiter.allow("malformed") {
                        emit(AudioErrorEvent(cause: .frameMalformed, message: "a frame on audio-out.sock was dropped: \(detail) (docs/PROTOCOL.md §7)"))
                    }
                }
        }
        handler.set(handle)
        let task = Task { for await _ in inbound {} }
        pump.withLock { $0 = task }
    }

    /// Opens the PCM sockets for remote media workers: frames to play on `listen`'s port, captured frames on the next
    /// one. Idempotent (the first configuration wins until sip-audio restarts).
    func openRemote(listen: String, security: SocketSecurity, zapDomain: String?) throws(BusError) {
        guard remote.withLock({ $0 == nil }), handler.isSet else { return }
        let handle = handler
        var pull = SocketSpec(type: .pull, bind: [listen])
        pull.receiveHighWaterMark = 50
        pull.maxMessageSize = Int64(PCMFrame.slotSize)
        pull.security = security
        pull.zapDomain = zapDomain
        var pub = SocketSpec(type: .pub, bind: [InstanceEndpoints.nextPort(listen)])
        pub.sendHighWaterMark = 50
        pub.security = security
        pub.zapDomain = zapDomain
        let endpoint = try BusEndpoint(name: "audio-remote", sockets: [pull, pub], inboundBuffer: 200) { message in
            if message.socket == Self.playback { handle(message) }
        }
        let inbound = endpoint.inbound
        let task = Task { for await _ in inbound {} }
        remote.withLock { $0 = (endpoint, task) }
    }

    /// Publishes one microphone frame (the engine's thread; non-blocking, dropped if nobody keeps up).
    func publish(_ header: PCMFrameHeader, samples: UnsafeBufferPointer<Int16>) {
        var frame = [UInt8](repeating: 0, count: header.frameBytes)
        let ok = frame.withUnsafeMutableBytes { (try? PCMFrame.encode(header, samples: samples, into: $0)) != nil }
        guard ok else { return }
        endpoint.send([frame], on: Self.capture)
        remote.withLock { $0 }?.endpoint.send([frame], on: Self.capture)
    }

    var counters: BusCounters { endpoint.stats }

    func shutdown() {
        pump.withLock { $0?.cancel() }
        endpoint.shutdown()
        remote.withLock { r in
            r?.pump.cancel()
            r?.endpoint.shutdown()
        }
        for address in [playbackAddress, captureAddress] { unlink(String(address.dropFirst("ipc://".count))) }
    }
}

/// At most one event per key per interval: bad input repeats 50 times a second, the operator needs it once.
final class EventLimiter: Sendable {
    private let interval: Duration
    private let last = Mutex<[String: MonotonicTime]>([:])

    init(interval: Duration) { self.interval = interval }

    func allow(_ key: String) -> Bool {
        let now = MonotonicClock.now()
        return last.withLock { table in
            if let t = table[key], now.since(t) < interval { return false }
            if table.count > 1000 { table.removeAll() }
            table[key] = now
            return true
        }
    }
}
