/// Commands every supervised component answers (docs/PROTOCOL.md §4, "every component"), sent by orch.
public enum ComponentAPI {
    public static let commands: [any WireCommand.Type] = [Ping.self, Stats.self, Reconnect.self, Shutdown.self, Assume.self]

    /// `ping`: `{"pong":true,"name","pid"}`.
    public struct Ping: WireCommand, Hashable {
        public static let name = "ping"
        public static let receiver = WireReceiver.component
        public init() {}
        public init(from r: WireReader) {}
        public func write(to w: inout WireWriter) {}

        public struct Result: WireObject, Hashable {
            public var name: String
            public var pid: Int32
            public init(name: String, pid: Int32) {
                self.name = name
                self.pid = pid
            }
            public init(from r: WireReader) throws(WireError) {
                name = try r("name")
                pid = try r("pid")
            }
            public func write(to w: inout WireWriter) {
                w("pong", true)
                w("name", name)
                w("pid", pid)
            }
        }
    }

    /// `stats`: the component's counters (as in its heartbeat's `stats`; each role has its own).
    public struct Stats: WireCommand, Hashable {
        public static let name = "stats"
        public static let receiver = WireReceiver.component
        public typealias Result = JSONObject
        public init() {}
        public init(from r: WireReader) {}
        public func write(to w: inout WireWriter) {}
    }

    /// `reconnect`: the component forgets its configuration and says hello again (used by a restarted orch).
    public struct Reconnect: WireCommand, Hashable {
        public static let name = "reconnect"
        public static let receiver = WireReceiver.component
        public init() {}
        public init(from r: WireReader) {}
        public func write(to w: inout WireWriter) {}

        public struct Result: WireObject, Hashable {
            public init() {}
            public init(from r: WireReader) {}
            public func write(to w: inout WireWriter) { w("hello", true) }
        }
    }

    /// `shutdown`: `{"stopping":true}`, then the component exits.
    public struct Shutdown: WireCommand, Hashable {
        public static let name = "shutdown"
        public static let receiver = WireReceiver.component
        public init() {}
        public init(from r: WireReader) {}
        public func write(to w: inout WireWriter) {}
        public typealias Result = Stopping
    }

    /// `component.assume` (standby workers only): become the component `name`.
    public struct Assume: WireCommand, Hashable {
        public static let name = "component.assume"
        public static let receiver = WireReceiver.component
        public var name: String
        public init(name: String) { self.name = name }
        public init(from r: WireReader) throws(WireError) { name = try r("name") }
        public func write(to w: inout WireWriter) { w("name", name) }

        public struct Result: WireObject, Hashable {
            public var assumed: String
            public init(assumed: String) { self.assumed = assumed }
            public init(from r: WireReader) throws(WireError) { assumed = try r("assumed") }
            public func write(to w: inout WireWriter) { w("assumed", assumed) }
        }
    }
}

/// `{"stopping":true}`: the answer to `shutdown` (orch's and every component's).
public struct Stopping: WireObject, Hashable {
    public init() {}
    public init(from r: WireReader) {}
    public func write(to w: inout WireWriter) { w("stopping", true) }
}
