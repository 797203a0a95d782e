import SIPCore
import SIPSession
import Wire

/// orch's commands to sig (docs/PROTOCOL.md §4, "sig"), each decoded as its `SigAPI` type: a defect in the arguments
/// is answered `bad_args` naming it before anything runs. Call commands go to the call's session; the table answers
/// what concerns no single call (dial's limits and accounts, listings, restore of an unknown call).
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
                return try self.command(.answer(media: command.media, preferences: preferences), to: command.call.rawValue,
                                        SigAPI.CallAnswer.Result.self).get()
            }
        case SigAPI.CallAnswerSlots.name:
            return request.answerNow(SigAPI.CallAnswerSlots.self) { command in .init(slots: setAnswerSlots(command.slots)) }
        case SigAPI.CallReject.name:
            return request.answerNow(SigAPI.CallReject.self) { command throws(WireError) in
                try self.command(.reject(command), to: command.call.rawValue, CallReference.self).get()
            }
        case SigAPI.CallHangup.name:
            return request.answerNow(SigAPI.CallHangup.self) { command throws(WireError) in
                try self.command(.hangup(command), to: command.call.rawValue, CallReference.self).get()
            }
        case SigAPI.CallHold.name:
            return await request.answer(SigAPI.CallHold.self) { command throws(WireError) in
                try await awaitCommand(.hold(command), to: command.call.rawValue, SigAPI.CallHold.Result.self).get()
            }
        case SigAPI.CallResume.name:
            return await request.answer(SigAPI.CallResume.self) { command throws(WireError) in
                try await awaitCommand(.resume(command), to: command.call.rawValue, SigAPI.CallHold.Result.self).get()
            }
        case SigAPI.CallTransfer.name:
            return await request.answer(SigAPI.CallTransfer.self) { command throws(WireError) in
                let partner = command.replaces.map { other in
                    TransferPartner(call: other.rawValue, referTo: handleByCall[other.rawValue].flatMap { sessions[$0] }?.referToReplacingThis)
                }
                return try await awaitCommand(.transfer(command, partner: partner), to: command.call.rawValue, SigAPI.CallTransfer.Result.self).get()
            }
        case SigAPI.CallReferNotify.name:
            return request.answerNow(SigAPI.CallReferNotify.self) { command throws(WireError) in
                try self.command(.referNotify(command), to: command.call.rawValue, SigAPI.CallReferNotify.Result.self).get()
            }
        case SigAPI.CallReoffer.name:
            return await request.answer(SigAPI.CallReoffer.self) { command throws(WireError) in
                try await awaitCommand(.reoffer(command), to: command.call.rawValue, SigAPI.CallReoffer.Result.self).get()
            }
        case SigAPI.CallDTMFInfo.name:
            return request.answerNow(SigAPI.CallDTMFInfo.self) { command throws(WireError) in
                try self.command(.dtmfInfo(command), to: command.call.rawValue, SigAPI.CallDTMFInfo.Result.self).get()
            }
        case SigAPI.CallRestore.name:
            return request.answerNow(SigAPI.CallRestore.self) { command throws(WireError) in
                try restore(callID: command.call.rawValue, snapshot: command.signaling).get()
            }
        case SigAPI.Calls.name:
            return request.answerNow(SigAPI.Calls.self) { _ in .init(calls: sessions.values.sorted { $0.id < $1.id }.map(\.listEntry)) }
        case SigAPI.CallDescribe.name:
            return request.answerNow(SigAPI.CallDescribe.self) { command throws(WireError) in
                guard let session = handleByCall[command.call.rawValue].flatMap({ sessions[$0] }) else { throw WireError(.notFound, "no call '\(command.call)'") }
                return session.stateEvent()
            }
        default:
            return nil
        }
    }

    /// `call.dial`: the call's codecs and attributes checked, the table's limits, the account it goes out from; the
    /// session builds and sends the INVITE.
    func dial(_ command: SigAPI.CallDial) -> Result<SigAPI.CallDial.Result, WireError> {
        let preferences: MediaPreferences?
        switch MediaPreferences.parse(codecs: command.codecs, attributes: command.sdpAttributes) {
        case .success(let p): preferences = p
        case .failure(let e): return .failure(e)
        }
        let callID = command.call.rawValue
        guard handleByCall[callID] == nil else { return .failure(WireError(.badArgs, "call '\(callID)' exists already")) }
        guard sessions.count < settings.maxCalls else {
            return .failure(WireError(.unavailable, "call limit (\(settings.maxCalls)) reached; raise sip.max_calls"))
        }
        let account = command.from.flatMap { accounts[$0] } ?? (command.from == nil ? accounts.values.first : nil)
        let caller = account.map { a in
            CallerAccount(aor: a.config.aor, authUser: a.config.authUser, password: a.config.password, outboundProxy: a.config.outboundProxy,
                          transport: a.config.transport)
        }
        let token = ReplyToken(0)
        let (session, actions) = InviteSession.dial(command, preferences: preferences, account: caller, reply: token, now: now, context: &context)
        return settle(session, actions, token, lost: "could not start the INVITE transaction")
            .typed(SigAPI.CallDial.Result.self)
    }

    /// Takes back a call a previous sip-sig had (orch keeps its snapshot). A call already known is left as it is.
    func restore(callID: String, snapshot: SignalingSnapshot) -> Result<SigAPI.CallRestore.Result, WireError> {
        if handleByCall[callID] != nil { return .success(.init(call: CallID(callID), restored: false)) }
        let token = ReplyToken(0)
        let (session, actions) = InviteSession.restore(id: callID, snapshot: snapshot, reply: token, now: now, context: &context)
        return settle(session, actions, token, lost: "could not restart the INVITE transaction")
            .typed(SigAPI.CallRestore.Result.self)
    }

    /// A session just made (or not) by a command: into the table, its actions performed, the command's reply taken.
    /// A session that ended while its actions were performed (its INVITE transaction could not start) answers `lost`.
    private func settle(_ session: InviteSession?, _ actions: [SessionAction], _ token: ReplyToken, lost: String) -> Result<CommandReply, WireError> {
        var reply: Result<CommandReply, WireError>?
        var rest = actions
        rest.removeAll { action in
            guard case .reply(let t, let r) = action, t == token else { return false }
            reply = r
            return true
        }
        let handle = session.map(insert)
        perform(rest, for: handle)
        if let handle, !hasSession(handle) { return .failure(WireError(.internal, lost)) }
        return reply ?? .failure(WireError(.internal, "no answer to the command"))
    }
}
