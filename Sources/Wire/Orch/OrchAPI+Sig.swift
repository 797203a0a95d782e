/// orch's commands that sig carries out (docs/PROTOCOL.md §4, orch): orch picks the call when it may be left out, and
/// forwards to sig's command of the same verb; the result is sig's.
extension OrchAPI {
    /// `register`: forwarded to sig as `account.add`; orch keeps the account and hands it to a restarted sig.
    public struct Register: WireCommand, Hashable {
        public static let name = "register"
        public static let receiver = WireReceiver.orch
        public var account: AccountArgs

        public init(_ account: AccountArgs) { self.account = account }

        public init(from r: WireReader) throws(WireError) {
            guard let aor: String = try? r("aor"), !aor.isEmpty else {
                throw r.error("register needs args.aor, e.g. sip:alice@example.com")
            }
            account = try AccountArgs(from: r)
        }

        public func write(to w: inout WireWriter) { account.write(to: &w) }

        public typealias Result = SigAPI.AccountStatus
    }

    /// `unregister {"aor"}`: forwarded as `account.remove`.
    public struct Unregister: WireCommand, Hashable {
        public static let name = "unregister"
        public static let receiver = WireReceiver.orch
        public var aor: String

        public init(aor: String) { self.aor = aor }

        public init(from r: WireReader) throws(WireError) {
            guard let aor: String = try? r("aor") else { throw r.error("unregister needs args.aor") }
            self.aor = aor
        }

        public func write(to w: inout WireWriter) { w("aor", aor) }

        public typealias Result = SigAPI.AccountStatus
    }

    /// `reject`: sig answers the INVITE with `code` (default 486); `call` may be left out when one call is waiting.
    public struct Reject: WireCommand, Hashable {
        public static let name = "reject"
        public static let receiver = WireReceiver.orch
        public var call: CallID?
        public var code: Int?
        public var reason: String?

        public init(call: CallID? = nil, code: Int? = nil, reason: String? = nil) {
            self.call = call
            self.code = code
            self.reason = reason
        }

        public init(from r: WireReader) throws(WireError) {
            call = try r.optional("call")
            code = try r.optional("code")
            reason = try r.optional("reason")
        }

        public func write(to w: inout WireWriter) {
            w("call", call)
            w("code", code)
            w("reason", reason)
        }

        public typealias Result = CallReference
    }

    /// `hangup {"call"?}` or `{"all":true}`: CANCEL before an answer, BYE after.
    public struct Hangup: WireCommand, Hashable {
        public static let name = "hangup"
        public static let receiver = WireReceiver.orch
        public var call: CallID?
        public var all: Bool

        public init(call: CallID? = nil, all: Bool = false) {
            self.call = call
            self.all = all
        }

        public init(from r: WireReader) throws(WireError) {
            call = try r.optional("call")
            all = try r("all", default: false)
        }

        public func write(to w: inout WireWriter) {
            w("call", call)
            w("all", all, omittingIf: false)
        }

        public struct Result: WireObject, Hashable {
            public var hungUp: [CallID]
            public init(hungUp: [CallID]) { self.hungUp = hungUp }
            public init(from r: WireReader) throws(WireError) { hungUp = try r("hung_up") }
            public func write(to w: inout WireWriter) { w("hung_up", hungUp) }
        }
    }

    /// `hold {"call"?,"direction"?}`: sig's `call.hold`; answers once the peer accepted the re-INVITE.
    public struct Hold: WireCommand, Hashable {
        public static let name = "hold"
        public static let receiver = WireReceiver.orch
        public var call: CallID?
        public var direction: RTPDirection?

        public init(call: CallID? = nil, direction: RTPDirection? = nil) {
            self.call = call
            self.direction = direction
        }

        public init(from r: WireReader) throws(WireError) {
            call = try r.optional("call")
            direction = try SigAPI.CallHold.direction(r)
        }

        public func write(to w: inout WireWriter) {
            w("call", call)
            w("direction", direction)
        }

        public typealias Result = SigAPI.CallHold.Result
    }

    /// `resume {"call"?,"hold_others"?}`: sig's `call.resume`; `hold_others` (switching calls) holds the others first.
    public struct Resume: WireCommand, Hashable {
        public static let name = "resume"
        public static let receiver = WireReceiver.orch
        public var call: CallID?
        public var holdOthers: Bool?
        /// Whether the other calls are held first (`hold_others`, false when absent; written as the client set it).
        public var holdsOthers: Bool { holdOthers == true }

        public init(call: CallID? = nil, holdOthers: Bool? = nil) {
            self.call = call
            self.holdOthers = holdOthers
        }

        public init(from r: WireReader) throws(WireError) {
            call = try r.optional("call")
            holdOthers = try r.optional("hold_others")
        }

        public func write(to w: inout WireWriter) {
            w("call", call)
            w("hold_others", holdOthers)
        }

        public typealias Result = SigAPI.CallHold.Result
    }

    /// `transfer {"call"?,"target"?,"attended"?}`: blind to `target` (a SIP URI), or attended to the peer of our other
    /// answered call `attended`: sig's `call.transfer` (with `replaces`).
    public struct Transfer: WireCommand, Hashable {
        public static let name = "transfer"
        public static let receiver = WireReceiver.orch
        public var call: CallID?
        public var target: String?
        public var attended: CallID?

        public init(call: CallID? = nil, target: String? = nil, attended: CallID? = nil) {
            self.call = call
            self.target = target
            self.attended = attended
        }

        public init(from r: WireReader) throws(WireError) {
            call = try r.optional("call")
            target = try r.optional("target")
            attended = try r.optional("attended")
            guard attended != nil || target?.isEmpty == false else {
                throw r.error("transfer needs args.target (a SIP URI) or args.attended (our other call)")
            }
        }

        public func write(to w: inout WireWriter) {
            w("call", call)
            w("target", target)
            w("attended", attended)
        }

        public typealias Result = SigAPI.CallTransfer.Result
    }
}
