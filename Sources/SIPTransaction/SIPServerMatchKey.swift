import SIPCore

/// How a request finds its server transaction (RFC 3261 §17.2.3).
///
/// Why two kinds: with the magic cookie the branch is globally unique, so branch + sent-by +
/// method suffices (ACK counts as INVITE). Without it (RFC 2543 peers) the request is matched
/// on Request-URI, To tag, From tag, Call-ID, CSeq and the whole top Via; an ACK instead
/// carries the To tag of *our response*, which the layer checks separately.
enum SIPServerMatchKey: Hashable, Sendable {
    case branch(branch: String, sentBy: SIPSentBy, method: SIPMethod)
    case legacy(SIPLegacyRequestKey)

    /// The key a request would be stored under (ACK and CANCEL mapped as asked by `methodOverride`).
    static func make(for request: SIPMessage, topVia: SIPVia, cseq: SIPCSeq,
                     methodOverride: SIPMethod? = nil) -> SIPServerMatchKey? {
        guard let method = request.method else { return nil }
        let matched = methodOverride ?? (method == .ack ? .invite : method)
        if topVia.hasMagicCookie, let branch = topVia.branch {
            return .branch(branch: branch, sentBy: SIPSentBy(via: topVia), method: matched)
        }
        guard let uri = request.requestURI, let callID = try? request.callID() else { return nil }
        return .legacy(SIPLegacyRequestKey(
            requestURI: uri, fromTag: (try? request.from())?.tag, toTag: (try? request.to())?.tag,
            callID: callID, sequence: cseq.sequence, method: matched, topVia: topVia))
    }
}

/// The RFC 2543 matching fields (§17.2.3). `topVia` is compared after `received`/`rport`
/// stamping, which is deterministic for a given source, so retransmissions still match.
struct SIPLegacyRequestKey: Hashable, Sendable {
    var requestURI: SIPURI
    var fromTag: String?
    var toTag: String?
    var callID: String
    var sequence: UInt32
    var method: SIPMethod
    var topVia: SIPVia

    func withToTag(_ tag: String?) -> SIPLegacyRequestKey {
        var copy = self
        copy.toTag = tag
        return copy
    }
}

/// §8.2.2.2 merged-request detection: From tag, Call-ID and CSeq of requests without a To tag.
struct SIPMergeKey: Hashable, Sendable {
    var fromTag: String
    var callID: String
    var sequence: UInt32
    var method: SIPMethod

    static func make(for request: SIPMessage, cseq: SIPCSeq) -> SIPMergeKey? {
        guard (try? request.to())?.tag == nil,
              let fromTag = (try? request.from())?.tag,
              let callID = try? request.callID() else { return nil }
        return SIPMergeKey(fromTag: fromTag, callID: callID, sequence: cseq.sequence, method: cseq.method)
    }
}

/// How a response finds its client transaction (§17.1.3): top Via branch + CSeq method.
struct SIPClientMatchKey: Hashable, Sendable {
    var branch: String
    var method: SIPMethod
}
