import SIPCore

/// Builds a response to a request per RFC 3261 §8.2.6.
///
/// Why here: both the transaction layer (100 Trying, 482, 503) and the TU build responses,
/// and the copying rules are easy to get subtly wrong: every Via in order (responses are
/// routed back along them, §18.2.2), From, Call-ID and CSeq unchanged, To with a tag added
/// (never on 100, §8.2.6.2), Timestamp echoed on 100 (§8.2.6.1).
/// Record-Route, Contact and bodies are the dialog layer's business and are not added here.
public enum SIPResponseBuilder: Sendable {
    /// - Parameters:
    ///   - status: 100...699.
    ///   - reason: nil picks the standard phrase.
    ///   - toTag: added to To when To has no tag and `status != 100`; nil leaves To unchanged.
    public static func response(to request: SIPMessage, status: Int, reason: String? = nil,
                                toTag: String?) -> SIPMessage {
        var headers: [SIPHeaderField] = request.headers.filter { $0.name == .via }
        if let from = request.fields(.from).first { headers.append(SIPHeaderField(.from, from.value)) }
        if let to = request.fields(.to).first {
            headers.append(SIPHeaderField(.to, toValue(to.value, status: status, toTag: toTag)))
        }
        if let callID = request.fields(.callID).first { headers.append(SIPHeaderField(.callID, callID.value)) }
        if let cseq = request.fields(.cseq).first { headers.append(SIPHeaderField(.cseq, cseq.value)) }
        if status == 100, let timestamp = request.fields(timestampHeader).first {
            headers.append(SIPHeaderField(timestampHeader, timestamp.value))
        }
        headers.append(SIPHeaderField(.contentLength, "0"))
        return .response(status, reasonPhrase: reason ?? SIPReasonPhrase.standard(for: status), headers: headers)
    }

    static let timestampHeader: SIPHeaderName = "Timestamp"

    /// The To value with `;tag=` appended when allowed and missing. An unparsable To is
    /// copied verbatim: the response must still go out (the peer's problem, not ours).
    static func toValue(_ value: String, status: Int, toTag: String?) -> String {
        guard status != 100, let toTag, !toTag.isEmpty else { return value }
        guard let address = try? SIPAddress.parse(value, header: "To") else { return value }
        guard address.tag == nil else { return value }
        return value + ";tag=" + toTag
    }
}
