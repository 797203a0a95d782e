/// The media worker pool at runtime (`sipc workers`).
extension OrchAPI {
    /// `workers`: the pool.
    public struct Workers: WireCommand, Hashable {
        public static let name = "workers"
        public static let receiver = WireReceiver.orch
        public init() {}
        public init(from r: WireReader) {}
        public func write(to w: inout WireWriter) {}

        public struct Result: WireObject, Hashable {
            public var workers: [WorkerEntry]
            public init(workers: [WorkerEntry]) { self.workers = workers }
            public init(from r: WireReader) throws(WireError) { workers = try r("workers") }
            public func write(to w: inout WireWriter) { w("workers", workers) }
        }
    }

    /// One media worker as `workers` lists it.
    public struct WorkerEntry: WireObject, Hashable {
        public var name: String
        public var pid: Int32?
        /// `starting`, `up`, `down`, `stopping`, `stopped`.
        public var state: String
        public var calls: Int
        public var standby: Bool
        public var draining: Bool
        public var restarts: Int
        public var external: Bool

        public init(name: String, pid: Int32?, state: String, calls: Int, standby: Bool, draining: Bool, restarts: Int, external: Bool) {
            self.name = name
            self.pid = pid
            self.state = state
            self.calls = calls
            self.standby = standby
            self.draining = draining
            self.restarts = restarts
            self.external = external
        }

        public init(from r: WireReader) throws(WireError) {
            name = try r("name")
            pid = try r.optional("pid")
            state = try r("state")
            calls = try r("calls")
            standby = try r("standby")
            draining = try r("draining")
            restarts = try r("restarts")
            external = try r("external", default: false)
        }

        public func write(to w: inout WireWriter) {
            w("name", name)
            w.nullable("pid", pid)
            w("state", state)
            w("calls", calls)
            w("standby", standby)
            w("draining", draining)
            w("restarts", restarts)
            w("external", external)
        }
    }

    /// `workers.add {"count"?}` (1-16, default 1): starts workers named `rtp-K` (lowest free K).
    public struct WorkersAdd: WireCommand, Hashable {
        public static let name = "workers.add"
        public static let receiver = WireReceiver.orch
        public var count: Int
        public init(count: Int = 1) { self.count = count }
        public init(from r: WireReader) throws(WireError) {
            count = try r("count", default: 1)
            guard (1...16).contains(count) else { throw r.error("workers.add takes args.count from 1 to 16") }
        }
        public func write(to w: inout WireWriter) { w("count", count) }

        public struct Result: WireObject, Hashable {
            public var added: [String]
            public init(added: [String]) { self.added = added }
            public init(from r: WireReader) throws(WireError) { added = try r("added") }
            public func write(to w: inout WireWriter) { w("added", added) }
        }
    }

    /// `workers.remove {"name"}`: drains the worker (no new calls; stopped once it carries none).
    public struct WorkersRemove: WireCommand, Hashable {
        public static let name = "workers.remove"
        public static let receiver = WireReceiver.orch
        public var name: String
        public init(name: String) { self.name = name }
        public init(from r: WireReader) throws(WireError) {
            guard let name: String = try r.optional("name"), !name.isEmpty else {
                throw r.error("workers.remove needs args.name (e.g. rtp-2)")
            }
            self.name = name
        }
        public func write(to w: inout WireWriter) { w("name", name) }

        public struct Result: WireObject, Hashable {
            public var draining: String
            public var calls: Int
            public init(draining: String, calls: Int) {
                self.draining = draining
                self.calls = calls
            }
            public init(from r: WireReader) throws(WireError) {
                draining = try r("draining")
                calls = try r("calls")
            }
            public func write(to w: inout WireWriter) {
                w("draining", draining)
                w("calls", calls)
            }
        }
    }
}
