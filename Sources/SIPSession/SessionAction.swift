import SIPCore
import SIPTransaction
import Timebase
import Wire

/// What an `InviteSession` asks its adapter to do, in order. The session never sends, sleeps or reads a clock: each
/// entry point returns these, and `SignalingService` maps them onto the transaction layer, the transport, its timer
/// table and the bus.
public enum SessionAction: Sendable {
    /// Start a client transaction for `request` (its Via already stamped) towards `destination`; the answers come back
    /// through `InviteSession.receive(response:purpose:...)` with this purpose. `sendNow` false: the peer already has
    /// the request (a restored INVITE), so the transaction only retransmits it when its timer says so.
    case startTransaction(SIPMessage, to: SIPTransportAddress, purpose: RequestPurpose, sendNow: Bool)
    /// Answer on a server transaction. `judged`: a status that betrays a scanner counts against its source (the
    /// throttle); a rejection orch chose (`call.reject`) is not judged.
    case respond(SIPMessage, transaction: SIPServerTransactionID, judged: Bool)
    /// Send outside any transaction: the ACK for a 2xx, a 2xx retransmission (RFC 3261 §13.2.2.4, §13.3.1.4).
    case send(SIPMessage, to: SIPTransportAddress)
    /// Publish an event to orch. Boxed: a `call.state` carries the whole snapshot, and every action would otherwise be
    /// that large (each append and each read copies it).
    indirect case emit(SessionEvent)
    /// Answer the orch command that carried this token (a hold, resume, reoffer or transfer answers only once the
    /// peer did).
    case reply(ReplyToken, Result<CommandReply, WireError>)
    /// Call `InviteSession.timerFired(_:now:context:)` at `at` (replacing an earlier arming of the same timer).
    case arm(SessionTimerName, at: MonotonicTime)
    /// Forget a timer armed before.
    case disarm(SessionTimerName)
    /// Write to the log (warnings with a cause are logged once per cause and counted).
    case log(SessionLog)
    /// Hang up another call of the table (our other call of an attended transfer, once the transfer succeeded).
    case hangUp(call: String, reason: String)
    /// The session is over (terminated and published): forget it.
    case ended
}

/// What a request we sent is for, so its responses, timeouts and transport errors go to the right part of the
/// session (baresip's sipsess keeps one callback per request in the same way).
public enum RequestPurpose: Sendable, Hashable {
    /// The dialog-creating INVITE (and its re-sends after 401/407 or a 3xx).
    case invite
    case cancel
    /// A mid-call INVITE (hold, resume, new offer, session refresh).
    case reinvite
    /// A mid-call UPDATE (RFC 3311); sig sends none today, but the purpose is kept for its answers.
    case update
    case prack
    case bye
    /// The BYE for a 2xx from a fork we do not keep: nothing waits for its answer.
    case forkBye
    case refer
    case notify
    case info

    /// The request's method.
    public var method: SIPMethod {
        switch self {
        case .invite, .reinvite: .invite
        case .cancel: .cancel
        case .update: .update
        case .prack: .prack
        case .bye, .forkBye: .bye
        case .refer: .refer
        case .notify: .notify
        case .info: .info
        }
    }
}

/// How a client transaction failed without a final response.
public enum RequestFailure: Sendable, Hashable {
    /// Timer B or F (RFC 3261 §8.1.3.1: treated as 408).
    case timeout
    /// The transport could not send it (treated as 503).
    case transport
    /// The transaction layer refused to start it.
    case notStarted(String)
}

/// The named timers of one session; arming one again moves it.
public enum SessionTimerName: Sendable, Hashable, CaseIterable {
    /// Our 2xx to an INVITE, resent until the ACK (RFC 3261 §13.3.1.4).
    case retransmit2xx
    /// 64*T1 after our CANCEL without a final response to the INVITE (§9.1).
    case cancelDeadline
    /// RFC 4028: when we refresh, or when the session expires for lack of a refresh.
    case sessionTimer
    /// Our reliable 180, resent until its PRACK (RFC 3262 §3).
    case reliableProvisional
    /// The randomised wait before retrying a re-INVITE refused with 491 (RFC 3261 §14.1).
    case glareRetry
}

/// Events a session publishes.
public enum SessionEvent: Sendable, Hashable {
    case state(CallStateEvent)
    case incoming(CallIncomingEvent)
    case transfer(CallTransferEvent)
    case referred(CallReferredEvent)
    case dtmf(DTMFReceivedEvent)

    /// The event as the bus carries it.
    public var wire: any WireEvent {
        switch self {
        case .state(let e): e
        case .incoming(let e): e
        case .transfer(let e): e
        case .referred(let e): e
        case .dtmf(let e): e
        }
    }
}

/// Names the orch command a reply answers; the adapter hands them out and keeps whoever waits.
public struct ReplyToken: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "reply#\(rawValue)" }
}

/// The result of a command a session carried out.
public enum CommandReply: Sendable, Hashable {
    case dialed(SigAPI.CallDial.Result)
    case answered(SigAPI.CallAnswer.Result)
    case reference(CallReference)
    case hold(SigAPI.CallHold.Result)
    case transfer(SigAPI.CallTransfer.Result)
    case referNotify(SigAPI.CallReferNotify.Result)
    case dtmfInfo(SigAPI.CallDTMFInfo.Result)
    case restored(SigAPI.CallRestore.Result)

    /// The result as the command's own type (`internal` error if the session answered another kind).
    public func value<R>(_ type: R.Type) throws(WireError) -> R {
        let value: Any = switch self {
        case .dialed(let r): r
        case .answered(let r): r
        case .reference(let r): r
        case .hold(let r): r
        case .transfer(let r): r
        case .referNotify(let r): r
        case .dtmfInfo(let r): r
        case .restored(let r): r
        }
        guard let result = value as? R else { throw WireError(.internal, "the session answered \(self) where \(R.self) was expected") }
        return result
    }
}

extension Result where Success == CommandReply, Failure == WireError {
    /// The reply as the command's own result type.
    public func typed<R>(_ type: R.Type) -> Result<R, WireError> {
        flatMap { reply in
            do throws(WireError) { return .success(try reply.value(R.self)) } catch { return .failure(error) }
        }
    }
}

/// A line for the log. With a `cause`, a warning logged once per cause (then only counted in `stats`): floods of bad
/// input cannot flood the log.
public struct SessionLog: Sendable, Hashable {
    public enum Level: Sendable, Hashable { case notice, warning }
    public var level: Level
    public var message: String
    public var cause: String?
    public var call: String?
    public var sipCallID: String?

    public init(_ message: String, level: Level = .warning, cause: String? = nil, call: String? = nil, sipCallID: String? = nil) {
        self.level = level
        self.message = message
        self.cause = cause
        self.call = call
        self.sipCallID = sipCallID
    }
}
