import Config
import SIPCore
import Wire

/// sip-sig's settings, read from the `configure` message (keys as in docs/CONFIG.md).
public struct SignalingSettings: Sendable, Equatable {
    public var listenHost = "0.0.0.0"
    public var listenPort: UInt16 = 5060
    public var transports: Set<SIPTransportKind> = [.udp, .tcp]
    public var trace = false
    public var t1: Duration = .milliseconds(500)
    public var t2: Duration = .seconds(4)
    public var t4: Duration = .seconds(5)
    public var maxTransactions = 20_000
    public var maxCalls = 500
    /// RFC 4028: the Session-Expires we ask for (0: none) and the smallest we accept (Min-SE).
    public var sessionExpires = 1800
    public var minSE = 90
    public var codecs = ["PCMU", "PCMA"]
    public var autoAnswer = false
    /// Accounts handed back by orch after a restart (the re-sync hook).
    public var accounts: [AccountConfig] = []
    /// Seconds a client is told to wait in `Retry-After` of a 503.
    public var retryAfter = 5

    public init() {}

    /// From orch's `configure`: the settings sections through Config's settings table (orch validated them before
    /// sending), and the accounts orch keeps.
    public init(configure: Configure) {
        self.init(configure.settings, accounts: (try? configure.content().accounts) ?? nil)
    }

    public init(_ config: InstanceConfig, accounts: [AccountArgs]? = nil) {
        self.init()
        let sip = config.sip
        if let port = UInt16(exactly: sip.listen.port) {
            listenHost = sip.listen.host
            listenPort = port
        }
        let kinds = sip.transports.compactMap { SIPTransportKind(token: $0) }
        if !kinds.isEmpty { transports = Set(kinds) }
        trace = sip.trace
        t1 = .milliseconds(sip.t1Ms)
        t2 = .milliseconds(sip.t2Ms)
        t4 = .milliseconds(sip.t4Ms)
        maxTransactions = sip.maxTransactions
        maxCalls = sip.maxCalls
        sessionExpires = sip.sessionExpires
        minSE = sip.minSE
        codecs = sip.codecs
        autoAnswer = config.calls.autoAnswer
        self.accounts = (accounts ?? []).compactMap { try? AccountConfig($0) }
    }
}

/// One SIP account as given to `account.add` (and kept by orch for re-sync).
public struct AccountConfig: Sendable, Equatable {
    public var aor: SIPURI
    public var password: String
    public var authUser: String?
    public var expires: UInt32
    public var registrar: SIPURI?
    public var outboundProxy: SIPURI?
    public var transport: SIPTransportKind

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public init(_ args: AccountArgs) throws(Invalid) {
        guard let aor = try? SIPURI.parse(args.aor), aor.isSIP, aor.user != nil else {
            throw Invalid(description: "aor '\(args.aor)' is not a SIP URI with a user, e.g. sip:alice@example.com")
        }
        self.aor = aor
        password = args.password ?? ""
        authUser = args.authUser
        expires = UInt32(clamping: args.expires ?? 3600)
        if let r = args.registrar {
            guard let uri = try? SIPURI.parse(r) else { throw Invalid(description: "registrar '\(r)' is not a SIP URI") }
            registrar = uri
        }
        if let p = args.outboundProxy {
            guard let uri = try? SIPURI.parse(p) else { throw Invalid(description: "outbound_proxy '\(p)' is not a SIP URI") }
            outboundProxy = uri
        }
        if let t = args.transport {
            guard let kind = SIPTransportKind(token: t), kind != .tls else { throw Invalid(description: "transport '\(t)' is not udp or tcp") }
            transport = kind
        } else {
            transport = (aor.transport.flatMap { SIPTransportKind(token: $0) }) ?? .udp
        }
    }

    public var key: String { aor.description }
}
