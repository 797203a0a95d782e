import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Between the core's addresses and NIO's: a received datagram's source in, a packet's destination out.
extension MediaAddress {
    /// The address of a datagram's source (read from the socket address as is: no text, no allocation); nil for a
    /// Unix domain socket.
    init?(_ address: SocketAddress) {
        switch address {
        case .v4(let v4):
            var inet = v4.address.sin_addr
            var high: UInt64 = 0
            withUnsafeMutableBytes(of: &high) { out in withUnsafeBytes(of: &inet) { out.copyMemory(from: $0) } }
            self.init(family: .v4, high: high, low: 0, port: UInt16(bigEndian: v4.address.sin_port), scope: 0, flow: 0)
        case .v6(let v6):
            var inet = v6.address.sin6_addr
            var words: (UInt64, UInt64) = (0, 0)
            withUnsafeMutableBytes(of: &words) { out in withUnsafeBytes(of: &inet) { out.copyMemory(from: $0) } }
            self.init(family: .v6, high: words.0, low: words.1, port: UInt16(bigEndian: v6.address.sin6_port),
                      scope: v6.address.sin6_scope_id, flow: v6.address.sin6_flowinfo)
        case .unixDomainSocket:
            return nil
        }
    }

    /// The socket address to send to.
    var socketAddress: SocketAddress {
        var words = (high, low)
        switch family {
        case .v4:
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &a.sin_addr) { out in withUnsafeBytes(of: &words) { out.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<4])) } }
            return SocketAddress(a, host: host)
        case .v6:
            var a = sockaddr_in6()
            a.sin6_family = sa_family_t(AF_INET6)
            a.sin6_port = port.bigEndian
            a.sin6_scope_id = scope
            a.sin6_flowinfo = flow
            withUnsafeMutableBytes(of: &a.sin6_addr) { out in withUnsafeBytes(of: &words) { out.copyMemory(from: $0) } }
            return SocketAddress(a, host: host)
        }
    }
}
