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

    public init(configure config: [String: JSONValue]) {
        self.init()
        // The same HOST:PORT grammar as the config file (orch validated it before sending).
        if let listen = config["sip"]?["listen"]?.stringValue, let hp = HostPort.parse(listen), let port = UInt16(exactly: hp.port) {
            listenHost = hp.host
            listenPort = port
        }
        if let t = config["sip"]?["transports"]?.stringValue {
            let kinds = t.split(separator: ",").compactMap { SIPTransportKind(token: String($0)) }
            if !kinds.isEmpty { transports = Set(kinds) }
        }
        trace = config["sip"]?["trace"]?.boolValue ?? false
        if let v = config["sip"]?["t1_ms"]?.intValue { t1 = .milliseconds(v) }
        if let v = config["sip"]?["t2_ms"]?.intValue { t2 = .milliseconds(v) }
        if let v = config["sip"]?["t4_ms"]?.intValue { t4 = .milliseconds(v) }
        if let v = config["sip"]?["max_transactions"]?.intValue { maxTransactions = v }
        if let v = config["sip"]?["max_calls"]?.intValue { maxCalls = v }
        if let v = config["sip"]?["session_expires"]?.intValue { sessionExpires = v }
        if let v = config["sip"]?["min_se"]?.intValue { minSE = v }
        if let v = config["sip"]?["codecs"]?.stringValue { codecs = v.split(separator: ",").map(String.init) }
        autoAnswer = config["calls"]?["auto_answer"]?.boolValue ?? false
        accounts = (config["accounts"]?.arrayValue ?? []).compactMap { try? AccountConfig(json: $0) }
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

    public init(json: JSONValue) throws(Invalid) {
        guard let text = json["aor"]?.stringValue else { throw Invalid(description: "args.aor is missing (e.g. sip:alice@example.com)") }
        guard let aor = try? SIPURI.parse(text), aor.isSIP, aor.user != nil else {
            throw Invalid(description: "aor '\(text)' is not a SIP URI with a user, e.g. sip:alice@example.com")
        }
        self.aor = aor
        password = json["password"]?.stringValue ?? ""
        authUser = json["auth_user"]?.stringValue
        expires = UInt32(clamping: json["expires"]?.intValue ?? 3600)
        if let r = json["registrar"]?.stringValue {
            guard let uri = try? SIPURI.parse(r) else { throw Invalid(description: "registrar '\(r)' is not a SIP URI") }
            registrar = uri
        }
        if let p = json["outbound_proxy"]?.stringValue {
            guard let uri = try? SIPURI.parse(p) else { throw Invalid(description: "outbound_proxy '\(p)' is not a SIP URI") }
            outboundProxy = uri
        }
        if let t = json["transport"]?.stringValue {
            guard let kind = SIPTransportKind(token: t), kind != .tls else { throw Invalid(description: "transport '\(t)' is not udp or tcp") }
            transport = kind
        } else {
            transport = (aor.transport.flatMap { SIPTransportKind(token: $0) }) ?? .udp
        }
    }

    public var key: String { aor.description }
}
