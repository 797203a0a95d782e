/// orch's commands about the instance itself (docs/PROTOCOL.md §4, orch).
extension OrchAPI {
    /// `ping`: `{"pong":true,"pid"}`.
    public struct Ping: WireCommand, Hashable {
        public static let name = "ping"
        public static let receiver = WireReceiver.orch
        public init() {}
        public init(from r: WireReader) {}
        public func write(to w: inout WireWriter) {}

        public struct Result: WireObject, Hashable {
            public var pid: Int32
            public init(pid: Int32) { self.pid = pid }
            public init(from r: WireReader) throws(WireError) { pid = try r("pid") }
            public func write(to w: inout WireWriter) {
                w("pong", true)
                w("pid", pid)
            }
        }
    }

    /// `config`: the effective configuration, as components get it in `configure` (keys as in docs/CONFIG.md).
    public struct Config: WireCommand, Hashable {
        public static let name = "config"
        public static let receiver = WireReceiver.orch
        public typealias Result = JSONObject
        public init() {}
        public init(from r: WireReader) {}
        public func write(to w: inout WireWriter) {}
    }

    /// `probe_events`: publishes `instance.probe` with the token, so a new subscriber sees when its subscription is
    /// live; the result is the probe event's `seq`.
    public struct ProbeEvents: WireCommand, Hashable {
        public static let name = "probe_events"
        public static let receiver = WireReceiver.orch
        public var token: JSONValue
        public init(token: JSONValue) { self.token = token }
        public init(from r: WireReader) throws(WireError) { token = try r("token", default: .null) }
        public func write(to w: inout WireWriter) { w("token", token) }

        public struct Result: WireObject, Hashable {
            public var seq: UInt64
            public init(seq: UInt64) { self.seq = seq }
            public init(from r: WireReader) throws(WireError) { seq = try r("seq") }
            public func write(to w: inout WireWriter) { w("seq", seq) }
        }
    }

    /// `shutdown`: `{"stopping":true}`, then the group stops (as on SIGTERM).
    public struct Shutdown: WireCommand, Hashable {
        public static let name = "shutdown"
        public static let receiver = WireReceiver.orch
        public typealias Result = Stopping
        public init() {}
        public init(from r: WireReader) {}
        public func write(to w: inout WireWriter) {}
    }
}
