/// The parts of a `sip:`/`sips:` URI the library checks before anything is sent: scheme, user, host and port.
/// Just enough grammar (RFC 3261 §19.1) to reject the usual mistakes early, with a message saying which part is
/// wrong; sip-sig parses the URI in full.
struct SIPURIParts: Sendable, Equatable {
    var scheme: String
    var user: String?
    var host: String
    var port: Int?

    /// Parses `sip:[user[:password]@]host[:port][;params][?headers]`; the result or the problem.
    static func parse(_ text: String) -> Result<SIPURIParts, URIProblem> {
        let lower = text.lowercased()
        let scheme: String
        if lower.hasPrefix("sip:") { scheme = "sip" } else if lower.hasPrefix("sips:") { scheme = "sips" } else {
            return .failure(URIProblem("it does not start with sip: or sips:"))
        }
        var rest = Substring(text.dropFirst(scheme.count + 1))
        guard !rest.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "\"" }) else {
            return .failure(URIProblem("it contains spaces, quotes or angle brackets"))
        }
        if let q = rest.firstIndex(of: "?") { rest = rest[..<q] }
        var user: String?
        if let at = rest.lastIndex(of: "@") {
            let userinfo = rest[..<at]
            let name = userinfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            guard !name.isEmpty else { return .failure(URIProblem("the user part before '@' is empty")) }
            user = String(name)
            rest = rest[rest.index(after: at)...]
        }
        if let semicolon = rest.firstIndex(of: ";") { rest = rest[..<semicolon] }
        guard !rest.isEmpty else { return .failure(URIProblem("the host is missing")) }
        var host: Substring, portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return .failure(URIProblem("the IPv6 host has no closing ']'")) }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return .failure(URIProblem("unexpected text after the IPv6 host")) }
                portText = after.dropFirst()
            }
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                return .failure(URIProblem("'\(host)' is not an IPv6 address"))
            }
        } else {
            let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { return .failure(URIProblem("the host has more than one ':' (write IPv6 addresses in brackets)")) }
            host = parts[0]
            portText = parts.count == 2 ? parts[1] : nil
            guard !host.isEmpty else { return .failure(URIProblem("the host is missing")) }
            guard host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }) else {
                return .failure(URIProblem("the host '\(host)' has characters a host name cannot have"))
            }
        }
        var port: Int?
        if let portText {
            guard let p = Int(portText), (1...65535).contains(p) else { return .failure(URIProblem("the port '\(portText)' is not 1-65535")) }
            port = p
        }
        return .success(SIPURIParts(scheme: scheme, user: user, host: String(host), port: port))
    }

    /// True for `0.0.0.0` and `::`: addresses one can listen on but not send to.
    var isWildcardHost: Bool { host == "0.0.0.0" || host == "::" }

    /// A call target: a SIP URI, or `user@host` to which `sip:` is added.
    static func target(_ text: String) throws(SIPClientError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let lower = trimmed.lowercased()
        let uri = lower.hasPrefix("sip:") || lower.hasPrefix("sips:") ? trimmed : "sip:" + trimmed
        switch parse(uri) {
        case .success(let parts):
            if parts.isWildcardHost { throw .invalidTarget(uri: text, problem: "\(parts.host) is not an address one can call") }
            return uri
        case .failure(let problem):
            throw .invalidTarget(uri: text, problem: problem.message)
        }
    }
}

/// Why text is not a SIP URI, in words for an error message.
struct URIProblem: Error, Sendable, Equatable {
    var message: String
    init(_ message: String) { self.message = message }
}
