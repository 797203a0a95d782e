import Wire

/// A SIP account to register: the address of record (the client's identity), digest credentials, and where to
/// register. Registration makes the client reachable at its AOR through the registrar and lets calls go out
/// from the account.
public struct AccountSettings: Sendable, Equatable {
    /// The address of record, e.g. `sip:alice@example.com`.
    public var aor: String
    /// Digest user name (defaults to the AOR's user).
    public var user: String?
    /// The digest password (empty for a registrar that does not challenge).
    public var password: String
    /// Registrar URI, when it is not the AOR's host.
    public var registrar: String?
    /// Proxy every request of the account goes through.
    public var outboundProxy: String?
    /// Transport towards the registrar and proxy.
    public var transport: SIPClientBuilder.Transport
    /// Requested registration lifetime in seconds.
    public var expires: Int

    /// An account for `aor`; everything else optional, as for `sipc register`.
    public init(aor: String, user: String? = nil, password: String = "", registrar: String? = nil, outboundProxy: String? = nil,
                transport: SIPClientBuilder.Transport = .udp, expires: Int = 3600) {
        self.aor = aor
        self.user = user
        self.password = password
        self.registrar = registrar
        self.outboundProxy = outboundProxy
        self.transport = transport
        self.expires = expires
    }

    /// orch's `register` command for this account.
    var register: OrchAPI.Register {
        OrchAPI.Register(AccountArgs(aor: aor, password: password, authUser: user, expires: expires, registrar: registrar,
                                     outboundProxy: outboundProxy, transport: transport.rawValue))
    }
}
