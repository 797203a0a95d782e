import SIPCore
import SIPDialog
import Wire

/// Ending a call (RFC 3261 §15): from our side CANCEL before an answer to our INVITE, 487 to an unanswered incoming
/// one, BYE after; from any side, the end of the session: published once, waiting commands answered, forgotten.
extension InviteSession {
    mutating func hangup(reason: String, normal: Bool, _ step: inout SessionStep) -> Result<CallReference, WireError> {
        if isAnswered, dialog != nil {
            sendBye(&step)
            end(code: nil, reason: reason, normal: normal, &step)
        } else if direction == .incoming {
            return reject(code: 487, reason: "Request Terminated", &step)
        } else {
            cancelRequested = true
            // §9.1: a CANCEL only once a provisional arrived; otherwise it goes out when one does.
            if inviteInFlight, inviteProvisional { sendCancel(&step) }
            else if !inviteInFlight { end(code: nil, reason: reason, normal: true, &step) }
        }
        return .success(CallReference(call: CallID(id)))
    }

    /// The BYE of an answered call, with the call's credentials (its answer is of no further interest: the call is
    /// over for us once it is sent).
    private mutating func sendBye(_ step: inout SessionStep) {
        guard var dialog, let outgoing = try? dialog.makeRequest(method: .bye) else { return }
        var bye = outgoing.message
        let destination = RequestFactory.destination(for: outgoing.nextHop, default: transport)
        step.context.stampVia(&bye, local: step.context.advertised(destination.transport, towards: destination.host))
        authenticator?.authorize(&bye)
        self.dialog = dialog
        step.add(.startTransaction(bye, to: destination, purpose: .bye, sendNow: true))
    }

    /// Marks the call terminated, publishes it, answers whoever still waits on it, and tells the adapter to forget it.
    mutating func end(code: Int?, reason: String, normal: Bool, _ step: inout SessionStep) {
        guard state != .terminated else { return }
        state = .terminated
        publishState(&step, code: code, reason: reason, normal: normal)
        let ended = WireError(.failed, "call '\(id)' ended: \(reason)")
        finishReinvite(.failure(ended), &step)
        infoQueue = nil
        if let reply = transferReply {
            transferReply = nil
            step.add(.reply(reply, .failure(ended)))
        }
        step.add(.ended)
    }
}
