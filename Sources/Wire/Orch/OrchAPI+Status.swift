/// orch's `status` and `dtmf` (docs/PROTOCOL.md §4, orch).
extension OrchAPI {
    /// `status`: the group's components (orch first), registrations and calls.
    public struct Status: WireCommand, Hashable {
        public static let name = "status"
        public static let receiver = WireReceiver.orch
        public init() {}
        public init(from r: WireReader) {}
        public func write(to w: inout WireWriter) {}

        public struct Result: WireObject, Hashable {
            public var instance: String
            public var runDirectory: String
            public var allUp: Bool
            public var components: [ComponentStatus]
            /// The last `registration.state` of every account (without `source`).
            public var registrations: [RegistrationStateEvent]
            public var calls: [CallSummary]

            public init(instance: String, runDirectory: String, allUp: Bool, components: [ComponentStatus],
                        registrations: [RegistrationStateEvent], calls: [CallSummary]) {
                self.instance = instance
                self.runDirectory = runDirectory
                self.allUp = allUp
                self.components = components
                self.registrations = registrations
                self.calls = calls
            }

            public init(from r: WireReader) throws(WireError) {
                instance = try r("instance")
                runDirectory = try r("run_dir")
                allUp = try r("all_up")
                components = try r("components")
                registrations = try r("registrations", default: [])
                calls = try r("calls", default: [])
            }

            public func write(to w: inout WireWriter) {
                w("instance", instance)
                w("run_dir", runDirectory)
                w("all_up", allUp)
                w("components", components)
                w("registrations", registrations)
                w("calls", calls)
            }

            /// Every pid the group reports, orch's included.
            public var pids: [Int32] { components.compactMap(\.pid) }
        }
    }

    /// One process of the group as `status` shows it.
    public struct ComponentStatus: WireObject, Hashable {
        public var name: String
        public var role: String
        public var pid: Int32?
        /// `starting`, `up`, `down`, `stopping`, `stopped`.
        public var state: String
        public var restarts: Int
        /// Seconds up, to a tenth.
        public var uptimeS: Double
        /// The counters of its last heartbeat (absent before the first).
        public var stats: JSONObject?
        public var lastExit: String?
        public var degraded: Bool
        public var standby: Bool
        public var external: Bool

        public init(name: String, role: String, pid: Int32?, state: String, restarts: Int, uptimeS: Double, stats: JSONObject? = nil,
                    lastExit: String? = nil, degraded: Bool = false, standby: Bool = false, external: Bool = false) {
            self.name = name
            self.role = role
            self.pid = pid
            self.state = state
            self.restarts = restarts
            self.uptimeS = uptimeS
            self.stats = stats
            self.lastExit = lastExit
            self.degraded = degraded
            self.standby = standby
            self.external = external
        }

        public init(from r: WireReader) throws(WireError) {
            name = try r("name")
            role = try r("role")
            pid = try r.optional("pid")
            state = try r("state")
            restarts = try r("restarts")
            uptimeS = try r("uptime_s")
            stats = try r.optional("stats")
            lastExit = try r.optional("last_exit")
            degraded = try r("degraded", default: false)
            standby = try r("standby", default: false)
            external = try r("external", default: false)
        }

        public func write(to w: inout WireWriter) {
            w("name", name)
            w("role", role)
            w.nullable("pid", pid)
            w("state", state)
            w("restarts", restarts)
            w("uptime_s", uptimeS)
            if let stats, !stats.isEmpty { w("stats", stats) }
            w("last_exit", lastExit)
            w("degraded", degraded, omittingIf: false)
            w("standby", standby, omittingIf: false)
            w("external", external, omittingIf: false)
        }
    }

    /// `dtmf {"call"?,"digits","duration_ms"?,"method"?}`: RFC 4733 by the call's media worker (`media.dtmf`, the
    /// default), or SIP INFO by sig (`call.dtmf_info`).
    public struct DTMF: WireCommand, Hashable {
        public static let name = "dtmf"
        public static let receiver = WireReceiver.orch
        public var call: CallID?
        public var digits: String
        public var durationMs: Int?
        public var method: DTMFReceivedEvent.Method?

        public init(call: CallID? = nil, digits: String, durationMs: Int? = nil, method: DTMFReceivedEvent.Method? = nil) {
            self.call = call
            self.digits = digits
            self.durationMs = durationMs
            self.method = method
        }

        public init(from r: WireReader) throws(WireError) {
            call = try r.optional("call")
            digits = try r("digits")
            durationMs = try r.optional("duration_ms")
            method = try r.optional("method")
            guard method == nil || method == .rfc4733 || method == .info else {
                throw r.error("dtmf method must be rfc4733 (the default) or info")
            }
        }

        public func write(to w: inout WireWriter) {
            w("call", call)
            w("digits", digits)
            w("duration_ms", durationMs)
            w("method", method)
        }

        /// The command to send in its place, for `call` (the target orch resolved).
        public var viaWorker: (CallID) -> MediaAPI.DTMF {
            { MediaAPI.DTMF(call: $0, digits: digits, durationMs: durationMs) }
        }
        public var viaSig: (CallID) -> SigAPI.CallDTMFInfo {
            { SigAPI.CallDTMFInfo(call: $0, digits: digits, durationMs: durationMs) }
        }

        /// How many digits were queued, and (`info`) how.
        public struct Result: WireObject, Hashable {
            public var call: CallID
            public var queued: Int
            public var method: DTMFReceivedEvent.Method?
            public init(call: CallID, queued: Int, method: DTMFReceivedEvent.Method? = nil) {
                self.call = call
                self.queued = queued
                self.method = method
            }
            public init(from r: WireReader) throws(WireError) {
                call = try r("call")
                queued = try r("queued")
                method = try r.optional("method")
            }
            public func write(to w: inout WireWriter) {
                w("call", call)
                w("queued", queued)
                w("method", method)
            }
        }
    }
}
