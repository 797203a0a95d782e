import CZeroMQ
import Foundation
import Synchronization
import Wire
#if canImport(Glibc)
import Glibc
#endif

/// A message received on one of an endpoint's sockets: all its frames, routing envelope included.
public struct BusMessage: Sendable {
    /// Index of the socket in the endpoint's spec list.
    public var socket: Int
    public var frames: [[UInt8]]

    public init(socket: Int, frames: [[UInt8]]) {
        self.socket = socket
        self.frames = frames
    }
}

/// A message an endpoint lends to its `frameHandler` (sockets with `SocketSpec.borrowsFrames`): the bytes of its
/// first frame, valid only during the call, and how many frames it had. A multipart message (`parts` > 1) comes
/// with empty bytes: the path is for single-part messages such as PCM frames, which drop multipart ones.
public struct BorrowedMessage {
    /// Index of the socket in the endpoint's spec list.
    public let socket: Int
    public let bytes: UnsafeRawBufferPointer
    public let parts: Int
}

/// A set of an endpoint's sockets, by index in its spec list (at most 64).
public struct BusSockets: OptionSet, Sendable, Hashable {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public static func socket(_ index: Int) -> BusSockets { BusSockets(rawValue: 1 << UInt64(index)) }
}

/// Counters of what an endpoint could not deliver. Read at any time from any thread.
public struct BusCounters: Sendable, Equatable {
    public var received = 0
    public var sent = 0
    /// Sends refused with EAGAIN (high-water mark, no peer) and dropped.
    public var sendDropped = 0
    /// Inbound messages dropped because they had too many frames.
    public var oversizedDropped = 0
    /// Inbound messages dropped because the consumer's buffer was full.
    public var inboundOverflow = 0
}

/// Sockets owned by one dedicated thread, bridged to Swift concurrency.
///
/// libzmq sockets are not thread-safe and their calls block, so each endpoint runs a thread that creates its
/// sockets, polls them with a finite timeout, delivers inbound messages into an `AsyncStream`, and performs sends
/// queued from any thread (a `Mutex`-protected queue plus an eventfd that wakes `zmq_poll`, written only when the
/// queue was empty, so a burst of sends costs one wake-up). The cooperative pool never blocks on ZeroMQ.
///
/// A `handler` given at creation receives every inbound message on the endpoint's thread instead of the stream:
/// for work that is short and never blocks (decoding a control message, queueing a PCM frame), it saves a thread
/// hop per message, which is most of a hop's latency and of a frame's CPU.
///
/// **The allocation-free PCM path** (docs/PROTOCOL.md §7): sockets whose spec sets `borrowsFrames` hand each
/// message to `frameHandler` as a `BorrowedMessage` (the bytes stay in libzmq's message: no `[[UInt8]]`, no
/// `BusMessage`), and `send(slot:count:on:)` sends a preallocated `FrameSlot` zero-copy, as one libzmq message
/// shared by all the sockets named (take slots from a `FrameSlotPool`). Together with a receiver that decodes in
/// place and a sender that encodes into slots, frames then flow with no Swift allocation per frame in steady
/// state (libzmq's own: one small block per message sent). Control sockets keep `send(_:on:)` and `BusMessage`.
/// Used by the media worker's `MediaAudioLink`; sip-audio can adopt the same two calls.
public final class BusEndpoint: Sendable {
    public let name: String
    /// Inbound messages of every socket. One consumer only (an `AsyncStream` has one).
    public let inbound: AsyncStream<BusMessage>
    private let loop: BusLoop

    /// Creates the sockets on a new thread and returns once they are bound and connected (or throws why not).
    /// - Parameters:
    ///   - handler: called on the endpoint's thread for every inbound message (then `inbound` only ends, at
    ///     shutdown); it must return quickly and never block.
    ///   - frameHandler: called on the endpoint's thread for every message of a socket with `borrowsFrames` (those
    ///     sockets' messages are dropped without one); the same rules as `handler`, and the bytes must not be kept.
    public init(name: String, context: ZMQContext = .shared, sockets specs: [SocketSpec],
                inboundBuffer: Int = 10_000, maxFramesPerMessage: Int = WireLimits.maxFramesPerMessage,
                handler: (@Sendable (BusMessage) -> Void)? = nil,
                frameHandler: (@Sendable (BorrowedMessage) -> Void)? = nil) throws(BusError) {
        self.name = name
        let (stream, continuation) = AsyncStream.makeStream(of: BusMessage.self, bufferingPolicy: .bufferingOldest(inboundBuffer))
        self.inbound = stream
        loop = try BusLoop(name: name, context: context, specs: specs, maxFrames: maxFramesPerMessage, continuation: continuation,
                           handler: handler, frameHandler: frameHandler)
    }

    /// An endpoint nobody references any more stops its thread, so a forgotten `shutdown()` cannot keep the
    /// process alive or leak sockets.
    deinit { loop.requestStop() }

    /// Queues a message for sending on socket `socket`. Never blocks; if the socket cannot take it (high-water
    /// mark, no peer) it is dropped and counted, which is what real-time traffic wants.
    public func send(_ frames: [[UInt8]], on socket: Int = 0) { loop.send(frames, on: socket) }

    /// Queues `slot`'s first `count` bytes for sending, without copying, on every socket in `sockets` (one
    /// single-part message). The slot is in flight (`FrameSlot.isInFlight`) until libzmq is done with it; do not
    /// write it meanwhile. Never blocks; a socket that cannot take it drops it (counted in `sendDropped`).
    public func send(slot: FrameSlot, count: Int, on sockets: BusSockets) { loop.send(slot: slot, count: count, on: sockets) }

    /// Adds (or, `false`, removes) a SUB socket's subscription to `prefix`, on the endpoint's thread (in order with sends).
    /// Subscriptions count: subscribing twice needs two removals (libzmq's rule).
    public func setSubscription(_ prefix: [UInt8], _ subscribed: Bool, on socket: Int) {
        loop.socketOp(.init(socket: socket, prefix: prefix, subscribe: subscribed))
    }

    public var stats: BusCounters { loop.counters.withLock { $0 } }

    /// For each socket, the endpoint it last bound (wildcard ports resolved), or "" if it only connects.
    public var boundEndpoints: [String] { loop.bound.withLock { $0 } }

    /// Stops the thread, closes the sockets and waits until they are closed. Idempotent.
    public func shutdown() { loop.stopAndWait() }
}
