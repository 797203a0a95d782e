import Config
import Wire

/// One supervised process of the group: what to run and what to tell it after it says hello.
public struct ComponentSpec: Sendable, Equatable {
    /// Unique within the instance; also the component's routing id on the control socket ("sig", "rtp-1").
    public var name: String
    /// "sig", "rtp" or "audio".
    public var role: String
    /// Executable file name (located with `Executables.locate`).
    public var executable: String
    /// A media worker's place in the pool, sent in its `configure`.
    public var worker: ConfigureContent.Worker?
    /// sig: the accounts orch keeps, sent in its `configure` (nil until the first `register`).
    public var accounts: [AccountArgs]?
    /// A warm standby media worker: gets no calls of its own; when a worker dies it takes the dead one's name and
    /// calls (`component.assume`), and a new standby is started in its place.
    public var standby: Bool
    /// Not started by orch: the process connects by itself (a container, a worker on another host), and whoever
    /// started it restarts it. orch never signals it; a silent one is marked down and waited for.
    public var external = false
    /// Command-line arguments added to the common ones (`--standby`).
    public var arguments: [String] { standby ? ["--standby"] : [] }

    public init(name: String, role: String, executable: String, worker: ConfigureContent.Worker? = nil, standby: Bool = false) {
        self.name = name
        self.role = role
        self.executable = executable
        self.worker = worker
        self.standby = standby
    }

    /// The standard group for a configuration: sig, audio, then N rtp workers.
    public static func group(for config: InstanceConfig) -> [ComponentSpec] {
        var specs = [
            ComponentSpec(name: "sig", role: "sig", executable: "sip-sig"),
            ComponentSpec(name: "audio", role: "audio", executable: "sip-audio"),
        ]
        for i in specs.indices where config.supervision.external.contains(specs[i].role) { specs[i].external = true }
        for i in stride(from: 1, through: config.rtp.workers, by: 1) {
            specs.append(ComponentSpec(name: "rtp-\(i)", role: "rtp", executable: "sip-rtp",
                                       worker: ConfigureContent.Worker(index: i, count: config.rtp.workers)))
        }
        for i in stride(from: 1, through: config.rtp.standby, by: 1) {
            specs.append(ComponentSpec(name: "rtp-standby-\(i)", role: "rtp", executable: "sip-rtp", standby: true))
        }
        return specs
    }
}

/// Where a component is in its life, as shown by `sipc status`.
public enum ComponentState: String, Sendable, Equatable {
    /// Spawned, hello not yet received.
    case starting
    /// Said hello and keeps sending heartbeats.
    case up
    /// Exited or killed; waiting out the restart backoff.
    case down
    /// Asked to stop (instance shutting down).
    case stopping
    /// Exited during shutdown; will not be restarted.
    case stopped
}
