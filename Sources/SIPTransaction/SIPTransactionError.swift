/// Why a TU request could not start a client transaction. These are TU bugs, not network
/// events, so they are thrown instead of turned into actions.
public enum SIPTransactionError: Error, Sendable, Hashable {
    /// The message is a response.
    case notARequest
    /// ACK never has a client transaction: for non-2xx the transaction builds it, for 2xx the
    /// TU sends it directly through the transport (§17.1.1.3, §13.2.2.4).
    case ackIsNotATransaction
    /// No top Via, or no `branch` on it.
    case missingBranch
    /// No CSeq, or its method differs from the request method.
    case badCSeq
    /// A live client transaction already uses this branch and method.
    case duplicateTransaction
}
