/// orch's own events about the process group (docs/PROTOCOL.md §5: `component.*`, `instance.*`, `worker.*`).
public enum SupervisionEvents {
    public static let all: [any WireEvent.Type] = [
        ComponentUpEvent.self, ComponentDownEvent.self, ComponentRestartedEvent.self, ComponentHungEvent.self,
        ComponentDegradedEvent.self, InstanceStoppingEvent.self, InstanceProbeEvent.self, InstanceAliveEvent.self,
        WorkerAddedEvent.self, WorkerDrainingEvent.self, WorkerRemovedEvent.self, WorkerRefusedEvent.self,
    ]
}

/// The fields every `component.*` event starts with: which component, its pid (null while it has none) and how often
/// it was restarted.
public struct ComponentIdentity: WireObject, Hashable {
    public var name: String
    public var role: String
    public var pid: Int32?
    public var restarts: Int

    public init(name: String, role: String, pid: Int32?, restarts: Int) {
        self.name = name
        self.role = role
        self.pid = pid
        self.restarts = restarts
    }

    public init(from r: WireReader) throws(WireError) {
        name = try r("name")
        role = try r("role")
        pid = try r.optional("pid")
        restarts = try r("restarts")
    }

    public func write(to w: inout WireWriter) {
        w("name", name)
        w("role", role)
        w.nullable("pid", pid)
        w("restarts", restarts)
    }
}

/// `component.up`: a component said hello and was configured, or was adopted after an orch restart.
public struct ComponentUpEvent: WireEvent, Hashable {
    public static let type = "component.up"
    public var component: ComponentIdentity
    public var adopted: Bool

    public init(_ component: ComponentIdentity, adopted: Bool = false) {
        self.component = component
        self.adopted = adopted
    }

    public init(from r: WireReader) throws(WireError) {
        component = try ComponentIdentity(from: r)
        adopted = try r("adopted", default: false)
    }

    public func write(to w: inout WireWriter) {
        component.write(to: &w)
        w("adopted", adopted, omittingIf: false)
    }
}

/// `component.down`: a component exited or could not be started.
public struct ComponentDownEvent: WireEvent, Hashable {
    public static let type = "component.down"
    public var component: ComponentIdentity
    public var reason: String
    /// When it is restarted (null: not by orch, an external component that is waited for).
    public var restartInMs: Int?
    /// The warm standby taking its place at once.
    public var standby: String?
    /// Started by someone else (`supervision.external`, a joining worker): not restarted by orch.
    public var external: Bool

    public init(_ component: ComponentIdentity, reason: String, restartInMs: Int?, standby: String? = nil, external: Bool = false) {
        self.component = component
        self.reason = reason
        self.restartInMs = restartInMs
        self.standby = standby
        self.external = external
    }

    public init(from r: WireReader) throws(WireError) {
        component = try ComponentIdentity(from: r)
        reason = try r("reason")
        restartInMs = try r.optional("restart_in_ms")
        standby = try r.optional("standby")
        external = try r("external", default: false)
    }

    public func write(to w: inout WireWriter) {
        component.write(to: &w)
        w("reason", reason)
        w.nullable("restart_in_ms", restartInMs)
        w("standby", standby)
        w("external", external, omittingIf: false)
    }
}

/// `component.restarted`: a restarted component is up again.
public struct ComponentRestartedEvent: WireEvent, Hashable {
    public static let type = "component.restarted"
    public var component: ComponentIdentity
    public var previousPID: Int32?
    public var reason: String?

    public init(_ component: ComponentIdentity, previousPID: Int32?, reason: String?) {
        self.component = component
        self.previousPID = previousPID
        self.reason = reason
    }

    public init(from r: WireReader) throws(WireError) {
        component = try ComponentIdentity(from: r)
        previousPID = try r.optional("previous_pid")
        reason = try r.optional("reason")
    }

    public func write(to w: inout WireWriter) {
        component.write(to: &w)
        w.nullable("previous_pid", previousPID)
        w.nullable("reason", reason)
    }
}

/// `component.hung`: missed heartbeats or no hello: it is being killed.
public struct ComponentHungEvent: WireEvent, Hashable {
    public static let type = "component.hung"
    public var component: ComponentIdentity
    public var reason: String

    public init(_ component: ComponentIdentity, reason: String) {
        self.component = component
        self.reason = reason
    }

    public init(from r: WireReader) throws(WireError) {
        component = try ComponentIdentity(from: r)
        reason = try r("reason")
    }

    public func write(to w: inout WireWriter) {
        component.write(to: &w)
        w("reason", reason)
    }
}

/// `component.degraded`: a component went down `exitsInWindow` times within `windowS` seconds (a crash loop).
public struct ComponentDegradedEvent: WireEvent, Hashable {
    public static let type = "component.degraded"
    public var component: ComponentIdentity
    public var exitsInWindow: Int
    public var windowS: Int
    public var reason: String
    public var message: String

    public init(_ component: ComponentIdentity, exitsInWindow: Int, windowS: Int, reason: String, message: String) {
        self.component = component
        self.exitsInWindow = exitsInWindow
        self.windowS = windowS
        self.reason = reason
        self.message = message
    }

    public init(from r: WireReader) throws(WireError) {
        component = try ComponentIdentity(from: r)
        exitsInWindow = try r("exits_in_window")
        windowS = try r("window_s")
        reason = try r("reason")
        message = try r("message")
    }

    public func write(to w: inout WireWriter) {
        component.write(to: &w)
        w("exits_in_window", exitsInWindow)
        w("window_s", windowS)
        w("reason", reason)
        w("message", message)
    }
}

/// `instance.stopping`: orch begins stopping the group.
public struct InstanceStoppingEvent: WireEvent, Hashable {
    public static let type = "instance.stopping"
    public var reason: String
    public init(reason: String) { self.reason = reason }
    public init(from r: WireReader) throws(WireError) { reason = try r("reason") }
    public func write(to w: inout WireWriter) { w("reason", reason) }
}

/// `instance.probe`: the answer to `probe_events`, carrying the requester's token (any JSON).
public struct InstanceProbeEvent: WireEvent, Hashable {
    public static let type = "instance.probe"
    public var token: JSONValue
    public init(token: JSONValue) { self.token = token }
    public init(from r: WireReader) throws(WireError) { token = try r("token", default: .null) }
    public func write(to w: inout WireWriter) { w("token", token) }
}

/// `instance.alive`: every 2 s, so subscribers notice a restarted orch (a new pid, sequence numbers from 1 again).
public struct InstanceAliveEvent: WireEvent, Hashable {
    public static let type = "instance.alive"
    public var pid: Int32
    public init(pid: Int32) { self.pid = pid }
    public init(from r: WireReader) throws(WireError) { pid = try r("pid") }
    public func write(to w: inout WireWriter) { w("pid", pid) }
}

/// `worker.added`: a media worker joined the pool (`sipc workers add`).
public struct WorkerAddedEvent: WireEvent, Hashable {
    public static let type = "worker.added"
    public var name: String
    public init(name: String) { self.name = name }
    public init(from r: WireReader) throws(WireError) { name = try r("name") }
    public func write(to w: inout WireWriter) { w("name", name) }
}

/// `worker.draining`: a worker gets no new calls and leaves once its `calls` have ended.
public struct WorkerDrainingEvent: WireEvent, Hashable {
    public static let type = "worker.draining"
    public var name: String
    public var calls: Int
    public init(name: String, calls: Int) {
        self.name = name
        self.calls = calls
    }
    public init(from r: WireReader) throws(WireError) {
        name = try r("name")
        calls = try r("calls")
    }
    public func write(to w: inout WireWriter) {
        w("name", name)
        w("calls", calls)
    }
}

/// `worker.removed`: a drained worker left the pool (its pid, null if it had none).
public struct WorkerRemovedEvent: WireEvent, Hashable {
    public static let type = "worker.removed"
    public var name: String
    public var pid: Int32?
    public init(name: String, pid: Int32?) {
        self.name = name
        self.pid = pid
    }
    public init(from r: WireReader) throws(WireError) {
        name = try r("name")
        pid = try r.optional("pid")
    }
    public func write(to w: inout WireWriter) {
        w("name", name)
        w.nullable("pid", pid)
    }
}

/// `worker.refused`: a connection to `remote.listen` was refused (unknown key, or plain text).
public struct WorkerRefusedEvent: WireEvent, Hashable {
    public static let type = "worker.refused"
    public var address: String
    public var key: String
    public var message: String
    public init(address: String, key: String, message: String) {
        self.address = address
        self.key = key
        self.message = message
    }
    public init(from r: WireReader) throws(WireError) {
        address = try r("address")
        key = try r("key")
        message = try r("message")
    }
    public func write(to w: inout WireWriter) {
        w("address", address)
        w("key", key)
        w("message", message)
    }
}
