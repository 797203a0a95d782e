import MediaCore

/// The sending side of one RTP stream (RFC 3550 §5.1): random SSRC, random initial sequence number and
/// timestamp, the marker bit on the first packet of a talkspurt, and a timestamp that follows the sampling clock
/// even while nothing is sent (hold, silence), so the receiver's playout stays aligned.
public struct RTPPacketizer: Sendable {
    public let ssrc: UInt32
    public private(set) var sequence: UInt16
    public private(set) var timestamp: UInt32
    public private(set) var packetsSent: UInt64 = 0
    public private(set) var payloadBytesSent: UInt64 = 0
    private var talkspurtStart = true

    public init<R: RandomNumberGenerator>(using random: inout R) {
        ssrc = UInt32.random(in: 1...UInt32.max, using: &random)
        sequence = UInt16.random(in: 0...UInt16.max, using: &random)
        timestamp = UInt32.random(in: 0...UInt32.max, using: &random)
    }

    public init() {
        var random = SystemRandomNumberGenerator()
        self.init(using: &random)
    }

    /// Continues a stream another process was sending (a restarted worker): same SSRC, and the sequence number and
    /// timestamp advanced by the 20 ms packets that would have gone out since `state` was taken, so to the peer
    /// the outage looks like packet loss, not a new stream.
    public init(continuing state: RTPSendState, now: UInt64, packetSamples: UInt32 = 160, packetNanoseconds: UInt64 = 20_000_000) {
        let elapsed = now > state.atNanoseconds ? (now - state.atNanoseconds) / packetNanoseconds + 1 : 1
        ssrc = state.ssrc
        sequence = state.sequence &+ UInt16(truncatingIfNeeded: elapsed)
        timestamp = state.timestamp &+ UInt32(truncatingIfNeeded: elapsed) &* packetSamples
    }

    /// Where the stream stands now (reported to orch, which hands it to a restarted worker).
    public func state(at now: UInt64) -> RTPSendState { RTPSendState(ssrc: ssrc, sequence: sequence, timestamp: timestamp, atNanoseconds: now) }

    /// Writes header and payload into `buffer` and advances the stream by `samples`; returns the packet size.
    public mutating func packet(payloadType: UInt8, payload: UnsafeRawBufferPointer, samples: UInt32,
                                into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let header = RTPHeader(marker: talkspurtStart, payloadType: payloadType, sequenceNumber: sequence, timestamp: timestamp,
                               ssrc: ssrc)
        guard let size = try? header.write(into: buffer, payload: payload) else { return 0 }
        talkspurtStart = false
        sequence &+= 1
        timestamp &+= samples
        packetsSent += 1
        payloadBytesSent += UInt64(payload.count)
        return size
    }

    /// An RFC 4733 event packet: its own timestamp (the event start) and marker, the stream's sequence number.
    public mutating func eventPacket(_ event: TelephoneEventPacket, payloadType: UInt8,
                                     into buffer: UnsafeMutableRawBufferPointer) -> Int {
        var payload = [UInt8](repeating: 0, count: TelephoneEvent.size)
        _ = payload.withUnsafeMutableBytes { event.payload.write(into: $0) }
        let header = RTPHeader(marker: event.marker, payloadType: payloadType, sequenceNumber: sequence,
                               timestamp: event.timestamp, ssrc: ssrc)
        guard let size = payload.withUnsafeBytes({ try? header.write(into: buffer, payload: $0) }) else { return 0 }
        sequence &+= 1
        packetsSent += 1
        payloadBytesSent += UInt64(payload.count)
        return size
    }

    /// Time passes without a packet (muted, on hold, or an event's packets carried the time): the next audio
    /// packet starts a talkspurt.
    public mutating func skip(samples: UInt32) {
        timestamp &+= samples
        talkspurtStart = true
    }
}

/// A sending stream's position at a moment of the (host-wide) monotonic clock (`rtp_state` on the bus, as
/// `RTPStreamState`).
public struct RTPSendState: Sendable, Equatable {
    public var ssrc: UInt32
    public var sequence: UInt16
    public var timestamp: UInt32
    public var atNanoseconds: UInt64

    public init(ssrc: UInt32, sequence: UInt16, timestamp: UInt32, atNanoseconds: UInt64) {
        self.ssrc = ssrc
        self.sequence = sequence
        self.timestamp = timestamp
        self.atNanoseconds = atNanoseconds
    }
}
