import Logging
import SIPCore
import SIPSession
import SIPTransaction
import Timebase
import Wire

/// Names one session in the table, unique for the service's life (a call id orch reuses never reaches the old
/// call's transactions or timers).
struct SessionHandle: Hashable, Sendable {
    let rawValue: UInt64
}

/// The table of sessions and the mapping of what they ask onto I/O: transactions, sends, the bus, timers, replies.
extension SignalingService {
    /// Puts a new session in the table and in the maps that find it.
    func insert(_ session: InviteSession) -> SessionHandle {
        nextHandle &+= 1
        let handle = SessionHandle(rawValue: nextHandle)
        sessions[handle] = session
        handleByCall[session.id] = handle
        callByDialogKey[session.dialogKey] = handle
        if let transaction = session.inviteServerTransaction { callByServerTransaction[transaction] = handle }
        if let key = session.inviteKey { callByInvite[key] = handle }
        return handle
    }

    /// Takes an ended session out of the table (its client transactions forget it as they terminate).
    private func forget(_ handle: SessionHandle) {
        guard let session = sessions.removeValue(forKey: handle) else { return }
        if handleByCall[session.id] == handle { handleByCall[session.id] = nil }
        if callByDialogKey[session.dialogKey] == handle { callByDialogKey[session.dialogKey] = nil }
        if let key = session.inviteKey, callByInvite[key] == handle { callByInvite[key] = nil }
        if let transaction = session.inviteServerTransaction, callByServerTransaction[transaction] == handle {
            callByServerTransaction[transaction] = nil
        }
        sessionTimers.removeAll(handle)
    }

    /// Whether the table still has this session (without copying it out: a session is a few kilobytes).
    func hasSession(_ handle: SessionHandle) -> Bool { sessions.index(forKey: handle) != nil }

    /// Runs one entry point of a session in place (with the shared context and the time) and performs what it asks.
    func withSession(_ handle: SessionHandle, _ body: (inout InviteSession, inout SessionContext, MonotonicTime) -> [SessionAction]) {
        guard hasSession(handle) else { return }
        let actions = body(&sessions[handle]!, &context, now)
        perform(actions, for: handle)
    }

    /// Carries out a session's actions in order; `handle` nil for the actions of an INVITE that made no session.
    func perform(_ actions: [SessionAction], for handle: SessionHandle?) {
        for action in actions {
            switch action {
            case .startTransaction(let request, let destination, let purpose, let sendNow):
                switch startTransaction(request, to: destination, sendNow: sendNow) {
                case .success(let transaction):
                    if let handle { clientTransactions[transaction] = (handle, purpose) }
                case .failure(let error):
                    if let handle {
                        withSession(handle) { $0.requestFailed(purpose: purpose, failure: .notStarted("\(error)"), now: $2, context: &$1) }
                    }
                }
            case .respond(let response, let transaction, let judged):
                respond(response, transaction: transaction, judged: judged)
            case .send(let message, let destination):
                send(message, to: destination)
            case .emit(let event):
                emit(event.wire)
            case .reply(let token, let result):
                if let waiter = replyWaiters.removeValue(forKey: token) { waiter.resume(returning: result) } else { readyReplies[token] = result }
            case .arm(let timer, let due):
                if let handle, hasSession(handle) { sessionTimers.arm(handle, timer, at: due) }
            case .disarm(let timer):
                if let handle { sessionTimers.disarm(handle, timer) }
            case .log(let line):
                write(line)
            case .hangUp(let call, let reason):
                if let other = handleByCall[call] {
                    withSession(other) { $0.handle(.end(reason: reason, normal: true), reply: nil, now: $2, context: &$1) }
                }
            case .ended:
                if let handle { forget(handle) }
            }
        }
    }

    private func write(_ line: SessionLog) {
        if let cause = line.cause { return log(line.message, cause: cause, call: line.call) }
        var metadata: Logger.Metadata = [:]
        if let call = line.call { metadata["call"] = "\(call)" }
        if let sipCallID = line.sipCallID { metadata["sip_call_id"] = "\(sipCallID)" }
        switch line.level {
        case .notice: logger.notice("\(line.message)", metadata: metadata)
        case .warning: logger.warning("\(line.message)", metadata: metadata)
        }
    }

    // MARK: commands

    private func newToken() -> ReplyToken {
        nextReply &+= 1
        return ReplyToken(nextReply)
    }

    /// Gives a command to the call it names; its reply if the session answered at once.
    private func issue(_ command: SessionCommand, to call: String) -> (ReplyToken, Result<CommandReply, WireError>?) {
        let token = newToken()
        guard let handle = handleByCall[call] else { return (token, .failure(command.notFound(call))) }
        withSession(handle) { $0.handle(command, reply: token, now: $2, context: &$1) }
        return (token, readyReplies.removeValue(forKey: token))
    }

    /// A command the session answers in the same pass (answer, reject, hangup, DTMF, NOTIFY): no task hop.
    func command<R>(_ command: SessionCommand, to call: String, _ type: R.Type) -> Result<R, WireError> {
        let (_, reply) = issue(command, to: call)
        guard let reply else { return .failure(WireError(.internal, "call '\(call)' gave no answer")) }
        return reply.typed(R.self)
    }

    /// A command whose answer waits for the peer (hold, resume, reoffer, transfer).
    func awaitCommand<R>(_ command: SessionCommand, to call: String, _ type: R.Type) async -> Result<R, WireError> {
        let (token, ready) = issue(command, to: call)
        let reply: Result<CommandReply, WireError>
        if let ready { reply = ready } else {
            reply = await withCheckedContinuation { continuation in replyWaiters[token] = continuation }
        }
        return reply.typed(R.self)
    }
}
