import Wire

/// After sig comes up (restarted, or adopted by a restarted orch), its calls and orch's are made to agree:
///
///     restarted sig: call.restore each answered call (call.dial again one sig lost before reporting it)
///     calls ──► call.hangup each call sig has and orch does not
///           ──► end each call orch has and sig does not (media.release, audio.detach, a `call.state` terminated)
///
/// One step at a time, as each reply comes: a call that ended meanwhile is not brought back.
extension CallCoordinator {
    struct Reconcile: Sendable {
        enum Stage: Sendable {
            /// Giving a restarted sig back its calls; `current` is the one being restored.
            case restoring(remaining: [CallRecord], current: CallID?)
            case listing
            case hangingUp(remaining: [CallID], live: Set<CallID>)
            case ending(remaining: [CallRecord], live: Set<CallID>)
        }

        var sig: String
        var stage: Stage
    }

    static let endedWhileRestarting = "the call ended while a component was restarting (sip-sig no longer has its dialog: it was still being set up, or it ended meanwhile)"

    /// - Parameter restore: sig restarted and lost its calls (an adopted sig kept its own, and a call it no longer has
    ///   ended meanwhile: it must not be brought back).
    mutating func reconcileCalls(with sig: String, restore: Bool) {
        let records = restore ? calls.active.values.filter { !$0.isTerminated } : []
        restoreNext(Reconcile(sig: sig, stage: .restoring(remaining: [], current: nil)), Array(records))
    }

    private mutating func restoreNext(_ flow: Reconcile, _ remaining: [CallRecord]) {
        var remaining = remaining
        while !remaining.isEmpty {
            let record = remaining.removeFirst()
            guard let signaling = record.signaling else {
                // sig died before it could report this call's INVITE: dial it again (same call, same media).
                if record.direction == .outgoing, record.state == .dialing, let dial = record.dialArgs {
                    log(.notice, "dialling again a call sig lost before reporting it", ["call": "\(record.id)"])
                    request(dial, to: flow.sig, timeout: .seconds(5),
                            then: .reconcile(Reconcile(sig: flow.sig, stage: .restoring(remaining: remaining, current: nil))))
                    return
                }
                continue
            }
            request(SigAPI.CallRestore(call: record.id, signaling: signaling), to: flow.sig, timeout: .seconds(2),
                    then: .reconcile(Reconcile(sig: flow.sig, stage: .restoring(remaining: remaining, current: record.id))))
            return
        }
        request(SigAPI.Calls(), to: flow.sig, timeout: .seconds(2), then: .reconcile(Reconcile(sig: flow.sig, stage: .listing)))
    }

    mutating func reconcileStep(_ flow: Reconcile, _ reply: Reply) {
        switch flow.stage {
        case .restoring(let remaining, let current):
            if let current, case .failure(let error) = reply.outcome {
                log(.error, "sig could not restore a call", ["call": "\(current)", "error": "\(error)"])
            }
            restoreNext(flow, remaining)
        case .listing:
            guard case .success(let list) = reply.typed(SigAPI.Calls.Result.self) else { return }
            let live = Set(list.calls.filter { $0.state != .terminated }.map(\.call))
            hangUpUnknown(Reconcile(sig: flow.sig, stage: .hangingUp(remaining: Array(live), live: live)))
        case .hangingUp:
            hangUpUnknown(flow)
        case .ending:
            break  // resumed by endLocally (CallCoordinator+PlaceCall.swift)
        }
    }

    /// Calls sig has and orch does not (orch died within a journal interval of placing them): no media is known for
    /// them, so they cannot be carried on; they are ended rather than left up in silence.
    private mutating func hangUpUnknown(_ flow: Reconcile) {
        guard case .hangingUp(var remaining, let live) = flow.stage else { return }
        while !remaining.isEmpty {
            let id = remaining.removeFirst()
            guard calls.active[id] == nil else { continue }
            log(.warning, "hanging up a call orch has no record of", ["call": "\(id)"])
            request(SigAPI.CallHangup(call: id), to: flow.sig, timeout: .seconds(2),
                    then: .reconcile(Reconcile(sig: flow.sig, stage: .hangingUp(remaining: remaining, live: live))))
            return
        }
        let unknown = calls.active.values.filter { !live.contains($0.id) }
        endNext(Reconcile(sig: flow.sig, stage: .ending(remaining: Array(unknown), live: live)))
    }

    private mutating func endNext(_ flow: Reconcile) {
        guard case .ending(var remaining, let live) = flow.stage, !remaining.isEmpty else { return }
        let record = remaining.removeFirst()
        log(.warning, "ending a call sig does not know", ["call": "\(record.id)"])
        endLocally(record.id, reason: Self.endedWhileRestarting,
                   then: .reconcile(Reconcile(sig: flow.sig, stage: .ending(remaining: remaining, live: live)), ended: record))
    }

    /// A call sig does not know is ended here: clients get the `call.state` they missed.
    mutating func reconciledEnd(_ flow: Reconcile, _ record: CallRecord) {
        publish(CallStateEvent(call: record.id, state: .terminated, direction: record.direction, remote: record.remote,
                               reason: Self.endedWhileRestarting, normal: false))
        endNext(flow)
    }
}
