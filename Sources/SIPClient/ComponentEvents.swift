import Wire

/// What happened to a process of the group.
public enum ComponentChange: String, Sendable, Hashable {
    /// It said hello and was configured (also after an orch restart adopted it) (`component.up`).
    case up
    /// It exited or could not be started; a restart follows (`component.down`).
    case down
    /// It is back after a crash or hang (`component.restarted`).
    case restarted
    /// It missed its heartbeats and is being killed (`component.hung`).
    case hung
    /// It went down 5 times within a minute and keeps being restarted with backoff (`component.degraded`).
    case degraded
}

/// A process of the group changed (`component.*`). Calls survive a restart of most components; an application
/// may log it or tell the user audio glitched.
public struct ComponentEvent: Sendable, Equatable {
    public var change: ComponentChange
    /// `orch`, `sig`, `audio`, `rtp-1`, ...
    public var name: String
    /// `orch`, `sig`, `rtp` or `audio`.
    public var role: String
    /// The process id (the new one after a restart).
    public var pid: Int
    /// The process id before a restart.
    public var previousPID: Int?
    /// How often it has been restarted.
    public var restarts: Int
    /// Why it went down or hung: `killed by signal 9 (SIGKILL)`, `exited with status 1`, ...; nil for `up`.
    public var reason: String?

    init(_ change: ComponentChange, _ component: ComponentIdentity, previousPID: Int32? = nil, reason: String? = nil) {
        self.change = change
        name = component.name
        role = component.role
        pid = component.pid.map(Int.init) ?? 0
        self.previousPID = previousPID.map(Int.init)
        restarts = component.restarts
        self.reason = reason
    }
}
