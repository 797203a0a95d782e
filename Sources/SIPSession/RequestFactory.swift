import SIPCore
import SIPTransaction

/// Builds the requests sip-sig originates outside dialogs (INVITE, and the pieces every request shares):
/// Via with a fresh `z9hG4bK` branch and `rport` (RFC 3581), Max-Forwards, Contact, User-Agent, Allow.
public enum RequestFactory {
    public static let userAgent = "sip-client/0.1"
    public static let allow = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY, PRACK, UPDATE"
    public static let accept = "application/sdp"

    public static func via(_ local: SIPTransportAddress, branch: String = SIPBranch.make()) -> String {
        "SIP/2.0/\(local.transport.viaToken) \(local.hostForURI):\(local.port);branch=\(branch);rport"
    }

    /// Puts a new top Via on a request (each new transaction gets its own branch, §8.1.1.7).
    public static func stampVia(_ request: inout SIPMessage, local: SIPTransportAddress, branch: String = SIPBranch.make()) {
        request.prepend(.via, via(local, branch: branch))
    }

    public static func contact(user: String?, local: SIPTransportAddress) -> SIPURI {
        var uri = SIPURI(scheme: .sip, user: user, host: local.hostForURI, port: local.port)
        if local.transport != .udp { uri.parameters.set("transport", local.transport.rawValue.lowercased()) }
        return uri
    }

    /// Where a request for `uri` goes (RFC 3263's IP-literal case; names are resolved by the transport).
    public static func destination(for uri: SIPURI, default transport: SIPTransportKind = .udp) -> SIPTransportAddress {
        let kind = uri.transport.flatMap { SIPTransportKind(token: $0) } ?? transport
        let host = uri.maddr ?? uri.host
        return SIPTransportAddress(transport: kind, host: host, port: uri.port ?? 5060)
    }

    public static func invite(callID: String, from: SIPAddress, to: SIPAddress, requestURI: SIPURI, cseq: UInt32,
                       contact: SIPURI, routes: [SIPURI], sdp: [UInt8]) -> SIPMessage {
        var m = SIPMessage.request(.invite, uri: requestURI)
        m.append(.maxForwards, "70")
        m.append(.from, from.description)
        m.append(.to, to.description)
        m.append(.callID, callID)
        m.append(.cseq, "\(cseq) INVITE")
        for r in routes { m.append(.route, "<\(r)>") }
        m.append(.contact, "<\(contact)>")
        m.append(.allow, allow)
        m.append("User-Agent", userAgent)
        m.append(.contentType, "application/sdp")
        m.body = sdp
        m.set(.contentLength, String(sdp.count))
        return m
    }

    /// Adds the headers every response of ours carries besides the mandatory ones.
    public static func decorate(_ response: inout SIPMessage, contact: SIPURI? = nil) {
        if let contact { response.set(.contact, "<\(contact)>") }
        response.set(.allow, allow)
        response.set("Server", userAgent)
    }
}

extension SIPURI {
    public var maddr: String? { parameters["maddr"] }
}
