// What a media worker publishes about a call's flow (docs/PROTOCOL.md §5, `media.*`); orch republishes each with
// the worker's name as `source`.

/// A call's flow as `media.started` and `media.updated` describe it: our direction, where we send RTP
/// (`host:port`), the codec and the session's local RTP port.
public struct MediaFlow: WireObject, Hashable {
    public var call: CallID
    public var direction: RTPDirection
    public var remote: String
    public var codec: CodecName
    public var localPort: UInt16

    public init(call: CallID, direction: RTPDirection, remote: String, codec: CodecName, localPort: UInt16) {
        self.call = call
        self.direction = direction
        self.remote = remote
        self.codec = codec
        self.localPort = localPort
    }

    public init(from r: WireReader) throws(WireError) {
        call = try r("call")
        direction = try r("direction")
        remote = try r("remote")
        codec = try r("codec")
        localPort = try r("local_port")
    }

    public func write(to w: inout WireWriter) {
        w("call", call)
        w("direction", direction)
        w("remote", remote)
        w("codec", codec)
        w("local_port", localPort)
    }
}

/// An event whose data is one body's fields plus `source` (the publishing component, added by orch).
public protocol BodyEvent: WireEvent {
    associatedtype Body: WireObject
    var body: Body { get }
    var source: String? { get }
    init(_ body: Body, source: String?)
}

extension BodyEvent {
    public init(from r: WireReader) throws(WireError) {
        self.init(try Body(from: r), source: try r.optional("source"))
    }

    public func write(to w: inout WireWriter) {
        body.write(to: &w)
        w("source", source)
    }
}

/// `media.started`: a worker started a call's media (its first `media.start`).
public struct MediaStartedEvent: BodyEvent, Hashable {
    public static let type = "media.started"
    public var flow: MediaFlow
    public var source: String?

    public init(_ flow: MediaFlow, source: String? = nil) {
        self.flow = flow
        self.source = source
    }

    public var body: MediaFlow { flow }
}

/// `media.updated`: a worker applied a new `media.start` in place (re-INVITE: new address, hold, resume).
public struct MediaUpdatedEvent: BodyEvent, Hashable {
    public static let type = "media.updated"
    public var flow: MediaFlow
    public var source: String?

    public init(_ flow: MediaFlow, source: String? = nil) {
        self.flow = flow
        self.source = source
    }

    public var body: MediaFlow { flow }
}

/// `media.stats`: a call's figures, every second while it has media.
public struct MediaStatsEvent: BodyEvent, Hashable {
    public static let type = "media.stats"
    public var stats: MediaStats
    public var source: String?

    public init(_ stats: MediaStats, source: String? = nil) {
        self.stats = stats
        self.source = source
    }

    public var body: MediaStats { stats }
}

/// `media.stopped`: the call's media ended; its final figures (orch turns them into `call.quality`).
public struct MediaStoppedEvent: BodyEvent, Hashable {
    public static let type = "media.stopped"
    public var stats: MediaStats
    public var source: String?

    public init(_ stats: MediaStats, source: String? = nil) {
        self.stats = stats
        self.source = source
    }

    public var body: MediaStats { stats }
}
