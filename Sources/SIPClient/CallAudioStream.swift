import Bus
import Synchronization
import Timebase
import Wire

/// A call's audio, for programs that process it themselves: iterate the frames the peer sends (decoded, 20 ms
/// each), and `send` frames that go to the peer instead of the microphone.
///
///     let audio = try await call.audioStream()
///     for await frame in audio where !frame.isSilence {
///         try await audio.send(frame.samples.map { $0 / 2 })   // the peer hears itself 6 dB quieter
///     }
///
/// Frames come from the call's media worker's tap socket and go to its inject socket (docs/PROTOCOL.md,
/// "Media worker sockets"): while frames are sent, the microphone is ignored for this call; within 200 ms of the
/// last one it is heard again. The stream ends when the call ends or on `close()`. Iterate it from one task.
public final class CallAudioStream: AsyncSequence, Sendable {
    /// Each element is 20 ms of the peer's decoded audio.
    public typealias Element = AudioFrame

    /// The call this audio belongs to.
    public let callID: String
    /// The media worker carrying the call and the call's PCM stream ids.
    let worker: String
    let playbackStream: UInt32
    let captureStream: UInt32

    private let tap: BusEndpoint
    private let inject: BusEndpoint
    private let frames: AsyncStream<AudioFrame>
    private let continuation: AsyncStream<AudioFrame>.Continuation
    private let pump = Mutex<Task<Void, Never>?>(nil)
    private struct SendState: Sendable {
        var pacer = FramePacer()
        var pending: [Int16] = []
        var closed = false
    }
    private let sendState = Mutex(SendState())
    /// How far ahead of its due time a frame may leave (the worker queues up to 4 frames per call).
    static let lead: Duration = .milliseconds(40)

    init(callID: String, endpoints: InstanceEndpoints, worker: String, playback: UInt32, capture: UInt32) throws(BusError) {
        self.callID = callID
        self.worker = worker
        playbackStream = playback
        captureStream = capture
        var tapSpec = SocketSpec(type: .sub, connect: [endpoints.mediaTaps(worker: worker)])
        tapSpec.subscriptions = [PCMFrame.streamPrefix(playback)]
        tapSpec.maxMessageSize = Int64(PCMFrame.slotSize)
        tap = try BusEndpoint(name: "tap-\(callID)", sockets: [tapSpec], inboundBuffer: 500)
        var injectSpec = SocketSpec(type: .push, connect: [endpoints.mediaInject(worker: worker)])
        injectSpec.sendHighWaterMark = 20
        do {
            inject = try BusEndpoint(name: "inject-\(callID)", sockets: [injectSpec])
        } catch {
            tap.shutdown()
            throw error
        }
        (frames, continuation) = AsyncStream.makeStream(of: AudioFrame.self, bufferingPolicy: .bufferingNewest(500))
        let inbound = tap.inbound
        let continuation = self.continuation
        let task = Task {
            for await message in inbound where message.frames.count == 1 {
                guard let frame = AudioFrame(bytes: message.frames[0]) else { continue }
                continuation.yield(frame)
                if frame.isEndOfStream { break }
            }
            continuation.finish()
        }
        pump.withLock { $0 = task }
    }

    /// The peer's frames, in order; ends with the call. One iterator per stream.
    public func makeAsyncIterator() -> AsyncStream<AudioFrame>.Iterator { frames.makeAsyncIterator() }

    /// Sends samples to the peer (8000 Hz mono). Any length: every complete 160 samples leave as one 20 ms frame,
    /// a remainder waits for the next call. Suspends so that frames leave in real time (20 ms apart); so a loop
    /// that sends a long buffer plays it at the right speed.
    public func send(_ samples: [Int16]) async throws(SIPClientError) {
        let batch = sendState.withLock { s -> (frames: [[Int16]], closed: Bool) in
            guard !s.closed else { return ([], true) }
            s.pending += samples
            var out: [[Int16]] = []
            while s.pending.count >= AudioFrame.samplesPerFrame {
                out.append(Array(s.pending.prefix(AudioFrame.samplesPerFrame)))
                s.pending.removeFirst(AudioFrame.samplesPerFrame)
            }
            return (out, false)
        }
        if batch.closed { throw .callEnded(callID: callID) }
        for samples in batch.frames {
            let (index, due) = sendState.withLock { $0.pacer.next(now: MonotonicClock.now()) }
            let wait = (due - Self.lead).since(MonotonicClock.now())
            if wait > .zero {
                do { try await Task.sleep(for: wait) } catch { throw .cancelled }
            }
            guard let bytes = AudioFrame.encode(samples, stream: captureStream, sequence: UInt32(truncatingIfNeeded: index),
                                                timestamp: index &* UInt64(AudioFrame.samplesPerFrame)) else {
                throw .invalidAudioFrame(problem: "the frame could not be encoded")
            }
            if sendState.withLock({ $0.closed }) { throw .callEnded(callID: callID) }
            inject.send([bytes])
        }
    }

    /// Sends one 20 ms frame (160 samples, 8000 Hz, mono), paced like `send(_:)`.
    public func send(frame: AudioFrame) async throws(SIPClientError) {
        guard frame.sampleRate == AudioFrame.callSampleRate, frame.channels == 1 else {
            throw .invalidAudioFrame(problem: "\(frame.sampleRate) Hz with \(frame.channels) channels")
        }
        guard frame.samples.count == AudioFrame.samplesPerFrame else {
            throw .invalidAudioFrame(problem: "\(frame.samples.count) samples instead of \(AudioFrame.samplesPerFrame)")
        }
        try await send(frame.samples)
    }

    /// Frames sent so far.
    public var framesSent: UInt64 { sendState.withLock { $0.pacer.count } }

    /// Ends the stream and closes its sockets; the microphone is heard again within 200 ms. Idempotent.
    public func close() {
        let first = sendState.withLock { s -> Bool in
            defer { s.closed = true }
            return !s.closed
        }
        guard first else { return }
        tap.shutdown()
        inject.shutdown()
        pump.withLock { $0?.cancel() }
        continuation.finish()
    }
}
