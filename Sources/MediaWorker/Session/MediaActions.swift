import Wire

/// Which of a session's two sockets a packet leaves from.
public enum MediaSocket: Sendable, Hashable {
    case rtp
    case rtcp
}

/// What a `MediaSessionCore` asks its adapter to do after one call (`receive`, `tick`, `start`, ...): packets to
/// send, frames to play, recording frames and bus events.
///
/// The adapter owns one and passes it `inout` to every call, then performs the actions and calls `removeAll()`.
/// Bytes and samples live in storage allocated once and reused (cleared, never released), so a steady stream of
/// packets and frames costs no heap allocation: the lists keep their capacity and the storage only grows if a
/// call ever needs more than it has. Read a packet's bytes or a frame's samples only until the next `removeAll()`.
public struct MediaActions: Sendable {
    public struct Packet: Sendable, Equatable {
        public var socket: MediaSocket
        public var destination: MediaAddress
        /// The origin stamp of the captured frame this packet carries (0: none): the adapter reports the write
        /// back (`MediaSessionCore.packetWritten`) for the uplink latency.
        public var origin: UInt64
        let range: Range<Int>
    }

    /// A decoded 20 ms frame to play (PROTOCOL.md §7 header fields and the samples).
    public struct Frame: Sendable, Equatable {
        public var stream: UInt32
        public var sequence: UInt32
        public var timestamp: UInt64
        public var silent: Bool
        /// When the RTP packet holding its last sample arrived (0: none, as for silence and concealment).
        public var origin: UInt64
        let range: Range<Int>
    }

    /// One 20 ms frame of each direction for the call's recording; `received` nil when we do not receive.
    public struct Recording: Sendable, Equatable {
        let sent: Range<Int>
        let received: Range<Int>?
    }

    public enum Event: Sendable {
        case started(MediaFlow)
        case updated(MediaFlow)
        case dtmf(DTMFReceivedEvent)
        case stats(MediaStats)
        case stopped(MediaStats)

        /// The event as it goes on the bus.
        public var wire: any WireEvent {
            switch self {
            case .started(let flow): MediaStartedEvent(flow)
            case .updated(let flow): MediaUpdatedEvent(flow)
            case .dtmf(let event): event
            case .stats(let stats): MediaStatsEvent(stats)
            case .stopped(let stats): MediaStoppedEvent(stats)
            }
        }
    }

    public private(set) var packets: [Packet] = []
    public private(set) var frames: [Frame] = []
    public private(set) var recordings: [Recording] = []
    public private(set) var events: [Event] = []
    private var bytes: [UInt8]
    private var byteCount = 0
    private var samples: [Int16]
    private var sampleCount = 0
    /// Working space the core borrows within one call (a received payload decoded before the jitter buffer takes it).
    private var scratch = [Int16](repeating: 0, count: 1920)

    /// - Parameters:
    ///   - byteCapacity: packet bytes per call before the storage grows (a tick sends an audio packet, a few DTMF
    ///     packets and at times an RTCP compound).
    ///   - sampleCapacity: samples per call before the storage grows (a played frame and a recording's two frames).
    public init(byteCapacity: Int = 4096, sampleCapacity: Int = 640) {
        bytes = [UInt8](repeating: 0, count: byteCapacity)
        samples = [Int16](repeating: 0, count: sampleCapacity)
        packets.reserveCapacity(8)
        frames.reserveCapacity(2)
        recordings.reserveCapacity(2)
        events.reserveCapacity(4)
    }

    /// No storage at all: what an adapter leaves in its place while it lends its real one out (`swap`), so that
    /// the real one is used in place, never copied.
    public static let parked = MediaActions(parked: ())

    private init(parked: ()) {
        bytes = []
        samples = []
        scratch = []
    }

    public var isEmpty: Bool { packets.isEmpty && frames.isEmpty && recordings.isEmpty && events.isEmpty }

    /// Forgets every action and keeps all storage.
    public mutating func removeAll() {
        packets.removeAll(keepingCapacity: true)
        frames.removeAll(keepingCapacity: true)
        recordings.removeAll(keepingCapacity: true)
        events.removeAll(keepingCapacity: true)
        byteCount = 0
        sampleCount = 0
    }

    // MARK: reading (the adapter)

    public func withBytes<R>(of packet: Packet, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[packet.range])) }
    }

    public func withSamples<R>(of frame: Frame, _ body: (UnsafeBufferPointer<Int16>) throws -> R) rethrows -> R {
        try withSamples(in: frame.range, body)
    }

    /// The recording's two frames (`received` nil when the call does not receive).
    public func withSamples<R>(of recording: Recording,
                               _ body: (_ sent: UnsafeBufferPointer<Int16>, _ received: UnsafeBufferPointer<Int16>?) throws -> R) rethrows -> R {
        try samples.withUnsafeBufferPointer { all in
            try body(UnsafeBufferPointer(rebasing: all[recording.sent]), recording.received.map { UnsafeBufferPointer(rebasing: all[$0]) })
        }
    }

    func withSamples<R>(in range: Range<Int>, _ body: (UnsafeBufferPointer<Int16>) throws -> R) rethrows -> R {
        try samples.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    // MARK: writing (the core)

    /// Appends a packet written in place by `write` into at most `capacity` bytes (it returns the size; 0 writes
    /// nothing).
    mutating func appendPacket(_ socket: MediaSocket, to destination: MediaAddress, origin: UInt64 = 0, capacity: Int,
                               write: (UnsafeMutableRawBufferPointer) -> Int) {
        reserveBytes(capacity)
        let start = byteCount
        let size = bytes.withUnsafeMutableBytes { write(UnsafeMutableRawBufferPointer(rebasing: $0[start..<(start + capacity)])) }
        guard size > 0 else { return }
        byteCount += size
        packets.append(Packet(socket: socket, destination: destination, origin: origin, range: start..<(start + size)))
    }

    mutating func appendPacket(_ socket: MediaSocket, to destination: MediaAddress, bytes packet: [UInt8]) {
        appendPacket(socket, to: destination, capacity: packet.count) { out in
            packet.withUnsafeBytes { out.copyMemory(from: $0) }
            return packet.count
        }
    }

    /// Reserves `count` samples written in place by `write`; returns where they are.
    mutating func appendSamples(_ count: Int, write: (UnsafeMutableBufferPointer<Int16>) -> Void) -> Range<Int> {
        if sampleCount + count > samples.count { samples += [Int16](repeating: 0, count: max(count, samples.count)) }
        let range = sampleCount..<(sampleCount + count)
        samples.withUnsafeMutableBufferPointer { write(UnsafeMutableBufferPointer(rebasing: $0[range])) }
        sampleCount += count
        return range
    }

    mutating func appendSamples(_ source: UnsafeBufferPointer<Int16>) -> Range<Int> {
        appendSamples(source.count) { out in _ = out.initialize(from: source) }
    }

    /// Rewrites samples this call appended (hold music over a captured frame).
    mutating func withMutableSamples<R>(in range: Range<Int>, _ body: (UnsafeMutableBufferPointer<Int16>) -> R) -> R {
        samples.withUnsafeMutableBufferPointer { body(UnsafeMutableBufferPointer(rebasing: $0[range])) }
    }

    /// Appends a packet written by `write` from samples this call appended (`source`): an audio packet encoded
    /// straight into its datagram.
    mutating func appendPacket(_ socket: MediaSocket, to destination: MediaAddress, origin: UInt64, capacity: Int,
                               encoding source: Range<Int>,
                               write: (UnsafeMutableRawBufferPointer, UnsafeBufferPointer<Int16>) -> Int) {
        reserveBytes(capacity)
        let start = byteCount
        let size = bytes.withUnsafeMutableBytes { out in
            samples.withUnsafeBufferPointer { all in
                write(UnsafeMutableRawBufferPointer(rebasing: out[start..<(start + capacity)]), UnsafeBufferPointer(rebasing: all[source]))
            }
        }
        guard size > 0 else { return }
        byteCount += size
        packets.append(Packet(socket: socket, destination: destination, origin: origin, range: start..<(start + size)))
    }

    /// Lends `count` samples of working space for the duration of `body`.
    mutating func withScratchSamples<R>(_ count: Int, _ body: (UnsafeMutableBufferPointer<Int16>) -> R) -> R {
        if scratch.count < count { scratch = [Int16](repeating: 0, count: count) }
        return scratch.withUnsafeMutableBufferPointer { body(UnsafeMutableBufferPointer(rebasing: $0[0..<count])) }
    }

    mutating func appendFrame(_ frame: Frame) { frames.append(frame) }

    mutating func appendRecording(sent: Range<Int>, received: Range<Int>?) {
        recordings.append(Recording(sent: sent, received: received))
    }

    mutating func appendEvent(_ event: Event) { events.append(event) }

    private mutating func reserveBytes(_ count: Int) {
        if byteCount + count > bytes.count { bytes += [UInt8](repeating: 0, count: max(count, bytes.count)) }
    }
}
