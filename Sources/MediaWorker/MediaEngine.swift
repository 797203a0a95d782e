import Foundation
import JitterBuffer
import MediaCore
import NIOCore
import NIOPosix
import Timebase
import Wire

/// The media worker's engine: the adapter around every session's `MediaSessionCore`. One event loop thread carries
/// them all: RTP arrives on it (NIO datagram channels) and goes to the session's core; a 20 ms tick scheduled at
/// absolute deadlines (so it does not drift) runs every core's tick. The engine performs what the cores return:
/// datagrams written, frames handed to the playout sink, recordings, bus events. The per-call cost is a few
/// microseconds of work per tick and no thread of its own.
///
/// Commands from the bus are in `MediaEngine+Commands.swift`; this file holds the loop, the sockets and the mapping
/// of actions to I/O.
///
/// Thread-safety: all mutable state is touched only on `loop`; public methods hop onto it. Frames to send come from
/// the bus thread through `inbox`.
public final class MediaEngine: @unchecked Sendable {
    /// Publishes an event on the bus (through orch).
    public typealias Emit = @Sendable (any WireEvent) -> Void

    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let loop: any EventLoop
    let emit: Emit
    let audio: (any MediaPlayoutSink)?
    var sessions: [String: MediaSession] = [:]
    /// Started sessions by the stream their frames to send come on (loop only).
    var sessionByCapture: [UInt32: MediaSession] = [:]
    /// Frames to send, from the bus thread, taken at each tick into `captured` (whose storage is reused).
    private let inbox = CaptureInbox()
    private var captured = CaptureInbox.Batch(capacity: 256)
    /// What the cores ask for, reused by every call: lent out by `withActions` for one call and performed and
    /// cleared right after it.
    private var actionStore = MediaActions()
    /// Every datagram is written from this buffer (NIO is done with it once the write returns, so it is reused).
    private var sendBuffer = ByteBufferAllocator().buffer(capacity: 2048)
    var host = "127.0.0.1"
    var jitterConfiguration = JitterBufferConfiguration()
    private var tickIndex: Int64 = 0
    private var tickOrigin: UInt64 = 0
    private var scheduled: Scheduled<Void>?
    public static let frameNanoseconds: UInt64 = 20_000_000

    public init(audio: (any MediaPlayoutSink)?, emit: @escaping Emit) {
        self.loop = group.next()
        self.audio = audio
        self.emit = emit
    }

    public func setHost(_ host: String) { loop.execute { self.host = host } }

    /// Jitter buffer settings for calls started from now on (`rtp.jitter_min_ms` / `rtp.jitter_max_ms`).
    public func setJitterBuffer(_ configuration: JitterBufferConfiguration) { loop.execute { self.jitterConfiguration = configuration } }

    /// Starts the 20 ms tick.
    public func start() {
        loop.execute {
            self.tickOrigin = MonotonicClock.now().unsignedNanoseconds
            self.tickIndex = 0
            self.scheduleNextTick()
        }
    }

    public func shutdown() async {
        _ = try? await loop.submit { () -> [any Channel] in
            self.scheduled?.cancel()
            let channels = self.sessions.values.flatMap { [$0.rtp, $0.rtcp].compactMap { $0 } }
            self.sessions.removeAll()
            return channels
        }.flatMap { channels in
            EventLoopFuture.andAllComplete(channels.map { $0.close() }, on: self.loop)
        }.get()
        try? await group.shutdownGracefully()
    }

    /// A frame to send on the call whose capture stream is `stream` (see `MediaSessionCore.setCapture`), from the
    /// bus thread: `write` puts its 160 samples in place (returning false drops the frame). The loop takes it at
    /// its next tick. Returns false when the frame was dropped.
    /// - Parameter origin: the frame's origin stamp (monotonic ns on this host), 0 for none.
    @discardableResult
    func captured(stream: UInt32, injected: Bool, origin: UInt64, write: (UnsafeMutableBufferPointer<Int16>) -> Bool) -> Bool {
        inbox.put(stream: stream, injected: injected, origin: origin, at: MonotonicClock.now(), write: write)
    }

    private func takeCaptured() {
        inbox.take(into: &captured)
        for i in 0..<captured.count {
            let frame = captured.entries[i]
            guard let session = sessionByCapture[frame.stream] else { continue }
            captured.withSamples(of: i) { session.core.setCapture($0, injected: frame.injected, origin: frame.origin, now: frame.at) }
        }
    }

    func bind(host: String, port: Int, session: MediaSession, socket: MediaSocket) async throws -> any Channel {
        let engine = self
        return try await DatagramBootstrap(group: loop)
            .channelOption(.socketOption(.so_reuseaddr), value: 0)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(MediaDatagramHandler(engine: engine, session: session, socket: socket))
                }
            }
            .bind(host: host, port: port).get()
    }

    // MARK: the loop

    /// A datagram for `session` (on the loop).
    func received(_ session: MediaSession, on socket: MediaSocket, from source: SocketAddress, bytes: UnsafeRawBufferPointer) {
        guard !session.released, let from = MediaAddress(source) else { return }
        withActions { actions in
            session.core.receive(packet: bytes, on: socket, from: from, now: MonotonicClock.now(), into: &actions)
            if !actions.isEmpty { perform(session, &actions) }
        }
    }

    private func scheduleNextTick() {
        tickIndex += 1
        let deadline = tickOrigin + UInt64(tickIndex) * Self.frameNanoseconds
        scheduled = loop.scheduleTask(deadline: .uptimeNanoseconds(deadline)) { [self] in
            let now = MonotonicClock.now()
            let ns = now.unsignedNanoseconds
            // After a stall, catch up at most 5 ticks; beyond that, re-anchor the clock.
            let behind = Int64((ns - min(ns, deadline)) / Self.frameNanoseconds)
            if behind > 5 {
                tickOrigin = ns
                tickIndex = 0
            }
            tick(now: now)
            scheduleNextTick()
        }
    }

    private func tick(now: MonotonicTime) {
        takeCaptured()
        let wallClock = Self.wallClock()
        // The core skips a session that is not started. (Asking it first, `session.core.isStarted`, would copy the
        // whole core out of the class to read one property: a measurable share of the tick.)
        withActions { actions in
            for session in sessions.values {
                session.core.tick(now: now, wallClock: wallClock, into: &actions)
                if !actions.isEmpty { perform(session, &actions) }
            }
        }
    }

    /// Lends the reusable actions to `body` as a local: reading them through `self` would copy the whole struct
    /// (every array retained and released) for each packet.
    func withActions<R>(_ body: (inout MediaActions) -> R) -> R {
        var actions = MediaActions.parked
        swap(&actions, &actionStore)
        defer { swap(&actions, &actionStore) }
        return body(&actions)
    }

    /// Performs and clears what `session`'s core asked for.
    func perform(_ session: MediaSession, _ actions: inout MediaActions) {
        for packet in actions.packets {
            guard let channel = packet.socket == .rtp ? session.rtp : session.rtcp else { continue }
            let target = session.socketAddress(for: packet.destination)
            sendBuffer.clear()
            _ = actions.withBytes(of: packet) { sendBuffer.writeBytes($0) }
            channel.writeAndFlush(AddressedEnvelope(remoteAddress: target, data: sendBuffer), promise: nil)
            if packet.origin != 0 { session.core.packetWritten(origin: packet.origin, at: MonotonicClock.now()) }
        }
        if let audio {
            for frame in actions.frames {
                actions.withSamples(of: frame) { samples in
                    audio.play(PlayedFrame(stream: frame.stream, sequence: frame.sequence, timestamp: frame.timestamp,
                                           silent: frame.silent, origin: frame.origin, samples: samples))
                }
            }
        }
        if let recorder = session.recorder {
            for recording in actions.recordings { actions.withSamples(of: recording) { recorder.add(sent: $0, received: $1) } }
        }
        for event in actions.events { emit(event.wire) }
        actions.removeAll()
    }

    /// The wall clock as RTCP sender reports carry it.
    static func wallClock() -> NTPTimestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return NTPTimestamp(unixSeconds: UInt64(ts.tv_sec), nanoseconds: UInt32(ts.tv_nsec))
    }
}

/// Hands each datagram of a session's RTP or RTCP socket to the engine, on the engine's loop.
final class MediaDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    private let engine: MediaEngine
    private let session: MediaSession
    private let socket: MediaSocket

    init(engine: MediaEngine, session: MediaSession, socket: MediaSocket) {
        self.engine = engine
        self.session = session
        self.socket = socket
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        envelope.data.withUnsafeReadableBytes { engine.received(session, on: socket, from: envelope.remoteAddress, bytes: $0) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {}
}
