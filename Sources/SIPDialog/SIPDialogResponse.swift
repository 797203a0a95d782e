import SIPCore

/// Builds the responses the dialog layer itself sends: 481 for unknown dialogs,
/// 500 for out-of-order CSeq, 400 for malformed in-dialog requests, 200 to BYE.
///
/// Why a local helper: RFC 3261 §8.2.6.2 fixes the recipe (copy every Via in order,
/// From, To, Call-ID and CSeq; add a To tag when there is none), and the dialog
/// layer needs it without depending on the transaction module.
public enum SIPDialogResponse {
    /// Reason-Phrase of 481 (RFC 3261 §21.4.19).
    public static let reason481 = "Call/Transaction Does Not Exist"

    /// A response to `request`, or nil when none may be sent: the request is an ACK
    /// (never answered, §17.1.1.3), not a request, has no Via to route the response,
    /// or `statusCode` is outside 100...699.
    /// - Parameter toTag: added to To when it has no tag yet; ignored otherwise.
    public static func make(for request: SIPMessage, statusCode: Int, reasonPhrase: String,
                            toTag: String? = nil) -> SIPMessage? {
        guard let method = request.method, method != .ack, (100...699).contains(statusCode) else { return nil }
        var headers = request.headers.filter { $0.name == .via }.map { SIPHeaderField(.via, $0.value) }
        guard !headers.isEmpty else { return nil }
        for name in [SIPHeaderName.from, .to, .callID, .cseq] {
            guard var value = request.firstValue(name) else { continue }
            if name == .to, let toTag, !toTag.isEmpty,
               let to = try? SIPAddress.parse(value, header: "To"), to.tag == nil {
                value += ";tag=" + toTag
            }
            headers.append(SIPHeaderField(name, value))
        }
        return .response(statusCode, reasonPhrase: reasonPhrase, headers: headers)
    }

    /// 481 Call/Transaction Does Not Exist for a request whose dialog is unknown (§12.2.2).
    public static func callDoesNotExist(for request: SIPMessage) -> SIPMessage? {
        make(for: request, statusCode: 481, reasonPhrase: reason481)
    }
}

extension SIPDialogRequestVerdict {
    /// The response a `.reject` verdict calls for; nil for `.accept` and for ACK.
    public func response(to request: SIPMessage) -> SIPMessage? {
        guard case .reject(let code, let reason) = self else { return nil }
        return SIPDialogResponse.make(for: request, statusCode: code, reasonPhrase: reason)
    }
}
