/// The `config` of a `configure` message (docs/PROTOCOL.md §3.3): the instance's settings (the sections of
/// docs/CONFIG.md, read by Config's settings table into an `InstanceConfig`), plus what orch adds for the one component
/// it configures, typed here.
public struct ConfigureContent: WireObject, Hashable {
    /// Which component this configuration is for.
    public struct Component: WireObject, Hashable {
        public var name: String
        public var role: String
        public init(name: String, role: String) {
            self.name = name
            self.role = role
        }
        public init(from r: WireReader) throws(WireError) {
            name = try r("name")
            role = try r("role")
        }
        public func write(to w: inout WireWriter) {
            w("name", name)
            w("role", role)
        }
    }

    /// A media worker's place in the pool: worker `index` of `count` takes every `count`-th port pair of `rtp.ports`.
    public struct Worker: WireObject, Hashable {
        public var index: Int
        public var count: Int
        public init(index: Int, count: Int) {
            self.index = index
            self.count = count
        }
        public init(from r: WireReader) throws(WireError) {
            index = try r("index")
            count = try r("count")
        }
        public func write(to w: inout WireWriter) {
            w("index", index)
            w("count", count)
        }
    }

    /// The sections of docs/CONFIG.md (`sip`, `rtp`, `audio`, `calls`, `supervision`, `remote`, `log`) as sent.
    public var settings: JSONObject
    public var instance: String?
    public var component: Component?
    public var worker: Worker?
    /// sig only: the accounts orch keeps (the re-sync hook: a restarted sig registers them again).
    public var accounts: [AccountArgs]?

    static let ownKeys: Set<String> = ["instance", "component", "worker", "accounts"]

    public init(settings: JSONObject, instance: String? = nil, component: Component? = nil, worker: Worker? = nil,
                accounts: [AccountArgs]? = nil) {
        self.settings = settings.filter { !Self.ownKeys.contains($0.key) }
        self.instance = instance
        self.component = component
        self.worker = worker
        self.accounts = accounts
    }

    public init(from r: WireReader) throws(WireError) {
        settings = r.object.filter { !Self.ownKeys.contains($0.key) }
        instance = try r.optional("instance")
        component = try r.optional("component")
        worker = try r.optional("worker")
        accounts = try r.optional("accounts")
    }

    public func write(to w: inout WireWriter) {
        w.merge(settings)
        w("instance", instance)
        w("component", component)
        w("worker", worker)
        w("accounts", accounts)
    }
}

extension Configure {
    public init(generation: Int, restarts: Int, content: ConfigureContent) {
        self.init(generation: generation, restarts: restarts, config: content.jsonObject)
    }

    /// The typed content (`malformed` naming the field when orch's parts do not fit).
    public func content() throws(WireError) -> ConfigureContent {
        try ConfigureContent(json: config, at: WirePath("config."))
    }
}
