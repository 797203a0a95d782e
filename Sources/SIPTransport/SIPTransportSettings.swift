import SIPCore

/// How the SIP transports listen, and the limits that keep bad peers from costing us memory.
public struct SIPTransportSettings: Sendable {
    /// Addresses to listen on (IP literals; IPv6 without brackets). Each gets a UDP socket and a TCP listener.
    public var listenHosts: [String]
    /// The port on every listen address; 0 picks an ephemeral port (tests).
    public var port: UInt16
    public var transports: Set<SIPTransportKind>
    public var limits: SIPParserLimits
    /// Simultaneous TCP connections (inbound plus outbound); more are refused at accept.
    public var maxConnections: Int
    /// A TCP connection with no traffic for this long is closed (RFC 3261 §18.3 leaves it to us).
    public var idleTimeout: Duration
    /// How long an outbound TCP connect may take before the send fails (the transaction reports a transport error).
    public var connectTimeout: Duration

    public init(listenHosts: [String] = ["127.0.0.1"], port: UInt16 = 5060,
                transports: Set<SIPTransportKind> = [.udp, .tcp], limits: SIPParserLimits = .default,
                maxConnections: Int = 1024, idleTimeout: Duration = .seconds(300), connectTimeout: Duration = .seconds(5)) {
        self.listenHosts = listenHosts
        self.port = port
        self.transports = transports
        self.limits = limits
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.connectTimeout = connectTimeout
    }
}

/// Why a send failed.
public enum SIPTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    case notStarted
    case unsupportedTransport(SIPTransportKind)
    case noSocketForFamily(String)
    case badAddress(String)
    case connectFailed(SIPTransportAddress, String)
    case tooManyConnections(Int)
    case writeFailed(String)
    case bindFailed(String, String)

    public var description: String {
        switch self {
        case .notStarted: "the SIP transport is not running"
        case .unsupportedTransport(let t): "transport \(t) is not enabled here; enable it in sip.transports"
        case .noSocketForFamily(let host): "no listen address of the same IP family as \(host); add one to sip.listen"
        case .badAddress(let a): "cannot resolve '\(a)'"
        case .connectFailed(let to, let why): "cannot connect to \(to): \(why)"
        case .tooManyConnections(let n): "connection limit reached (\(n) TCP connections); close idle peers or wait for the idle timeout"
        case .writeFailed(let why): "write failed: \(why)"
        case .bindFailed(let addr, let why): "cannot listen on \(addr): \(why); is another SIP program using the port?"
        }
    }
}
