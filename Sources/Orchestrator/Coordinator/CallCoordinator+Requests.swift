import Logging
import Timebase
import Wire

/// Requests to components and what resumes with their replies. Each request has one entry in `pending`, removed by
/// exactly one of two things: its reply, or its deadline passing on a tick (then the flow resumes with a `timeout`
/// error, as if the component had answered so). The adapter arms no timers of its own: there is nothing to cancel when
/// a reply comes, and a reply that comes after its timeout finds no entry and is dropped.
extension CallCoordinator {
    /// A request waiting for its reply.
    struct Pending: Sendable {
        var to: String
        var command: String
        var timeout: Duration
        var deadline: MonotonicTime
        var then: Continuation
    }

    /// What a reply resumes: one case per flow step (each flow in its own file).
    enum Continuation: Sendable {
        /// Nothing waits for the answer (fire and forget, as a release).
        case none
        /// A client waits for this component's typed result.
        case client(Forward)
        /// A failure is logged, nothing else.
        case logFailure(Logger.Level, String, call: CallID)
        case allocation(Allocation)
        case dial(PlaceCall)
        case endLocally(EndLocally)
        case answer(AnswerCall)
        case reject503(AnswerCall, WireError)
        case replaced(old: CallID, new: CallID)
        case holdOthers(HoldOthers)
        case hangup(HangupAll)
        case conference(ConferenceFlow)
        case mediaStart(MediaStart)
        case reoffer(CallID)
        case resync(ResyncCall)
        case orphans(OrphanRelease)
        case reserveSlots(ReserveSlots)
        case refillSlots(RefillSlots)
        case reconcile(Reconcile)
        case audit(Audit)
        case fallback(CodecFallback)
        case relocate(Relocate)
    }

    /// The client a flow answers in the end.
    struct Client: Sendable, Equatable {
        var token: ClientToken
        var requestID: String
    }

    /// A client's command passed on to a component: the component's result, checked against its type, is the answer.
    struct Forward: Sendable {
        var client: Client
        var retype: @Sendable (Reply) -> Result<JSONValue, WireError>

        init<R: WireValue>(_ client: Client, as type: R.Type) {
            self.client = client
            retype = { reply in reply.typed(R.self).map(\.wire) }
        }
    }

    static let sigDown = WireError(.unavailable, "sip-sig is not up (restarting?); try again in a moment")

    /// Whether a request with this id waits for its reply.
    public func isPending(_ requestID: String) -> Bool { pending[requestID] != nil }

    /// How many requests wait for replies.
    public var pendingCount: Int { pending.count }

    mutating func request<C: WireCommand>(_ command: C, to name: String, timeout: Duration, then: Continuation) {
        requestCounter += 1
        let id = "orch-\(requestCounter)"
        let deadline = context.now + timeout
        pending[id] = Pending(to: name, command: C.name, timeout: timeout, deadline: deadline, then: then)
        if earliestDeadline.map({ deadline < $0 }) ?? true { earliestDeadline = deadline }
        emit(.request(to: name, Request(id: id, command)))
    }

    /// A request to the sig that is up; with none, the flow resumes at once with `unavailable`.
    mutating func requestSig<C: WireCommand>(_ command: C, timeout: Duration, then: Continuation) {
        guard let sig = topology.sig else {
            resume(then, with: Reply(id: "", error: Self.sigDown))
            return
        }
        request(command, to: sig, timeout: timeout, then: then)
    }

    mutating func forward<C: WireCommand>(_ command: C, to name: String, timeout: Duration, _ client: Client) {
        request(command, to: name, timeout: timeout, then: .client(Forward(client, as: C.Result.self)))
    }

    mutating func forwardToSig<C: WireCommand>(_ command: C, timeout: Duration, _ client: Client) {
        requestSig(command, timeout: timeout, then: .client(Forward(client, as: C.Result.self)))
    }

    mutating func answer(_ client: Client, _ outcome: Result<JSONValue, WireError>) {
        emit(.reply(client.token, Reply(id: client.requestID, outcome: outcome)))
    }

    mutating func answer<R: WireValue>(_ client: Client, typed result: R) { answer(client, .success(result.wire)) }

    mutating func answer(_ client: Client, error: WireError) { answer(client, .failure(error)) }

    mutating func replied(_ reply: Reply) {
        guard let waiting = pending.removeValue(forKey: reply.id) else { return }  // late, or not ours
        resume(waiting.then, with: reply)
    }

    /// Resumes every request whose deadline has passed with a `timeout` error.
    mutating func expireRequests() {
        guard let earliest = earliestDeadline, context.now >= earliest else { return }
        let now = context.now
        let expired = pending.filter { $0.value.deadline <= now }.sorted { ($0.value.deadline, $0.key) < ($1.value.deadline, $1.key) }
        for (id, _) in expired {
            guard let waiting = pending.removeValue(forKey: id) else { continue }
            let error = WireError(.timeout, "\(waiting.to) did not answer '\(waiting.command)' within \(waiting.timeout)")
            resume(waiting.then, with: Reply(id: id, error: error))
        }
        earliestDeadline = pending.values.lazy.map(\.deadline).min()
    }

    mutating func resume(_ continuation: Continuation, with reply: Reply) {
        switch continuation {
        case .none:
            break
        case .client(let forward):
            answer(forward.client, forward.retype(reply))
        case .logFailure(let level, let message, let call):
            if case .failure(let error) = reply.outcome { log(level, message, ["call": "\(call)", "error": "\(error)"]) }
        case .allocation(let allocation): allocated(allocation, reply)
        case .dial(let flow): dialed(flow, reply)
        case .endLocally(let flow): released(flow)
        case .answer(let flow): answered(flow, reply.typed(SigAPI.CallAnswer.Result.self))
        case .reject503(let flow, let error): answered(flow, .failure(error))
        case .replaced(let old, let new): publish(CallReplacedEvent(call: old, newCall: new))
        case .holdOthers(let flow): held(flow, reply)
        case .hangup(let flow): hungUp(flow, reply)
        case .conference(let flow): conferenceStep(flow, reply)
        case .mediaStart(let flow): mediaStarted(flow, reply)
        case .reoffer(let call):
            if case .failure(let error) = reply.outcome {
                log(.error, "could not tell the peer the call's new media port", ["call": "\(call)", "error": "\(error)"])
            }
        case .resync(let flow): resynced(flow, reply)
        case .orphans(let flow): orphansStep(flow, reply)
        case .reserveSlots(let flow): reserved(flow, reply)
        case .refillSlots(let flow): refilled(flow, reply)
        case .reconcile(let flow): reconcileStep(flow, reply)
        case .audit(let flow): auditStep(flow, reply)
        case .fallback(let flow): fellBack(flow, reply)
        case .relocate(let flow): relocatedStart(flow)
        }
    }
}

extension Reply {
    /// The result as `R`, or the error (the peer's, or `malformed` when the result does not fit).
    func typed<R: WireValue>(_ type: R.Type) -> Result<R, WireError> {
        do { return .success(try decode(R.self)) } catch { return .failure(error) }
    }
}
