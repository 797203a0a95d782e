/// The DTMF subset of RFC 4733 events (§3.2, Table 3): codes 0-16.
public enum DTMFEvent: UInt8, Sendable, Hashable, CaseIterable {
    case digit0 = 0, digit1, digit2, digit3, digit4, digit5, digit6, digit7, digit8, digit9
    case star = 10
    case pound = 11
    case a = 12, b, c, d
    case flash = 16

    /// Maps a keypad character ("0"-"9", "*", "#", "A"-"D" any case, "!"
    /// for hook flash, the SIP INFO convention) to its event.
    public init?(character: Character) {
        guard let ascii = character.asciiValue else { return nil }
        switch ascii {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): self.init(rawValue: ascii - UInt8(ascii: "0"))
        case UInt8(ascii: "*"): self = .star
        case UInt8(ascii: "#"): self = .pound
        case UInt8(ascii: "A")...UInt8(ascii: "D"): self.init(rawValue: 12 + ascii - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "d"): self.init(rawValue: 12 + ascii - UInt8(ascii: "a"))
        case UInt8(ascii: "!"): self = .flash
        default: return nil
        }
    }

    /// The keypad character; "!" for flash.
    public var character: Character {
        switch self {
        case .star: "*"
        case .pound: "#"
        case .a: "A"
        case .b: "B"
        case .c: "C"
        case .d: "D"
        case .flash: "!"
        default: Character(Unicode.Scalar(48 + rawValue))
        }
    }
}

/// Why a telephone-event payload was rejected.
public enum TelephoneEventParseError: Error, Sendable, Equatable {
    /// Fewer than the 4 bytes of one event block.
    case truncated
}

/// One RFC 4733 §2.3 event block: event code, end bit, volume, duration.
///
///     0                   1                   2                   3
///     |     event     |E|R| volume    |          duration             |
public struct TelephoneEvent: Sendable, Hashable {
    public var event: UInt8
    public var isEnd: Bool
    /// Power level as -dBm0, 0...63 (only the low 6 bits are written).
    public var volume: UInt8
    /// Duration in RTP timestamp units since the event's timestamp.
    public var duration: UInt16

    public static let size = 4

    public init(event: UInt8, isEnd: Bool = false, volume: UInt8 = 10, duration: UInt16) {
        self.event = event
        self.isEnd = isEnd
        self.volume = volume
        self.duration = duration
    }

    /// The DTMF event, or nil for other codes (tones, line events).
    public var dtmf: DTMFEvent? { DTMFEvent(rawValue: event) }

    /// Parses the first event block of a payload. Extra bytes (further
    /// blocks) are ignored; the reserved bit is ignored as the RFC requires.
    public static func parse(_ payload: UnsafeRawBufferPointer) throws(TelephoneEventParseError) -> TelephoneEvent {
        guard payload.count >= size else { throw .truncated }
        let flags = payload.u8(1)
        return TelephoneEvent(
            event: payload.u8(0), isEnd: flags & 0x80 != 0, volume: flags & 0x3F, duration: payload.u16(2))
    }

    public static func parse(_ payload: [UInt8]) throws(TelephoneEventParseError) -> TelephoneEvent {
        let result = payload.withUnsafeBytes { bytes in
            Result { () throws(TelephoneEventParseError) -> TelephoneEvent in try parse(bytes) }
        }
        return try result.get()
    }

    /// Writes 4 bytes; returns 4, or 0 if `buffer` is too small.
    @discardableResult
    public func write(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard buffer.count >= Self.size else { return 0 }
        buffer.put8(event, at: 0)
        buffer.put8((isEnd ? 0x80 : 0) | (volume & 0x3F), at: 1)
        buffer.put16(duration, at: 2)
        return Self.size
    }

    public var bytes: [UInt8] {
        [event, (isEnd ? 0x80 : 0) | (volume & 0x3F), UInt8(duration >> 8), UInt8(duration & 0xFF)]
    }
}

/// An event packet the sender wants transmitted. The RTP session adds the
/// sequence number, SSRC and negotiated payload type.
public struct TelephoneEventPacket: Sendable, Hashable {
    /// Set on the first packet of an event (RFC 4733 §2.5.1.1).
    public var marker: Bool
    /// The event's start timestamp; constant for all its packets.
    public var timestamp: UInt32
    public var payload: TelephoneEvent

    public init(marker: Bool, timestamp: UInt32, payload: TelephoneEvent) {
        self.marker = marker
        self.timestamp = timestamp
        self.payload = payload
    }
}
