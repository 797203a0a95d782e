import SIPCore

/// What one transaction state machine asks for, before the layer adds addresses and IDs.
///
/// Why separate from `SIPTransactionAction`: a single machine does not know where it sends
/// (the layer stores the destination) nor its own ID, so it can be tested on its own with
/// nothing but messages and times.
public enum SIPTransactionEffect: Sendable, Hashable {
    /// Hand this message to the transport, towards the transaction's peer.
    case send(SIPMessage)
    /// Pass this response up to the TU (client transactions only).
    case deliver(SIPMessage)
    /// Timer B or F fired (client), or timer H fired without an ACK (server INVITE).
    case timeout
    /// The transport reported a failure; the TU is informed and the transaction ends.
    case transportError
    /// The machine reached Terminated; the layer forgets it.
    case terminated
}
