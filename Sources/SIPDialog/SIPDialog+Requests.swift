import SIPCore

/// A request built inside a dialog plus where to send it.
///
/// Why the next hop travels with the message: with a strict router first in the
/// route set the destination is the Request-URI, otherwise the first Route
/// (RFC 3261 §8.1.2); the message alone cannot tell the two apart reliably.
public struct SIPDialogOutgoingRequest: Sendable, Hashable {
    public var message: SIPMessage
    /// The URI the runtime resolves (RFC 3263) to pick the destination.
    public var nextHop: SIPURI

    public init(message: SIPMessage, nextHop: SIPURI) {
        self.message = message
        self.nextHop = nextHop
    }
}

/// Building requests within a dialog (RFC 3261 §12.2.1.1, §13.2.2.4, §9.1).
///
/// Via is deliberately absent from everything built here: the transaction layer
/// owns the branch parameter and the transport owns sent-by, so the runtime
/// prepends the Via (`message.prepend(.via, ...)`) before sending. The only
/// exception is CANCEL, which must copy the top Via of the request it cancels.
extension SIPDialog {
    /// Header names the dialog writes itself; the same names in `extraHeaders` are dropped.
    static let ownedHeaders: Set<SIPHeaderName> = [
        .to, .from, .callID, .cseq, .route, .maxForwards, .contentLength, .contentType, .via,
    ]

    /// The Max-Forwards every request starts with (§8.1.1.6).
    public static let initialMaxForwards = 70

    /// Builds the next request of the dialog. The local CSeq is incremented first
    /// (§12.2.1.1), except for ACK and CANCEL, which reuse the number of the last
    /// request (the INVITE they belong to); prefer `makeAck`/`makeCancel`, which take
    /// the INVITE's number or message explicitly.
    ///
    /// To/From/Call-ID come from the dialog, Max-Forwards is 70, Contact is added for
    /// target refresh requests (INVITE, UPDATE). Request-URI and Route follow the
    /// route set: loose routing (first route has `lr`) puts the remote target in the
    /// Request-URI and the whole route set in Route; strict routing puts the first
    /// route (URI headers and `method` removed) in the Request-URI and the rest of the
    /// set plus the remote target in Route. Headers in `extraHeaders` that the dialog
    /// owns (To, From, Call-ID, CSeq, Route, Max-Forwards, Via, Content-*) are ignored;
    /// a Contact there replaces ours.
    public mutating func makeRequest(method: SIPMethod, body: [UInt8] = [], contentType: SIPMediaType? = nil,
                                     extraHeaders: [SIPHeaderField] = []) throws(SIPDialogError) -> SIPDialogOutgoingRequest {
        guard state != .terminated else { throw SIPDialogError(.dialogTerminated) }
        let sequence: UInt32
        if method == .ack || method == .cancel {
            sequence = localCSeq ?? initialLocalCSeq
        } else if let last = localCSeq {
            guard last < UInt32.max else { throw SIPDialogError(.cseqExhausted, header: "CSeq") }
            sequence = last + 1
        } else {
            sequence = initialLocalCSeq
        }
        if method != .ack && method != .cancel { localCSeq = sequence }
        let withContact = SIPDialog.isTargetRefresh(method)
        return build(method, sequence: sequence, contact: withContact, body: body,
                     contentType: contentType, extra: extraHeaders)
    }

    /// The ACK for a 2xx to an INVITE of this dialog (§13.2.2.4): built like any
    /// in-dialog request, but with the INVITE's CSeq number, method ACK, and the same
    /// credentials as the INVITE. Only Authorization and Proxy-Authorization fields of
    /// `credentials` are used; `credentials(of:)` extracts them from the sent INVITE.
    /// The body carries the SDP answer when the INVITE had no offer. Does not change
    /// the local CSeq and works in any state (a forked 2xx must be ACKed even when
    /// the dialog is about to be ended).
    public func makeAck(forInviteCSeq sequence: UInt32, credentials: [SIPHeaderField] = [],
                        body: [UInt8] = [], contentType: SIPMediaType? = nil) -> SIPDialogOutgoingRequest {
        let auth = credentials.filter { $0.name == .authorization || $0.name == .proxyAuthorization }
        return build(.ack, sequence: sequence, contact: false, body: body, contentType: contentType, extra: auth)
    }

    /// The Authorization and Proxy-Authorization fields of a request, in order.
    public static func credentials(of request: SIPMessage) -> [SIPHeaderField] {
        request.headers.filter { $0.name == .authorization || $0.name == .proxyAuthorization }
    }

    /// A CANCEL for a request we sent in this dialog (e.g. a pending re-INVITE), per
    /// §9.1: same Request-URI, Call-ID, To, From, Route and CSeq number, method CANCEL,
    /// and a single Via equal to the request's top Via (so it reaches the same server
    /// transaction). Throws when the request lacks CSeq or Via.
    public func makeCancel(for request: SIPMessage) throws(SIPDialogError) -> SIPDialogOutgoingRequest {
        guard let uri = request.requestURI else { throw SIPDialogError(.notARequest) }
        let cseq = try SIPDialogHeaders.cseq(of: request)
        let topVia: SIPVia?
        do { topVia = try request.topVia() } catch { throw .malformed(error) }
        guard let topVia else { throw SIPDialogError(.missingHeader, header: "Via") }
        var m = SIPMessage.request(.cancel, uri: uri)
        m.append(.via, topVia.description)
        for f in request.headers where f.name == .route { m.headers.append(SIPHeaderField(.route, f.value)) }
        m.append(.maxForwards, String(SIPDialog.initialMaxForwards))
        for name in [SIPHeaderName.to, .from, .callID] {
            if let v = request.firstValue(name) { m.append(name, v) }
        }
        m.append(.cseq, "\(cseq.sequence) CANCEL")
        return SIPDialogOutgoingRequest(message: m, nextHop: nextHop)
    }

    /// Request-URI and Route values for the current route set (§12.2.1.1).
    func routing() -> (requestURI: SIPURI, routes: [SIPURI]) {
        guard let first = routeSet.first else { return (SIPDialog.requestURIForm(remoteTarget), []) }
        if first.isLooseRouter { return (SIPDialog.requestURIForm(remoteTarget), routeSet) }
        return (SIPDialog.requestURIForm(first), Array(routeSet.dropFirst()) + [remoteTarget])
    }

    private func build(_ method: SIPMethod, sequence: UInt32, contact: Bool, body: [UInt8],
                       contentType: SIPMediaType?, extra: [SIPHeaderField]) -> SIPDialogOutgoingRequest {
        let (uri, routes) = routing()
        var m = SIPMessage.request(method, uri: uri, body: body)
        for r in routes { m.append(.route, "<\(r)>") }
        m.append(.maxForwards, String(SIPDialog.initialMaxForwards))
        m.append(.to, remoteAddress.description)
        m.append(.from, localAddress.description)
        m.append(.callID, id.callID)
        m.append(.cseq, "\(sequence) \(method)")
        let extraContact = extra.contains { $0.name == .contact }
        if contact && !extraContact { m.append(.contact, "<\(localContact)>") }
        for f in extra where !SIPDialog.ownedHeaders.contains(f.name) { m.headers.append(f) }
        if let contentType { m.append(.contentType, contentType.description) }
        return SIPDialogOutgoingRequest(message: m, nextHop: nextHop)
    }
}
