import SIPCore

/// CANCEL support (RFC 3261 §9).
///
/// Server side: a CANCEL is an ordinary non-INVITE server transaction delivered to the TU;
/// `matchingInvite(forCancel:)` finds the INVITE it targets (§9.2) so the TU can answer 200 to
/// the CANCEL and, if `isAwaitingFinalResponse`, 487 to the INVITE. No match: the TU answers 481.
///
/// Client side: `makeCancel(for:)` builds the CANCEL (§9.1); the TU sends it with
/// `sendRequest`, which starts its own non-INVITE transaction (same branch, method CANCEL).
extension SIPTransactionLayer {
    /// The live server INVITE transaction a received CANCEL refers to: same branch and sent-by
    /// (method aside), or for RFC 2543 peers the same Request-URI, tags, Call-ID, CSeq number
    /// and top Via. Pass the CANCEL as delivered (its Via is stamped like the INVITE's was).
    public func matchingInvite(forCancel cancel: SIPMessage) -> SIPServerTransactionID? {
        guard cancel.method == .cancel, let via = try? cancel.topVia(), let cseq = try? cancel.cseq(),
              let key = SIPServerMatchKey.make(for: cancel, topVia: via, cseq: cseq, methodOverride: .invite),
              let id = serverIndex[key], servers[id]?.isInvite == true else { return nil }
        return id
    }

    /// Same as `matchingInvite(forCancel:)` for the CANCEL's own server transaction.
    public func matchingInvite(forCancelTransaction id: SIPServerTransactionID) -> SIPServerTransactionID? {
        guard let cancel = servers[id]?.request else { return nil }
        return matchingInvite(forCancel: cancel)
    }

    /// A CANCEL for a client INVITE transaction (§9.1): its Request-URI, Call-ID, To, From,
    /// CSeq number (method CANCEL), single top Via and Route headers. Nil unless the
    /// transaction is an INVITE that got a provisional and no final response yet: before a
    /// 1xx a CANCEL must not be sent, after a final one it is pointless.
    public func makeCancel(for id: SIPClientTransactionID) -> SIPMessage? {
        guard let entry = clients[id], case .invite(let invite) = entry.machine,
              invite.state == .proceeding, invite.hasReceivedProvisional else { return nil }
        return Self.makeCancel(forInvite: invite.request)
    }

    /// The CANCEL for `invite` regardless of transaction state (for the TU's own bookkeeping).
    public static func makeCancel(forInvite invite: SIPMessage) -> SIPMessage? {
        guard invite.method == .invite, let uri = invite.requestURI, let cseq = try? invite.cseq(),
              let via = SIPClientInviteTransaction.topViaValue(of: invite) else { return nil }
        var headers: [SIPHeaderField] = [SIPHeaderField(.via, via)]
        headers.append(SIPHeaderField(.maxForwards, invite.firstValue(.maxForwards) ?? "70"))
        if let to = invite.firstValue(.to) { headers.append(SIPHeaderField(.to, to)) }
        if let from = invite.firstValue(.from) { headers.append(SIPHeaderField(.from, from)) }
        if let callID = invite.firstValue(.callID) { headers.append(SIPHeaderField(.callID, callID)) }
        headers.append(SIPHeaderField(.cseq, SIPCSeq(sequence: cseq.sequence, method: .cancel).description))
        headers += invite.fields(.route).map { SIPHeaderField(.route, $0.value) }
        headers.append(SIPHeaderField(.contentLength, "0"))
        return .request(.cancel, uri: uri, headers: headers)
    }
}
