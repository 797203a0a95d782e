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
        guard let size = try? nextHeader(payloadType: payloadType).write(into: buffer, payload: payload) else { return 0 }
        advance(samples: samples, payloadBytes: payload.count)
        return size
    }

    /// Bytes of the header this packetizer writes (no CSRCs, no extension): where an in-place payload starts.
    public static let headerSize = RTPHeader.fixedSize

    /// Like `packet(payloadType:payload:samples:into:)` for a payload already written at `headerSize` in `buffer`
    /// (encoded straight into the datagram: no copy); writes the header and returns the packet size.
    public mutating func packet(payloadType: UInt8, payloadInPlace length: Int, samples: UInt32,
                                into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let size = try? nextHeader(payloadType: payloadType).write(into: buffer, payloadLength: length) else { return 0 }
        advance(samples: samples, payloadBytes: length)
        return size
    }

    private func nextHeader(payloadType: UInt8) -> RTPHeader {
        RTPHeader(marker: talkspurtStart, payloadType: payloadType, sequenceNumber: sequence, timestamp: timestamp, ssrc: ssrc)
    }

    private mutating func advance(samples: UInt32, payloadBytes: Int) {
        talkspurtStart = false
        sequence &+= 1
        timestamp &+= samples
        packetsSent += 1
        payloadBytesSent += UInt64(payloadBytes)
    }

    /// An RFC 4733 event packet: its own timestamp (the event start) and marker, the stream's sequence number.
    public mutating func eventPacket(_ event: TelephoneEventPacket, payloadType: UInt8,
                                     into buffer: UnsafeMutableRawBufferPointer) -> Int {
        // The 4-byte event block on the stack: no allocation per packet.
        var payload: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        let header = RTPHeader(marker: event.marker, payloadType: payloadType, sequenceNumber: sequence,
                               timestamp: event.timestamp, ssrc: ssrc)
        let written: Int? = withUnsafeMutableBytes(of: &payload) { block in
            _ = event.payload.write(into: block)
            return try? header.write(into: buffer, payload: UnsafeRawBufferPointer(block))
        }
        guard let size = written else { return 0 }
        sequence &+= 1
        packetsSent += 1
        payloadBytesSent += UInt64(TelephoneEvent.size)
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
