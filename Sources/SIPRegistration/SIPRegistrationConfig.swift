import SIPCore

/// One account's registration settings, as the runtime hands them to the state machine.
///
/// Why the contact is given, not built: only the runtime knows the transport address we
/// listen on (and any NAT mapping), so it builds the Contact URI; this module stays pure.
public struct SIPRegistrationConfig: Sendable, Hashable {
    /// Address-of-record, e.g. `sip:alice@example.com`; To and From of every REGISTER.
    public var aor: SIPURI
    /// Request-URI of REGISTER (RFC 3261 §10.2: the registrar's domain, no user part).
    public var registrar: SIPURI
    /// Where we can be reached; becomes the Contact of the binding.
    public var contact: SIPURI
    /// Digest username.
    public var username: String
    public var password: String
    /// When set, credentials are only given to this realm (see `SIPDigestCredentials`).
    public var realm: String?
    /// Requested binding lifetime in seconds.
    public var expires: UInt32
    /// Sent as a pre-loaded `Route: <proxy;lr>` (RFC 3261 §8.1.2); the runtime sends to the
    /// top Route.
    public var outboundProxy: SIPURI?
    /// Display name in To and From.
    public var displayName: String?
    /// Methods we accept, advertised in `Allow`.
    public var allow: [SIPMethod]
    public var userAgent: String
    public var timing: SIPRegistrationTiming

    /// - Parameters:
    ///   - registrar: defaults to `sip:<aor host>[:<aor port>]` (same scheme as the AOR).
    ///   - username: defaults to the AOR's user part.
    public init(aor: SIPURI, contact: SIPURI, password: String, registrar: SIPURI? = nil, username: String? = nil,
                realm: String? = nil, expires: UInt32 = 3600, outboundProxy: SIPURI? = nil,
                displayName: String? = nil,
                allow: [SIPMethod] = [.invite, .ack, .cancel, .bye, .options],
                userAgent: String = "sip-client", timing: SIPRegistrationTiming = SIPRegistrationTiming()) {
        self.aor = aor
        self.contact = contact
        self.password = password
        self.registrar = registrar ?? SIPURI(scheme: aor.scheme, host: aor.host, port: aor.port)
        self.username = username ?? aor.user ?? ""
        self.realm = realm
        self.expires = expires
        self.outboundProxy = outboundProxy
        self.displayName = displayName
        self.allow = allow
        self.userAgent = userAgent
        self.timing = timing
    }
}

extension SIPRegistrationConfig: CustomStringConvertible {
    /// Never prints the password.
    public var description: String {
        "SIPRegistrationConfig(aor: \(aor), registrar: \(registrar), contact: \(contact), expires: \(expires))"
    }
}
