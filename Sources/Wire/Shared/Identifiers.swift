/// A call's id on the bus: chosen by orch (or by the client that places the call), never the SIP Call-ID.
public struct CallID: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible,
    ExpressibleByStringLiteral, WireString
{
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public var description: String { rawValue }
    public static func < (a: CallID, b: CallID) -> Bool { a.rawValue < b.rawValue }
}

/// A PCM stream id (docs/PROTOCOL.md §7): one per call direction, assigned by orch; the frame header's bytes 4-7.
public struct StreamID: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible,
    ExpressibleByIntegerLiteral, WireValue
{
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    public init(integerLiteral value: UInt32) { rawValue = value }
    public var description: String { String(rawValue) }
    public static func < (a: StreamID, b: StreamID) -> Bool { a.rawValue < b.rawValue }

    public init(wire json: JSONValue, at path: WirePath) throws(WireError) { rawValue = try UInt32(wire: json, at: path) }
    public var wire: JSONValue { rawValue.wire }
}

/// A call's two PCM streams: `playback` carries what the network brought (worker -> sip-audio), `capture` what is
/// sent (sip-audio or a client -> worker).
public struct PCMStreams: WireObject, Hashable {
    public var playback: StreamID
    public var capture: StreamID

    public init(playback: StreamID, capture: StreamID) {
        self.playback = playback
        self.capture = capture
    }

    public init(from r: WireReader) throws(WireError) {
        playback = try r("playback")
        capture = try r("capture")
    }

    public func write(to w: inout WireWriter) {
        w("playback", playback)
        w("capture", capture)
    }
}
