/// sig's commands for SIP accounts (registrations, RFC 3261 §10).
extension SigAPI {
    /// `account.add`: starts (or restarts) the account's registration and answers once the registrar decided; refreshes
    /// follow by themselves.
    public struct AccountAdd: WireCommand, Hashable {
        public static let name = "account.add"
        public static let receiver = WireReceiver.sig
        public var account: AccountArgs

        public init(_ account: AccountArgs) { self.account = account }

        public init(from r: WireReader) throws(WireError) {
            guard (try? r("aor", as: String.self)) != nil else { throw r.error("args.aor is missing (e.g. sip:alice@example.com)") }
            account = try AccountArgs(from: r)
        }

        public func write(to w: inout WireWriter) { account.write(to: &w) }

        public typealias Result = AccountStatus
    }

    /// `account.remove {"aor"}`: unregisters (`Expires: 0`) and forgets the account.
    public struct AccountRemove: WireCommand, Hashable {
        public static let name = "account.remove"
        public static let receiver = WireReceiver.sig
        public var aor: String

        public init(aor: String) { self.aor = aor }

        public init(from r: WireReader) throws(WireError) {
            guard let aor: String = try? r("aor") else { throw r.error("account.remove needs args.aor") }
            self.aor = aor
        }

        public func write(to w: inout WireWriter) { w("aor", aor) }

        public typealias Result = AccountStatus
    }

    /// An account's registration as `account.add` (`registered`, with `expires` and `contact`) and `account.remove`
    /// (`unregistered`) answer it.
    public struct AccountStatus: WireObject, Hashable {
        public var aor: String
        public var state: RegistrationState
        /// Seconds the registrar granted.
        public var expires: Int?
        /// The Contact we registered.
        public var contact: String?

        public init(aor: String, state: RegistrationState, expires: Int? = nil, contact: String? = nil) {
            self.aor = aor
            self.state = state
            self.expires = expires
            self.contact = contact
        }

        public static func registered(_ aor: String, expires: Int, contact: String) -> AccountStatus {
            AccountStatus(aor: aor, state: .registered, expires: expires, contact: contact)
        }

        public static func unregistered(_ aor: String) -> AccountStatus { AccountStatus(aor: aor, state: .unregistered) }

        public init(from r: WireReader) throws(WireError) {
            aor = try r("aor")
            state = try r("state")
            expires = try r.optional("expires")
            contact = try r.optional("contact")
        }

        public func write(to w: inout WireWriter) {
            w("aor", aor)
            w("state", state)
            w("expires", expires)
            w("contact", contact)
        }
    }
}
