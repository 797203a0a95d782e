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
