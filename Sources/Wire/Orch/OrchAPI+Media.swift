/// orch's commands that only forward to the call's media worker (docs/PROTOCOL.md §4, orch). `call` may be left out
/// when exactly one call is active.
extension OrchAPI {
    /// `record`: forwarded as `media.record` (`{"call"?,"path","mode"?}` to start, `{"call"?,"stop":true}` to stop).
    public struct Record: WireCommand, Hashable {
        public static let name = "record"
        public static let receiver = WireReceiver.orch
        public typealias Result = MediaAPI.Record.Result
        public var call: CallID?
        public var path: String?
        public var mode: RecordingMode?
        public var stop: Bool

        public init(call: CallID? = nil, path: String? = nil, mode: RecordingMode? = nil, stop: Bool = false) {
            self.call = call
            self.path = path
            self.mode = mode
            self.stop = stop
        }

        public init(from r: WireReader) throws(WireError) {
            call = try r.optional("call")
            path = try r.optional("path")
            mode = try r.optional("mode")
            stop = try r("stop", default: false)
        }

        public func write(to w: inout WireWriter) {
            w("call", call)
            w("path", path)
            w("mode", mode)
            w("stop", stop, omittingIf: false)
        }

        /// The worker's command for `call` (the worker checks the path and the mode).
        public func forwarded(call: CallID) -> MediaAPI.Record {
            MediaAPI.Record(call: call, path: path, mode: mode, stop: stop)
        }
    }

    /// `call_stats`: the call's media figures (`media.stats` of its worker).
    public struct CallStats: WireCommand, Hashable {
        public static let name = "call_stats"
        public static let receiver = WireReceiver.orch
        public typealias Result = MediaStats
        public var call: CallID?
        public init(call: CallID? = nil) { self.call = call }
        public init(from r: WireReader) throws(WireError) { call = try r.optional("call") }
        public func write(to w: inout WireWriter) { w("call", call) }

        public func forwarded(call: CallID) -> MediaAPI.Stats { MediaAPI.Stats(call: call) }
    }
}
