/// Where a SIP message came from or goes to: the transport and the socket address.
///
/// Shared by the transport layer (which fills it from sockets), the transaction layer (which
/// routes responses per RFC 3261 §18.2.2) and the user agent (which picks targets per RFC 3263's
/// simple case: IP literals and names resolved by the transport).
public enum SIPTransportKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case udp = "UDP"
    case tcp = "TCP"
    case tls = "TLS"

    /// Stream transports frame by Content-Length and need no retransmissions (§17.1.1.2).
    public var isReliable: Bool { self != .udp }
    /// The token used in Via and in the `transport=` URI parameter.
    public var viaToken: String { rawValue }
    public var description: String { rawValue }

    /// Parses a Via transport token or a `transport=` URI parameter value, case-insensitively.
    public init?(token: String) {
        switch token.uppercased() {
        case "UDP": self = .udp
        case "TCP": self = .tcp
        case "TLS": self = .tls
        default: return nil
        }
    }
}

/// A transport plus host and port. `host` is an IP literal (IPv6 without brackets) or a name.
public struct SIPTransportAddress: Sendable, Hashable, CustomStringConvertible {
    public var transport: SIPTransportKind
    public var host: String
    public var port: UInt16

    public init(transport: SIPTransportKind, host: String, port: UInt16) {
        self.transport = transport
        self.host = SIPHost.unbracketed(host)
        self.port = port
    }

    /// The host as it is written in a URI or Via: IPv6 literals in brackets.
    public var hostForURI: String { host.contains(":") ? "[\(host)]" : host }
    public var description: String { "\(transport.rawValue.lowercased()):\(hostForURI):\(port)" }
}
