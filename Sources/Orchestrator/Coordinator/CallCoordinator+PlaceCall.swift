import Wire

/// Placing a call (`call`, and the call a peer's REFER asks for):
///
///     media.allocate on the least loaded worker ──failure──► the next worker … ──none left──► error
///            │ success
///            ▼
///     record + journal flush (an orch crash from here on keeps the call) ──► sig call.dial ──► answer
///                                                                              │ failure
///                                                                              ▼
///                                                  ended locally: media.release, audio.detach ──► error
///
/// The allocation step is shared with answering and with moving a lost worker's calls (`Allocation.Purpose`).
extension CallCoordinator {
    struct PlaceCall: Sendable {
        enum Purpose: Sendable {
            case client(Client)
            /// The call a peer's REFER asked for (CallCoordinator+Transfer.swift).
            case referral(Referral)
        }

        var call: CallID?
        var to: String
        var from: String?
        var codecs: [CodecName]?
        var sdpAttributes: [String]?
        var headers: [String: String]?
        var authUser: String?
        var password: String?
        var purpose: Purpose
        var record: CallRecord?

        init(_ command: OrchAPI.Call, call: CallID?, headers: [String: String]?, purpose: Purpose) {
            self.call = call ?? command.call
            to = command.to
            from = command.from
            codecs = command.codecs
            sdpAttributes = command.sdpAttributes
            self.headers = headers
            authUser = command.authUser
            password = command.password
            self.purpose = purpose
        }
    }

    /// Asking the workers for a port pair, least loaded first, until one gives it.
    struct Allocation: Sendable {
        enum Purpose: Sendable {
            case place(PlaceCall)
            case answer(AnswerCall)
            case relocate(Relocate)
        }

        var call: CallID
        var remaining: [String]
        var current = ""
        var lastError = WireError(.unavailable, "no media worker could allocate ports")
        var purpose: Purpose
    }

    mutating func placeCall(_ flow: PlaceCall) {
        guard !flow.to.isEmpty else {
            placed(flow, .failure(WireError(.badArgs, "call needs args.to, e.g. sip:bob@127.0.0.1:5062")))
            return
        }
        var flow = flow
        let id = flow.call ?? makeCallID()
        flow.call = id
        var record = CallRecord(id: id, direction: .outgoing, state: .dialing, remote: flow.to, created: context.date)
        assignStreams(&record)
        flow.record = record
        allocateMedia(for: id, purpose: .place(flow))
    }

    /// Picks the media worker with the fewest calls and asks it for a port pair; on failure the next one.
    mutating func allocateMedia(for call: CallID, purpose: Allocation.Purpose) {
        let workers = workersByLoad()
        guard !workers.isEmpty else {
            allocationDone(purpose, .failure(WireError(.unavailable, "no media worker is up")))
            return
        }
        allocateNext(Allocation(call: call, remaining: workers, purpose: purpose))
    }

    private mutating func allocateNext(_ allocation: Allocation) {
        var allocation = allocation
        guard !allocation.remaining.isEmpty else {
            allocationDone(allocation.purpose, .failure(allocation.lastError))
            return
        }
        let worker = allocation.remaining.removeFirst()
        allocation.current = worker
        pendingAllocations[worker, default: 0] += 1
        request(MediaAPI.Allocate(call: allocation.call), to: worker, timeout: .seconds(2), then: .allocation(allocation))
    }

    mutating func allocated(_ allocation: Allocation, _ reply: Reply) {
        var allocation = allocation
        pendingAllocations[allocation.current, default: 1] -= 1
        switch reply.typed(MediaAPI.Allocate.Result.self) {
        case .success(let media):
            allocationDone(allocation.purpose, .success(media))
        case .failure(let error):
            allocation.lastError = error
            allocateNext(allocation)
        }
    }

    private mutating func allocationDone(_ purpose: Allocation.Purpose, _ result: Result<MediaAPI.Allocate.Result, WireError>) {
        switch purpose {
        case .place(let flow): dial(flow, result)
        case .answer(let flow): answerAllocated(flow, result)
        case .relocate(let flow): relocateAllocated(flow, result)
        }
    }

    private mutating func dial(_ flow: PlaceCall, _ allocation: Result<MediaAPI.Allocate.Result, WireError>) {
        let media: MediaAPI.Allocate.Result
        switch allocation {
        case .failure(let error):
            placed(flow, .failure(error))
            return
        case .success(let result):
            media = result
        }
        guard var record = flow.record else { return }
        record.worker = media.worker
        record.mediaPort = media.port
        let dial = SigAPI.CallDial(call: record.id, to: flow.to, from: flow.from, media: MediaEndpoint(address: media.address, port: media.port),
                                   codecs: flow.codecs, sdpAttributes: flow.sdpAttributes, headers: flow.headers,
                                   authUser: flow.authUser, password: flow.password)
        record.dialArgs = dial
        calls.upsert(record)
        flushJournal()  // before the INVITE goes out: an orch crash from here on keeps the call
        requestSig(dial, timeout: .seconds(10), then: .dial(flow))
    }

    mutating func dialed(_ flow: PlaceCall, _ reply: Reply) {
        let outcome = reply.typed(SigAPI.CallDial.Result.self)
        guard case .failure(let error) = outcome, let call = flow.call else {
            placed(flow, outcome)
            return
        }
        endLocally(call, reason: "dial failed", then: .placeCallFailed(flow, error))
    }

    /// The call is placed (sig sent the INVITE) or could not be.
    private mutating func placed(_ flow: PlaceCall, _ outcome: Result<SigAPI.CallDial.Result, WireError>) {
        switch flow.purpose {
        case .client(let client):
            // sig's whole result (`call`, `sip_call_id`), as orch has always answered.
            answer(client, outcome.map(\.wire))
        case .referral(let referral):
            referralPlaced(referral, outcome.map { _ in () })
        }
    }

    // MARK: ending a call orch gave up on

    /// A call ended by orch itself (the dial failed, sig lost it): the worker releases its media first, then the
    /// devices let it go, then the flow that ended it goes on.
    struct EndLocally: Sendable {
        enum Then: Sendable {
            case placeCallFailed(PlaceCall, WireError)
            case reconcile(Reconcile, ended: CallRecord)
        }

        var record: CallRecord
        var then: Then
    }

    mutating func endLocally(_ call: CallID, reason: String, then: EndLocally.Then) {
        guard var record = calls.active[call] else {
            endedLocally(then)
            return
        }
        record.state = .terminated
        record.reason = reason
        record.ended = context.date
        calls.upsert(record)
        if let worker = record.worker {
            request(MediaAPI.Release(call: call), to: worker, timeout: .seconds(2), then: .endLocally(EndLocally(record: record, then: then)))
        } else {
            released(EndLocally(record: record, then: then))
        }
    }

    mutating func released(_ flow: EndLocally) {
        detachAudio(flow.record)
        endedLocally(flow.then)
    }

    private mutating func endedLocally(_ then: EndLocally.Then) {
        switch then {
        case .placeCallFailed(let flow, let error): placed(flow, .failure(error))
        case .reconcile(let flow, let ended): reconciledEnd(flow, ended)
        }
    }
}
