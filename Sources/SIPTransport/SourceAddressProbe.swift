#if canImport(Glibc)
import Glibc
#endif
import SIPCore

/// Finds the local IP the kernel would use to reach a destination (a connected UDP socket sends nothing),
/// so a wildcard listener still advertises a routable address in Via and Contact.
enum SourceAddressProbe {
    static func localIP(towards host: String) -> String? {
        var probe4 = in_addr(), probe6 = in6_addr()
        if inet_pton(AF_INET, host, &probe4) != 1, inet_pton(AF_INET6, host, &probe6) != 1 {
            // A host name (a registrar, a proxy): probe towards the address it resolves to, not a guess.
            guard let numeric = resolve(host) else { return nil }
            return localIP(towards: numeric)
        }
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

    /// The first address `host` resolves to, IPv4 preferred, as text.
    static func resolve(_ host: String) -> String? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let list else { return nil }
        defer { freeaddrinfo(list) }
        var candidates: [(v6: Bool, text: String)] = []
        var node: UnsafeMutablePointer<addrinfo>? = list
        while let n = node {
            var buf = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            if n.pointee.ai_family == AF_INET, let sa = n.pointee.ai_addr {
                var a = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                if inet_ntop(AF_INET, &a, &buf, socklen_t(buf.count)) != nil { candidates.append((false, String(cString: buf))) }
            } else if n.pointee.ai_family == AF_INET6, let sa = n.pointee.ai_addr {
                var a = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                if inet_ntop(AF_INET6, &a, &buf, socklen_t(buf.count)) != nil { candidates.append((true, String(cString: buf))) }
            }
            node = n.pointee.ai_next
        }
        return (candidates.first { !$0.v6 } ?? candidates.first)?.text
    }
}
