import SIPCore

/// What the transaction layer asks the runtime (transport) and the TU to do.
///
/// Why an enum of commands: the layer is sans-I/O. The runtime performs `send` and routes the
/// `deliver*`, `timeout`, `ackTimeout`, `transportError` and `terminated` cases to the TU,
/// in order.
public enum SIPTransactionAction: Sendable, Hashable {
    /// Serialize and transmit. For reliable transports `to` is the connection's remote address.
    case send(SIPMessage, to: SIPTransportAddress)
    /// A new request for the TU, with its server transaction (answer it with `sendResponse`).
    /// The top Via already carries `received`/`rport` (§18.2.1, RFC 3581).
    case deliverRequest(SIPMessage, from: SIPTransportAddress, transaction: SIPServerTransactionID)
    /// An ACK matching no server transaction: the ACK for a 2xx, for the dialog layer (§17.2.3, §13.3.1.4).
    case deliverAck(SIPMessage, from: SIPTransportAddress)
    /// A response for a client transaction (provisional, or the first final one).
    case deliverResponse(SIPMessage, transaction: SIPClientTransactionID)
    /// A 2xx to INVITE matching no client transaction: a retransmission or a forked 2xx; the
    /// dialog layer ACKs it (and BYEs unwanted forks).
    case deliverStrayResponse(SIPMessage, from: SIPTransportAddress)
    /// Timer B or F fired: the TU treats it as 408 Request Timeout (§8.1.3.1).
    case timeout(SIPClientTransactionID)
    /// Timer H fired: no ACK came for the non-2xx final response (§17.2.1); the TU may clean up.
    case ackTimeout(SIPServerTransactionID)
    /// A send failed (reported through `transportFailed`); the TU treats a client one as 503 (§8.1.3.1).
    case transportError(SIPTransactionID)
    /// The transaction ended and was removed; its ID is no longer valid.
    case terminated(SIPTransactionID)
}
