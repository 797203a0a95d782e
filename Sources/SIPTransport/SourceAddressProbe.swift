#if canImport(Glibc)
import Glibc
#endif
import SIPCore

/// Finds the local IP the kernel would use to reach a destination (a connected UDP socket sends nothing),
/// so a wildcard listener still advertises a routable address in Via and Contact.
enum SourceAddressProbe {
    static func localIP(towards host: String) -> String? {
        if host.contains(":") {
            var dst = sockaddr_in6()
            dst.sin6_family = sa_family_t(AF_INET6)
            dst.sin6_port = UInt16(9).bigEndian
            guard inet_pton(AF_INET6, host, &dst.sin6_addr) == 1 else { return nil }
            let fd = socket(AF_INET6, Int32(SOCK_DGRAM.rawValue), 0)
            guard fd >= 0 else { return nil }
            defer { close(fd) }
            let ok = withUnsafePointer(to: &dst) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
            guard ok == 0 else { return nil }
            var local = sockaddr_in6()
            var len = socklen_t(MemoryLayout<sockaddr_in6>.size)
            let got = withUnsafeMutablePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
            }
            guard got == 0 else { return nil }
            var buf = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard inet_ntop(AF_INET6, &local.sin6_addr, &buf, socklen_t(buf.count)) != nil else { return nil }
            return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        var dst = sockaddr_in()
        dst.sin_family = sa_family_t(AF_INET)
        dst.sin_port = UInt16(9).bigEndian
        guard inet_pton(AF_INET, host, &dst.sin_addr) == 1 else { return nil }
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let ok = withUnsafePointer(to: &dst) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else { return nil }
        var local = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let got = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard got == 0 else { return nil }
        var buf = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        guard inet_ntop(AF_INET, &local.sin_addr, &buf, socklen_t(buf.count)) != nil else { return nil }
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
