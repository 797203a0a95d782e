import SIPCore

/// Dialog creation (RFC 3261 §12.1.1 UAS, §12.1.2 UAC).
///
/// Why the route set is reversed for the UAC only: Record-Route lists proxies in the
/// order the request visited them, top = last proxy before the UAS. The UAS sends
/// back towards the caller and uses them in order; the UAC sends towards the callee
/// and must start with the proxy nearest to itself, so it reverses them.
extension SIPDialog {
    /// The dialog a UAC gets from a response to its dialog-creating request: a 1xx
    /// with a To tag gives an early dialog, a 2xx a confirmed one (§12.1.2, §13.2.2.4).
    ///
    /// - Route set: the response's Record-Route in reverse order.
    /// - Remote target: the response's Contact. Required for 2xx; a 1xx without one
    ///   (seen in the wild) falls back to the Request-URI until the 2xx brings it.
    /// - Local CSeq: the request's; remote CSeq: empty.
    /// - Parameter transport: how the request was sent; nil means unknown and a SIPS
    ///   Request-URI alone makes the dialog secure.
    public static func uac(request: SIPMessage, response: SIPMessage, transport: SIPTransportKind? = nil,
                           limits: SIPDialogLimits = .default) throws(SIPDialogError) -> SIPDialog {
        guard let requestURI = request.requestURI else { throw SIPDialogError(.notARequest) }
        guard let status = response.statusCode else { throw SIPDialogError(.notAResponse) }
        guard (101...299).contains(status) else { throw SIPDialogError(.notDialogCreating) }
        let reqCSeq = try SIPDialogHeaders.cseq(of: request)
        let respCSeq = try SIPDialogHeaders.cseq(of: response)
        guard reqCSeq == respCSeq, request.method == reqCSeq.method else {
            throw SIPDialogError(.notDialogCreating, header: "CSeq")
        }
        let req = try SIPDialogHeaders.identity(of: request)
        let resp = try SIPDialogHeaders.identity(of: response)
        guard let localTag = req.from.tag, !localTag.isEmpty else { throw SIPDialogError(.missingTag, header: "From") }
        guard let remoteTag = resp.to.tag, !remoteTag.isEmpty else { throw SIPDialogError(.missingTag, header: "To") }
        guard resp.callID == req.callID, resp.from.tag == localTag else { throw SIPDialogError(.dialogMismatch) }

        let target: SIPURI
        if let contact = try SIPDialogHeaders.contactURI(of: response) {
            target = contact
        } else if status >= 200 {
            throw SIPDialogError(.missingContact, header: "Contact")
        } else {
            target = requestURI
        }
        guard let ownContact = try SIPDialogHeaders.contactURI(of: request) else {
            throw SIPDialogError(.missingContact, header: "Contact")
        }
        let routes = try SIPDialogHeaders.recordRoute(of: response, limit: limits.maxRouteSetSize)

        var remoteAddress = resp.to
        remoteAddress.tag = remoteTag
        return SIPDialog(
            id: SIPDialogID(callID: req.callID, localTag: localTag, remoteTag: remoteTag),
            role: .uac,
            state: status >= 200 ? .confirmed : .early,
            localAddress: req.from,
            remoteAddress: remoteAddress,
            localCSeq: reqCSeq.sequence,
            remoteCSeq: nil,
            remoteTarget: target,
            routeSet: routes.reversed(),
            isSecure: isSecure(requestURI, transport),
            localContact: ownContact,
            creatingCSeq: reqCSeq.sequence,
            creatingMethod: reqCSeq.method,
            initialLocalCSeq: reqCSeq.sequence,
            limits: limits)
    }

    /// The dialog a UAS creates when it answers a dialog-creating request with a 1xx
    /// or 2xx carrying `localTag` (§12.1.1). It starts early; report the 2xx with
    /// `didSendResponse(_:)` to confirm it.
    ///
    /// - Route set: the request's Record-Route in order.
    /// - Remote target: the request's Contact (required).
    /// - Remote CSeq: the request's; local CSeq: empty until we send a request, which
    ///   then starts at `initialLocalCSeq` (§12.2.1.1 / §8.1.1.5, keep it below 2^31).
    public static func uas(request: SIPMessage, localTag: String, localContact: SIPURI,
                           transport: SIPTransportKind? = nil, initialLocalCSeq: UInt32 = 1,
                           limits: SIPDialogLimits = .default) throws(SIPDialogError) -> SIPDialog {
        guard let requestURI = request.requestURI, let method = request.method else {
            throw SIPDialogError(.notARequest)
        }
        guard method != .ack, method != .cancel else { throw SIPDialogError(.notDialogCreating) }
        guard !localTag.isEmpty else { throw SIPDialogError(.missingTag, header: "To") }
        let req = try SIPDialogHeaders.identity(of: request)
        let cseq = try SIPDialogHeaders.cseq(of: request)
        guard let remoteTag = req.from.tag, !remoteTag.isEmpty else { throw SIPDialogError(.missingTag, header: "From") }
        if let existing = req.to.tag, !existing.isEmpty { throw SIPDialogError(.notDialogCreating, header: "To") }
        guard let target = try SIPDialogHeaders.contactURI(of: request) else {
            throw SIPDialogError(.missingContact, header: "Contact")
        }
        let routes = try SIPDialogHeaders.recordRoute(of: request, limit: limits.maxRouteSetSize)

        var localAddress = req.to
        localAddress.tag = localTag
        return SIPDialog(
            id: SIPDialogID(callID: req.callID, localTag: localTag, remoteTag: remoteTag),
            role: .uas,
            state: .early,
            localAddress: localAddress,
            remoteAddress: req.from,
            localCSeq: nil,
            remoteCSeq: cseq.sequence,
            remoteTarget: target,
            routeSet: routes,
            isSecure: isSecure(requestURI, transport),
            localContact: localContact,
            creatingCSeq: cseq.sequence,
            creatingMethod: cseq.method,
            initialLocalCSeq: initialLocalCSeq,
            limits: limits)
    }

    /// §12.1.1/§12.1.2: secure when the Request-URI is SIPS and the hop was TLS.
    private static func isSecure(_ uri: SIPURI, _ transport: SIPTransportKind?) -> Bool {
        uri.scheme == .sips && (transport == nil || transport == .tls)
    }
}
