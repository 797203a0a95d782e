#if canImport(Glibc)
import Glibc
#endif

/// Checks that a UDP port pair can be bound on a host (the worker's media address), so the SDP never
/// advertises a port another program holds.
public enum PortProbe {
    public static func pairIsFree(host: String, rtpPort: Int) -> Bool {
        canBind(host: host, port: rtpPort) && canBind(host: host, port: rtpPort + 1)
    }

    public static func canBind(host: String, port: Int) -> Bool {
        let v6 = host.contains(":")
        let fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if v6 {
            var a = sockaddr_in6()
            a.sin6_family = sa_family_t(AF_INET6)
            a.sin6_port = UInt16(port).bigEndian
            guard inet_pton(AF_INET6, host, &a.sin6_addr) == 1 else { return false }
            return withUnsafePointer(to: &a) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            } == 0
        }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = UInt16(port).bigEndian
        guard inet_pton(AF_INET, host, &a.sin_addr) == 1 else { return false }
        return withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}
