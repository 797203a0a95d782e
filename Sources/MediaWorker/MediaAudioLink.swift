import Bus
import Foundation
import Synchronization
import Wire

/// A worker's PCM connections on the bus (docs/PROTOCOL.md §7): decoded frames PUSHed to sip-audio
/// (`audio-out.sock`) and PUBlished on the worker's tap socket (the client library subscribes per stream);
/// frames to send come from sip-audio's capture PUB (`audio-in.sock`) or the worker's inject PULL socket.
///
/// No allocation or array per frame either way in steady state: frames to send are decoded on the bus thread
/// straight from libzmq's message into the engine's preallocated inbox (`BorrowedMessage`), and frames to play are
/// encoded into pooled `FrameSlot`s sent zero-copy to both the playback and the tap socket at once.
public final class MediaAudioLink: MediaPlayoutSink {
    private let endpoint: BusEndpoint
    public let tapAddress: String
    public let injectAddress: String
    private let pump: Task<Void, Never>?
    /// Frames to send that were dropped: multipart, malformed, not 20 ms of 8 kHz mono (docs/PROTOCOL.md §7), or more
    /// than the engine's inbox holds while its loop is stalled.
    private let rejected = FrameCounter()

    /// Socket indices in `endpoint`.
    private static let playback = 0, taps = 1, capture = 2, inject = 3
    /// Where a played frame goes: sip-audio and the taps.
    private static let played: BusSockets = BusSockets.socket(playback).union(.socket(taps))
    /// Slots for played frames (20 ms of 8 kHz mono with its origin stamp fits in 384 bytes).
    private let slots = FrameSlotPool(count: 64, slotCapacity: 384)
    private static let silence = [Int16](repeating: 0, count: 160)
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
        capture.borrowsFrames = true
        var inject = SocketSpec(type: .pull, bind: [injectAddress])
        inject.receiveHighWaterMark = 100
        inject.maxMessageSize = Int64(PCMFrame.slotSize)
        inject.borrowsFrames = true
        let target = self.target, rejected = self.rejected, stamps = remote == nil
        // Decoded and queued on the endpoint's thread: no task hop per frame.
        endpoint = try BusEndpoint(name: "media-\(worker)", sockets: [playback, taps, capture, inject], inboundBuffer: 400,
                                   frameHandler: { message in
                                       guard let engine = target.engine.withLock({ $0 }) else { return }
                                       Self.deliver(message, to: engine, rejected: rejected, stamps: stamps)
                                   })
        pump = nil
        stampsComparable = stamps
    }

    /// Delivers captured and injected frames to the engine (dropping malformed ones).
    public func attach(to engine: MediaEngine) -> Task<Void, Never> {
        target.engine.withLock { $0 = engine }
        let inbound = endpoint.inbound
        return Task { for await _ in inbound {} }  // ends when the endpoint stops
    }

    private static func deliver(_ message: BorrowedMessage, to engine: MediaEngine, rejected: FrameCounter, stamps: Bool) {
        let raw = message.bytes
        guard message.parts == 1, let header = try? PCMFrame.decodeHeader(raw), header.sampleRate == 8000, header.channels == 1,
              header.sampleCount == 160 else {
            rejected.value.add(1, ordering: .relaxed)
            return
        }
        let taken = engine.captured(stream: header.streamID, injected: message.socket == inject, origin: stamps ? header.origin : 0) { out in
            (try? PCMFrame.readSamples(raw, header: header, into: out)) != nil
        }
        if !taken { rejected.value.add(1, ordering: .relaxed) }
    }

    public func play(_ frame: PlayedFrame) {
        let header = PCMFrameHeader.twentyMilliseconds(streamID: frame.stream, sequence: frame.sequence, timestamp: frame.timestamp,
                                                       sampleRate: 8000, channels: 1, flags: frame.silent ? [.silence] : [],
                                                       origin: stampsComparable ? frame.origin : 0)
        send(header, samples: frame.samples)
    }

    public func endStream(_ stream: UInt32, sequence: UInt32, timestamp: UInt64) {
        let header = PCMFrameHeader.twentyMilliseconds(streamID: stream, sequence: sequence, timestamp: timestamp, sampleRate: 8000,
                                                       channels: 1, flags: [.silence, .endOfStream])
        Self.silence.withUnsafeBufferPointer { send(header, samples: $0) }
    }

    /// Encodes the frame into a free slot and sends it to sip-audio and the taps (one zero-copy message).
    private func send(_ header: PCMFrameHeader, samples: UnsafeBufferPointer<Int16>) {
        let slot = slots.take()
        guard let size = try? PCMFrame.encode(header, samples: samples, into: slot.buffer) else { return }
        endpoint.send(slot: slot, count: size, on: Self.played)
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
