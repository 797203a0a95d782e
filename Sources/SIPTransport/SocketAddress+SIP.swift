import NIOCore
import SIPCore

extension SocketAddress {
    /// The address in SIP terms; nil for Unix sockets.
    func sipAddress(_ transport: SIPTransportKind) -> SIPTransportAddress? {
        guard let ip = ipAddress, let port else { return nil }
        return SIPTransportAddress(transport: transport, host: ip, port: UInt16(truncatingIfNeeded: port))
    }

    var isIPv6: Bool {
        if case .v6 = self { return true }
        return false
    }
}

extension SIPTransportAddress {
    /// A socket address for an IP literal, or a name resolved through the system resolver.
    func socketAddress() throws(SIPTransportError) -> SocketAddress {
        do {
            return try SocketAddress(ipAddress: host, port: Int(port))
        } catch {
            do { return try SocketAddress.makeAddressResolvingHost(host, port: Int(port)) } catch {
                throw .badAddress(hostForURI)
            }
        }
    }

    /// The key of a connection or socket: the same peer over another transport is another entry.
    var connectionKey: SIPTransportAddress { self }

    static func isWildcard(_ host: String) -> Bool { host == "0.0.0.0" || host == "::" }
}
