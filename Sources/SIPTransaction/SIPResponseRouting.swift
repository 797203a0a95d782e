import SIPCore

/// A Via sent-by (`host[:port]`), normalized for comparison: host lowercased without IPv6
/// brackets, port defaulted per transport (5060, or 5061 for TLS; RFC 3261 §18.2.2, §19.1.2).
///
/// Why normalized: §18.1.2 compares the sent-by of a response with our own and §17.2.3 keys
/// server transactions by sent-by; `Example.com` and `example.com:5060` are the same sender.
public struct SIPSentBy: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let port: UInt16

    public init(host: String, port: UInt16?, transport: String = "UDP") {
        self.host = SIPHost.unbracketed(host).lowercased()
        self.port = port ?? SIPSentBy.defaultPort(transport: transport)
    }

    public init(via: SIPVia) {
        self.init(host: via.host, port: via.port, transport: via.transport)
    }

    static func defaultPort(transport: String) -> UInt16 {
        transport.uppercased() == "TLS" ? 5061 : 5060
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// The server transport's duties around the top Via: stamping `received`/`rport` on arrival
/// (RFC 3261 §18.2.1, RFC 3581 §4) and choosing where responses go (§18.2.2, RFC 3581 §4).
///
/// Why public: the UAS core retransmits 2xx itself after the INVITE server transaction is gone
/// and needs the same destination the transaction would have used.
public enum SIPResponseRouting: Sendable {
    /// Returns `request` with its top Via stamped: `received=<source ip>` when the sent-by host is
    /// a name or a different address; `rport=<source port>` (plus `received`, always) when the
    /// client sent an empty `rport`. Requests with an unparsable top Via come back unchanged.
    public static func stampingReceived(_ request: SIPMessage, from source: SIPTransportAddress) -> SIPMessage {
        guard let via = try? request.topVia() else { return request }
        var stamped = via
        let sourceHost = source.host.lowercased()
        var needsReceived = SIPHost.unbracketed(via.host).lowercased() != sourceHost
        if let rport = via.parameters.parameter("rport"), rport.value == nil {
            stamped.parameters.set("rport", String(source.port))
            needsReceived = true   // RFC 3581 §4: even when identical to sent-by.
        }
        if needsReceived { stamped.parameters.set("received", source.host) }
        guard stamped != via else { return request }
        return replacingTopVia(of: request, with: stamped)
    }

    /// Where a response to `request` goes. Reliable transports answer on the connection the
    /// request came in on (`source`); UDP uses `maddr`, else `received` (or sent-by host) with
    /// `rport` (or sent-by port, or the default port). Nil when the top Via is unusable.
    public static func destination(forResponseTo request: SIPMessage,
                                   receivedFrom source: SIPTransportAddress) -> SIPTransportAddress? {
        guard let via = try? request.topVia() else { return nil }
        if source.transport.isReliable { return source }
        let defaultPort = SIPSentBy.defaultPort(transport: via.transport)
        if let maddr = via.maddr {
            return SIPTransportAddress(transport: source.transport, host: maddr, port: via.port ?? defaultPort)
        }
        let host = via.received ?? via.host
        let port = via.rport ?? via.port ?? defaultPort
        return SIPTransportAddress(transport: source.transport, host: host, port: port)
    }

    /// Rewrites the first value of the first Via field, keeping any further values in that field.
    static func replacingTopVia(of message: SIPMessage, with via: SIPVia) -> SIPMessage {
        var out = message
        guard let i = out.headers.firstIndex(where: { $0.name == .via }) else { return message }
        guard var parts = try? SIPHeaderSplitter.split(out.headers[i].value, header: "Via"),
              !parts.isEmpty else { return message }
        parts[0] = via.description
        out.headers[i].value = parts.joined(separator: ", ")
        return out
    }
}
