import Foundation
import Wire

/// Components report call progress as events, and events are fire-and-forget: one lost on the way (a bus message
/// dropped, a component that died between the change and its report) would leave orch's view of a call wrong for
/// good. Every 2 s orch compares its calls with sig's (`calls`, which carries what `call.state` carries) and catches
/// up: a state or SDP it missed is applied as if the event had come (`call.describe` gives the whole event), a call sig
/// no longer has is over, a call orch gave up on that sig still has is hung up.
extension CallCoordinator {
    struct Audit: Sendable {
        enum Why: Sendable {
            case catchUp
            case adopt
        }

        var sig: String
        var entries: [SigAPI.Calls.Entry] = []
        var next = 0
        var seen: Set<CallID> = []
        /// When sig's list came (calls younger than the grace are left alone).
        var date = Date(timeIntervalSince1970: 0)
        /// The call being described, and why.
        var describing: (entry: SigAPI.Calls.Entry, why: Why)?
    }

    /// Calls younger than this are left alone: their `call.dial` or first events may still be on the way.
    static let auditGrace: TimeInterval = 3

    mutating func auditCalls() {
        guard !auditing, context.now.since(sigCameUp).seconds > Self.auditGrace, let sig = topology.sig else { return }
        auditing = true
        request(SigAPI.Calls(), to: sig, timeout: .seconds(2), then: .audit(Audit(sig: sig)))
    }

    mutating func auditStep(_ flow: Audit, _ reply: Reply) {
        var flow = flow
        if let describing = flow.describing {
            flow.describing = nil
            if case .success(let state) = reply.typed(SigAPI.CallDescribe.Result.self) {
                caughtUp(describing.entry, state, describing.why, flow)
            }
        } else {
            guard case .success(let list) = reply.typed(SigAPI.Calls.Result.self) else {
                auditing = false
                return
            }
            flow.entries = list.calls
            flow.date = context.date
        }
        auditWalk(flow)
    }

    private mutating func auditWalk(_ flow: Audit) {
        var flow = flow
        while flow.next < flow.entries.count {
            let entry = flow.entries[flow.next]
            flow.next += 1
            flow.seen.insert(entry.call)
            if let record = calls.active[entry.call] {
                let applied = record.mediaApplied
                let mediaMissed = Self.mediaStates.contains(entry.state) && entry.remotePort != nil
                    && (entry.remotePort != applied?.port || entry.mediaDirection != applied?.direction)
                guard record.state != entry.state || mediaMissed, flow.date.timeIntervalSince(record.created) > Self.auditGrace else { continue }
                describe(entry, .catchUp, flow)
                return
            } else if calls.ended(entry.call) {
                // orch gave up on it (a reply lost, a dial that timed out) while sig went on with it: end it there too.
                log(.notice, "hanging up a call orch had given up on", ["call": "\(entry.call)"])
                request(SigAPI.CallHangup(call: entry.call), to: flow.sig, timeout: .seconds(5), then: .none)
            } else {
                // A call orch never heard of: its call.incoming (or first call.state) was lost.
                describe(entry, .adopt, flow)
                return
            }
        }
        let unseen = calls.active.values.filter {
            !flow.seen.contains($0.id) && !$0.isTerminated && flow.date.timeIntervalSince($0.created) > Self.auditGrace
        }
        for record in unseen {
            log(.notice, "a call sig no longer has is over", ["call": "\(record.id)"])
            let end = CallStateEvent(call: record.id, state: .terminated, direction: record.direction, remote: record.remote,
                                     reason: "ended (its end was not reported to orch)", normal: false)
            componentEvent(Event(seq: 0, time: flow.date.timeIntervalSince1970, end), from: flow.sig)
        }
        auditing = false
    }

    private mutating func describe(_ entry: SigAPI.Calls.Entry, _ why: Audit.Why, _ flow: Audit) {
        var flow = flow
        flow.describing = (entry, why)
        request(SigAPI.CallDescribe(call: entry.call), to: flow.sig, timeout: .seconds(2), then: .audit(flow))
    }

    /// Applies the `call.state` orch missed as if it had come from sig (and, for a call orch never heard of that is
    /// still ringing, its `call.incoming` first).
    private mutating func caughtUp(_ entry: SigAPI.Calls.Entry, _ state: CallStateEvent, _ why: Audit.Why, _ flow: Audit) {
        let time = flow.date.timeIntervalSince1970
        switch why {
        case .catchUp:
            log(.notice, "caught up on a call.state orch had not seen", ["call": "\(entry.call)", "state": "\(entry.state)"])
        case .adopt:
            log(.notice, "adopting a call orch had not heard of", ["call": "\(entry.call)", "state": "\(entry.state)"])
            if entry.state == .incoming {
                let incoming = CallIncomingEvent(call: state.call, sipCallID: state.sipCallID ?? entry.sipCallID, from: state.remote ?? "",
                                                 to: state.local ?? "", remoteMedia: state.remoteMedia)
                // The description's other fields go along, as the event it stands for would have carried them.
                var data = WireWriter()
                incoming.write(to: &data)
                data.merge(state.jsonObject)
                componentEvent(Event(seq: 0, type: CallIncomingEvent.type, time: time, data: data.object), from: flow.sig)
            }
        }
        componentEvent(Event(seq: 0, time: time, state), from: flow.sig)
    }
}
