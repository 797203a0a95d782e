#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A UDP address (IPv4 or IPv6 and a port) as a plain value: what the media session core compares packet sources
/// with and names as the destination of the packets it sends, so it needs no socket type. Comparing and copying it
/// costs nothing (no boxed storage), which matters on the per-packet path.
///
/// Equality follows the socket addresses it stands for: family, address bytes, port, and for IPv6 the scope and
/// flow label.
public struct MediaAddress: Sendable, Hashable, CustomStringConvertible {
    public enum Family: Sendable, Hashable { case v4, v6 }

    public let family: Family
    /// The address bytes in network order: an IPv4 address in the first 4 bytes of `high`'s storage, the rest zero.
    let high: UInt64
    let low: UInt64
    public let port: UInt16
    /// IPv6 only (zero for IPv4): `sin6_scope_id` and `sin6_flowinfo` as received.
    let scope: UInt32
    let flow: UInt32

    /// An IPv4 address from its 4 bytes in network order.
    public init(ipv4 bytes: (UInt8, UInt8, UInt8, UInt8), port: UInt16) {
        var high: UInt64 = 0
        withUnsafeMutableBytes(of: &high) { raw in
            raw[0] = bytes.0
            raw[1] = bytes.1
            raw[2] = bytes.2
            raw[3] = bytes.3
        }
        self.init(family: .v4, high: high, low: 0, port: port, scope: 0, flow: 0)
    }

    init(family: Family, high: UInt64, low: UInt64, port: UInt16, scope: UInt32, flow: UInt32) {
        self.family = family
        self.high = high
        self.low = low
        self.port = port
        self.scope = scope
        self.flow = flow
    }

    /// Parses an IP address literal (`127.0.0.1`, `::1`; no host names); nil if `host` is neither form or the port
    /// is not 0-65535.
    public init?(host: String, port: Int) {
        guard let port = UInt16(exactly: port) else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            var high: UInt64 = 0
            withUnsafeMutableBytes(of: &high) { raw in withUnsafeBytes(of: &v4) { raw.copyMemory(from: $0) } }
            self.init(family: .v4, high: high, low: 0, port: port, scope: 0, flow: 0)
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, host, &v6) == 1 else { return nil }
        var words: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &words) { raw in withUnsafeBytes(of: &v6) { raw.copyMemory(from: $0) } }
        self.init(family: .v6, high: words.0, low: words.1, port: port, scope: 0, flow: 0)
    }

    /// The address in its usual text form (`inet_ntop`), without the port.
    public var host: String {
        var words = (high, low)
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(INET6_ADDRSTRLEN)) { text in
            let ok = withUnsafeBytes(of: &words) { raw in
                inet_ntop(family == .v4 ? AF_INET : AF_INET6, raw.baseAddress, text.baseAddress, socklen_t(text.count)) != nil
            }
            return ok ? String(cString: text.baseAddress!) : "?"
        }
    }

    /// `host:port`, as `media.stats` reports the remote.
    public var description: String { "\(host):\(port)" }
}
