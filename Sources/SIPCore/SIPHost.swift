/// Classification and validation of the `host` production (RFC 3261 §25.1):
/// `hostname / IPv4address / IPv6reference`.
///
/// Why its own type: Via sent-by, `maddr`, `received` and every SIP URI share it,
/// and IPv6 references (`[2001:db8::1]`) are where hand-rolled parsers usually
/// break (they split on the first colon and lose the port).
public enum SIPHostKind: Sendable, Hashable {
    case hostname
    case ipv4
    /// Stored with its brackets, e.g. `[::1]`.
    case ipv6
}

public enum SIPHost {
    /// Classifies a host string; nil when it matches none of the forms.
    /// IPv6 must be bracketed here; see `isIPv6Address` for bare addresses.
    public static func kind(of host: String) -> SIPHostKind? {
        let b = Array(host.utf8)
        return kind(of: b[...])
    }

    static func kind(of b: ArraySlice<UInt8>) -> SIPHostKind? {
        guard let first = b.first else { return nil }
        if first == UInt8(ascii: "[") {
            guard b.count >= 4, b.last == UInt8(ascii: "]") else { return nil }
            return isIPv6Address(b.dropFirst().dropLast()) ? .ipv6 : nil
        }
        if b.allSatisfy({ SIPChar.isDigit($0) || $0 == UInt8(ascii: ".") }) {
            return isIPv4Address(b) ? .ipv4 : nil
        }
        return isHostname(b) ? .hostname : nil
    }

    /// Dotted-quad with each octet 0...255 (leading zeros tolerated, at most 3 digits).
    public static func isIPv4Address(_ s: String) -> Bool { isIPv4Address(Array(s.utf8)[...]) }

    static func isIPv4Address(_ b: ArraySlice<UInt8>) -> Bool {
        var parts = 0, digits = 0, value = 0
        for c in b {
            if c == UInt8(ascii: ".") {
                guard digits > 0 else { return false }
                parts += 1; digits = 0; value = 0
            } else if SIPChar.isDigit(c) {
                digits += 1
                value = value * 10 + Int(c - 0x30)
                guard digits <= 3, value <= 255 else { return false }
            } else {
                return false
            }
        }
        return parts == 3 && digits > 0
    }

    /// RFC 3261 `IPv6address` (no brackets): hex groups of 1-4 digits, at most one `::`,
    /// optionally ending in a dotted IPv4 address.
    public static func isIPv6Address(_ s: String) -> Bool { isIPv6Address(Array(s.utf8)[...]) }

    static func isIPv6Address(_ b: ArraySlice<UInt8>) -> Bool {
        guard b.count >= 2, b.count <= 45 else { return false }
        let bytes = Array(b)
        var groups = 0
        var sawDoubleColon = false
        var i = 0
        if bytes.starts(with: [0x3A, 0x3A]) {
            sawDoubleColon = true
            i = 2
            if i == bytes.count { return true }
        } else if bytes[0] == 0x3A {
            return false
        }
        while i < bytes.count {
            // Read one group (hex) or a trailing IPv4.
            var j = i
            while j < bytes.count, SIPChar.isHex(bytes[j]) { j += 1 }
            if j < bytes.count, bytes[j] == UInt8(ascii: ".") {
                guard isIPv4Address(bytes[i...]) else { return false }
                groups += 2
                i = bytes.count
                break
            }
            let len = j - i
            guard len >= 1, len <= 4 else { return false }
            groups += 1
            i = j
            if i == bytes.count { break }
            guard bytes[i] == 0x3A else { return false }
            i += 1
            if i < bytes.count, bytes[i] == 0x3A {
                guard !sawDoubleColon else { return false }
                sawDoubleColon = true
                i += 1
                if i == bytes.count { break }
            } else if i == bytes.count {
                return false  // trailing single colon
            }
        }
        return sawDoubleColon ? groups <= 7 : groups == 8
    }

    /// `*( domainlabel "." ) toplabel [ "." ]`, tolerating `_` as many deployments do.
    static func isHostname(_ b: ArraySlice<UInt8>) -> Bool {
        guard !b.isEmpty, b.count <= 255 else { return false }
        var labelLen = 0
        var prev: UInt8 = UInt8(ascii: ".")
        for c in b {
            if c == UInt8(ascii: ".") {
                guard labelLen > 0, prev != UInt8(ascii: "-") else { return false }
                labelLen = 0
            } else {
                guard SIPChar.is(c, .alphanum) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") else { return false }
                if labelLen == 0 && c == UInt8(ascii: "-") { return false }
                labelLen += 1
                guard labelLen <= 63 else { return false }
            }
            prev = c
        }
        return prev != UInt8(ascii: "-")
    }

    /// Host without IPv6 brackets, as socket APIs want it.
    public static func unbracketed(_ host: String) -> String {
        let b = host.utf8
        if b.first == UInt8(ascii: "["), b.last == UInt8(ascii: "]"), b.count >= 2 {
            return String(decoding: b.dropFirst().dropLast(), as: UTF8.self)
        }
        return host
    }
}

/// `%HH` escape handling for URI components (RFC 3261 §19.1.2, RFC 3986 §2.1).
public enum SIPPercentEncoding {
    /// Decodes `%HH` escapes to raw bytes. Never recursive (`%2541` decodes to `%41`).
    /// Returns nil on a malformed escape. Result may contain NUL (RFC 4475 `escnull`).
    public static func decode(_ s: String) -> [UInt8]? {
        let b = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "%") {
                guard i + 2 < b.count, let h = SIPChar.hexValue(b[i + 1]), let l = SIPChar.hexValue(b[i + 2]) else {
                    return nil
                }
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return out
    }

    /// Escapes every byte not in `allowed` (plus all non-ASCII and control bytes).
    static func encode(_ bytes: [UInt8], allowed: SIPChar.Class) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for b in bytes {
            if b < 0x80 && b != UInt8(ascii: "%") && SIPChar.is(b, allowed) {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "%")); out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
