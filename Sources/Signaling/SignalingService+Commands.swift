import SDP
import SIPCore
import Wire

/// orch's commands to sig (docs/PROTOCOL.md §4, "sig"), each decoded as its `SigAPI` type: a defect in the arguments
/// is answered `bad_args` naming it before anything runs.
extension SignalingService {
    public func handle(_ request: Request) async -> Reply? {
        switch request.command {
        case SigAPI.AccountAdd.name:
            return await request.answer(SigAPI.AccountAdd.self) { command throws(WireError) in try await addAccount(command.account).get() }
        case SigAPI.AccountRemove.name:
            return await request.answer(SigAPI.AccountRemove.self) { command throws(WireError) in try await removeAccount(command.aor).get() }
        case SigAPI.CallDial.name:
            return request.answerNow(SigAPI.CallDial.self) { command throws(WireError) in try dial(command).get() }
        case SigAPI.CallAnswer.name:
            return request.answerNow(SigAPI.CallAnswer.self) { command throws(WireError) in
                let preferences = try MediaPreferences.parse(codecs: command.codecs, attributes: command.sdpAttributes).get()
                return try answer(callID: command.call.rawValue, address: command.media.address, port: command.media.port,
                                  preferences: preferences).get()
            }
        case SigAPI.CallAnswerSlots.name:
            return request.answerNow(SigAPI.CallAnswerSlots.self) { command in .init(slots: setAnswerSlots(command.slots)) }
        case SigAPI.CallReject.name:
            return request.answerNow(SigAPI.CallReject.self) { command throws(WireError) in
                try reject(callID: command.call.rawValue, code: command.code ?? SigAPI.CallReject.defaultCode, reason: command.reason).get()
            }
        case SigAPI.CallHangup.name:
            return request.answerNow(SigAPI.CallHangup.self) { command throws(WireError) in try hangup(callID: command.call.rawValue).get() }
        case SigAPI.CallHold.name:
            return await request.answer(SigAPI.CallHold.self) { command throws(WireError) in
                try await setHold(callID: command.call.rawValue, hold: true,
                                  direction: command.direction.flatMap { MediaDirection(rawValue: $0.rawValue) } ?? .sendonly).get()
            }
        case SigAPI.CallResume.name:
            return await request.answer(SigAPI.CallResume.self) { command throws(WireError) in
                try await setHold(callID: command.call.rawValue, hold: false).get()
            }
        case SigAPI.CallTransfer.name:
            return await request.answer(SigAPI.CallTransfer.self) { command throws(WireError) in
                try await transfer(callID: command.call.rawValue, target: command.target, replacing: command.replaces?.rawValue).get()
            }
        case SigAPI.CallReferNotify.name:
            return request.answerNow(SigAPI.CallReferNotify.self) { command throws(WireError) in
                try referNotify(callID: command.call.rawValue, code: command.code, reason: command.reason).get()
            }
        case SigAPI.CallReoffer.name:
            return await request.answer(SigAPI.CallReoffer.self) { command throws(WireError) in
                try await reoffer(callID: command.call.rawValue, codecs: command.codecs, media: command.media).get()
            }
        case SigAPI.CallDTMFInfo.name:
            return request.answerNow(SigAPI.CallDTMFInfo.self) { command throws(WireError) in
                try sendInfoDTMF(callID: command.call.rawValue, digits: command.digits,
                                 durationMs: command.durationMs ?? SigAPI.CallDTMFInfo.defaultDurationMs).get()
            }
        case SigAPI.CallRestore.name:
            return request.answerNow(SigAPI.CallRestore.self) { command throws(WireError) in
                try restore(callID: command.call.rawValue, snapshot: command.signaling).get()
            }
        case SigAPI.Calls.name:
            return request.answerNow(SigAPI.Calls.self) { _ in .init(calls: callEntries()) }
        case SigAPI.CallDescribe.name:
            return request.answerNow(SigAPI.CallDescribe.self) { command throws(WireError) in
                guard let session = calls[command.call.rawValue] else { throw WireError(.notFound, "no call '\(command.call)'") }
                return stateEvent(session)
            }
        default:
            return nil
        }
    }

    /// Takes back an answered call a previous sip-sig had (orch keeps its snapshot): in-dialog requests from the
    /// peer match it again and a hangup sends a proper BYE. A call already known is left as it is.
    func restore(callID: String, snapshot: SignalingSnapshot) -> Result<SigAPI.CallRestore.Result, WireError> {
        let restored = SigAPI.CallRestore.Result(call: CallID(callID), restored: true)
        if calls[callID] != nil { return .success(.init(call: CallID(callID), restored: false)) }
        if snapshot.pendingInvite != nil {
            switch CallSession.restorePending(id: callID, snapshot: snapshot) {
            case .failure(let e):
                return .failure(e)
            case .success(let (call, invite, destination)):
                calls[callID] = call
                callByDialogKey[call.dialogKey] = callID
                // The same INVITE (same branch): to the peer a retransmission, so its answer comes to this transaction.
                // Sent at once only when no provisional answer had come: otherwise the peer has it and is answering.
                guard let transaction = startTransaction(invite, to: destination, sendNow: call.state == .dialing) else {
                    calls[callID] = nil
                    callByDialogKey[call.dialogKey] = nil
                    return .failure(WireError(.internal, "could not restart the INVITE transaction"))
                }
                calls[callID]?.inviteTransaction = transaction
                callByClientTransaction[transaction] = callID
                logger.notice("resumed a call being set up", metadata: ["call": "\(callID)", "sip_call_id": "\(call.sipCallID)"])
                return .success(restored)
            }
        }
        switch CallSession.restore(id: callID, snapshot: snapshot) {
        case .failure(let e):
            return .failure(e)
        case .success(var call):
            // A restored session timer starts again from now: we refresh at once if we are the refresher (the previous
            // sig may have died just before its refresh), or give the peer a whole interval.
            if let t = call.sessionTimer { startSessionTimer(&call, interval: t.interval, weRefresh: t.weRefresh) }
            if call.sessionTimer?.weRefresh == true { call.sessionTimer?.deadline = now }
            calls[callID] = call
            callByDialogKey[call.dialogKey] = callID
            logger.notice("restored a call", metadata: ["call": "\(callID)", "sip_call_id": "\(call.sipCallID)"])
            return .success(restored)
        }
    }
}
