import Bus
import Foundation
import Synchronization
import Wire

/// A worker's PCM connections on the bus (docs/PROTOCOL.md §7): decoded frames PUSHed to sip-audio
/// (`audio-out.sock`) and PUBlished on the worker's tap socket (the client library subscribes per stream);
/// frames to send come from sip-audio's capture PUB (`audio-in.sock`) or the worker's inject PULL socket.
public final class MediaAudioLink: MediaPlayoutSink {
    private let endpoint: BusEndpoint
    public let tapAddress: String
    public let injectAddress: String
    private let pump: Task<Void, Never>?
    /// Frames to send that were dropped: multipart, malformed, or not 20 ms of 8 kHz mono (docs/PROTOCOL.md §7).
    private let rejected = FrameCounter()

    /// Socket indices in `endpoint`.
    private static let playback = 0, taps = 1, capture = 2, inject = 3
    /// Origin stamps (docs/PROTOCOL.md §7) are CLOCK_MONOTONIC readings, comparable only with sip-audio on this host.
    private let stampsComparable: Bool
    /// The engine frames to send go to, once attached (frames before that are dropped: no call is started yet).
    private let target = EngineBox()

    final class EngineBox: Sendable {
        let engine = Mutex<MediaEngine?>(nil)
    }

    /// sip-audio's PCM sockets on another host (`remote.audio_listen`): frames to play, captured frames, and the
    /// CURVE client keys (sip-audio proves itself with the instance key).
    public struct RemoteAudio: Sendable {
        public var playback: String
        public var capture: String
        public var security: SocketSecurity

        public init(playback: String, capture: String, security: SocketSecurity) {
            self.playback = playback
            self.capture = capture
            self.security = security
        }
    }

    /// - Parameter remote: sip-audio is on another host; nil: its sockets in `runDirectory`. The tap and inject sockets
    ///   are always bound in `runDirectory` (the client library on this host uses them).
    public init(runDirectory: String, worker: String, remote: RemoteAudio? = nil) throws(BusError) {
        let endpoints = InstanceEndpoints(runDirectory: runDirectory)
        tapAddress = endpoints.mediaTaps(worker: worker)
        injectAddress = endpoints.mediaInject(worker: worker)
        var playback = SocketSpec(type: .push, connect: [remote?.playback ?? endpoints.audioPlayback])
        playback.security = remote?.security ?? .none
        playback.sendHighWaterMark = 50
        playback.immediate = true  // no stale audio queued for an absent sip-audio
        var taps = SocketSpec(type: .pub, bind: [tapAddress])
        taps.sendHighWaterMark = 200
        var capture = SocketSpec(type: .sub, connect: [remote?.capture ?? endpoints.audioCapture])
        capture.security = remote?.security ?? .none
        capture.subscriptions = []  // only the streams of this worker's calls (captureStreamChanged)
        capture.receiveHighWaterMark = 100
        capture.maxMessageSize = Int64(PCMFrame.slotSize)
        var inject = SocketSpec(type: .pull, bind: [injectAddress])
        inject.receiveHighWaterMark = 100
        inject.maxMessageSize = Int64(PCMFrame.slotSize)
        let target = self.target, rejected = self.rejected, stamps = remote == nil
        // Decoded and queued on the endpoint's thread: no task hop per frame.
        endpoint = try BusEndpoint(name: "media-\(worker)", sockets: [playback, taps, capture, inject], inboundBuffer: 400) { message in
            guard let engine = target.engine.withLock({ $0 }) else { return }
            Self.deliver(message, to: engine, rejected: rejected, stamps: stamps)
        }
        pump = nil
        stampsComparable = stamps
    }

    /// Delivers captured and injected frames to the engine (dropping malformed ones).
    public func attach(to engine: MediaEngine) -> Task<Void, Never> {
        target.engine.withLock { $0 = engine }
        let inbound = endpoint.inbound
        return Task { for await _ in inbound {} }  // ends when the endpoint stops
    }

    private static func deliver(_ message: BusMessage, to engine: MediaEngine, rejected: FrameCounter, stamps: Bool) {
        guard message.frames.count == 1 else { rejected.value.add(1, ordering: .relaxed); return }
        let decoded = message.frames[0].withUnsafeBytes { raw -> (UInt32, [Int16], UInt64)? in
            guard let header = try? PCMFrame.decodeHeader(raw), header.sampleRate == 8000, header.channels == 1,
                  header.sampleCount == 160 else { return nil }
            var samples = [Int16](repeating: 0, count: 160)
            let ok = samples.withUnsafeMutableBufferPointer { (try? PCMFrame.readSamples(raw, header: header, into: $0)) != nil }
            return ok ? (header.streamID, samples, stamps ? header.origin : 0) : nil
        }
        guard let (stream, samples, origin) = decoded else { rejected.value.add(1, ordering: .relaxed); return }
        engine.captured(stream: stream, samples: samples, injected: message.socket == inject, origin: origin)
    }

    public func play(session: MediaSession, samples: [Int16], silent: Bool, stream: UInt32) {
        let header = PCMFrameHeader.twentyMilliseconds(streamID: stream, sequence: session.playbackSequence,
                                                       timestamp: session.playbackTimestamp, sampleRate: 8000, channels: 1,
                                                       flags: silent ? [.silence] : [],
                                                       origin: stampsComparable ? session.playoutOrigin : 0)
        var frame = [UInt8](repeating: 0, count: header.frameBytes)
        let ok = frame.withUnsafeMutableBytes { out in
            samples.withUnsafeBufferPointer { (try? PCMFrame.encode(header, samples: $0, into: out)) != nil }
        }
        guard ok else { return }
        endpoint.send([frame], on: Self.playback)
        endpoint.send([frame], on: Self.taps)
    }

    public func endStream(_ session: MediaSession) {
        guard let stream = session.spec?.playbackStream else { return }
        let header = PCMFrameHeader.twentyMilliseconds(streamID: stream, sequence: session.playbackSequence,
                                                       timestamp: session.playbackTimestamp, sampleRate: 8000, channels: 1,
                                                       flags: [.silence, .endOfStream])
        var frame = [UInt8](repeating: 0, count: header.frameBytes)
        let silence = [Int16](repeating: 0, count: 160)
        _ = frame.withUnsafeMutableBytes { out in silence.withUnsafeBufferPointer { try? PCMFrame.encode(header, samples: $0, into: out) } }
        endpoint.send([frame], on: Self.playback)
        endpoint.send([frame], on: Self.taps)
    }

    public func captureStreamChanged(from old: UInt32?, to new: UInt32?) {
        if let old { endpoint.setSubscription(PCMFrame.streamPrefix(old), false, on: Self.capture) }
        if let new { endpoint.setSubscription(PCMFrame.streamPrefix(new), true, on: Self.capture) }
    }

    public var counters: BusCounters { endpoint.stats }
    public var rejectedFrames: Int { rejected.value.load(ordering: .relaxed) }

    public func shutdown() {
        endpoint.shutdown()
        for address in [tapAddress, injectAddress] { unlink(String(address.dropFirst("ipc://".count))) }
    }
}

/// A counter shared with the pump task (an `Atomic` itself cannot be captured).
final class FrameCounter: Sendable {
    let value = Atomic<Int>(0)
}
