/// A SIP account as `register` (orch) and `account.add` (sig) take it, and as orch hands it back to a restarted sig in
/// `configure` (`accounts`). The password travels on the instance's private control socket only.
public struct AccountArgs: WireObject, Hashable {
    /// The address of record, e.g. `sip:alice@example.com`.
    public var aor: String
    public var password: String?
    public var authUser: String?
    /// Seconds asked of the registrar (default 3600).
    public var expires: Int?
    public var registrar: String?
    public var outboundProxy: String?
    /// `udp` or `tcp`.
    public var transport: String?

    public init(aor: String, password: String? = nil, authUser: String? = nil, expires: Int? = nil, registrar: String? = nil,
                outboundProxy: String? = nil, transport: String? = nil) {
        self.aor = aor
        self.password = password
        self.authUser = authUser
        self.expires = expires
        self.registrar = registrar
        self.outboundProxy = outboundProxy
        self.transport = transport
    }

    public init(from r: WireReader) throws(WireError) {
        aor = try r("aor")
        password = try r.optional("password")
        authUser = try r.optional("auth_user")
        expires = try r.optional("expires")
        registrar = try r.optional("registrar")
        outboundProxy = try r.optional("outbound_proxy")
        transport = try r.optional("transport")
    }

    public func write(to w: inout WireWriter) {
        w("aor", aor)
        w("password", password)
        w("auth_user", authUser)
        w("expires", expires)
        w("registrar", registrar)
        w("outbound_proxy", outboundProxy)
        w("transport", transport)
    }
}
