import SIPCore

/// Builds REGISTER requests (RFC 3261 §10.2), without Via (added by the runtime per send).
///
/// Header order: Route (outbound proxy), Max-Forwards, To, From, Call-ID, CSeq, Contact,
/// Expires, Allow, User-Agent. The expiry is given twice, as the Contact `expires` parameter and
/// the Expires header, which registrars accept either way; an unregister puts 0 in both.
/// Content-Length is added by the serializer.
enum SIPRegistrationRequest {
    static func build(config: SIPRegistrationConfig, callID: String, fromTag: String, cseq: UInt32,
                      expires: UInt32) -> SIPMessage {
        var m = SIPMessage.request(.register, uri: config.registrar)
        if var proxy = config.outboundProxy {
            if !proxy.isLooseRouter { proxy.parameters.set("lr", nil) }
            m.append(.route, SIPAddress(uri: proxy).description)
        }
        m.append(.maxForwards, "70")
        let to = SIPAddress(displayName: config.displayName, uri: config.aor)
        var from = to
        from.tag = fromTag
        m.append(.to, to.description)
        m.append(.from, from.description)
        m.append(.callID, callID)
        m.append(.cseq, SIPCSeq(sequence: cseq, method: .register).description)
        var contact = SIPAddress(uri: config.contact)
        contact.parameters.set("expires", String(expires))
        m.append(.contact, contact.description)
        m.append(.expires, String(expires))
        if !config.allow.isEmpty { m.append(.allow, config.allow.map(\.rawValue).joined(separator: ", ")) }
        m.append("User-Agent", config.userAgent)
        return m
    }
}
