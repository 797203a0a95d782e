import Foundation
import Wire

/// Routing of the instance's events: calls are updated first (so a consumer that reacts to an event sees the
/// call already in that state), then the typed event goes to every `events` stream.
extension ClientCore {
    func route(_ event: Event) {
        noteSequence(event)
        let typed: SIPClientEvent
        switch event.type {
        case "call.incoming":
            guard let call = incomingCall(event.data) else { return }
            typed = SIPClientEvent(.incomingCall(IncomingCallEvent(call: call, from: event.data.string("from") ?? call.remoteURI,
                                                    to: event.data.string("to") ?? "", sipCallID: event.data.string("sip_call_id"))))
            events.yield(typed)
            incoming.yield(call)
            return
        case "call.state":
            typed = SIPClientEvent(decoding: event)
            if let e = typed.callStateChanged { call(e.callID)?.apply(e) }
        case "media.stopped":
            // The worker's final figures: they complete the call's end (orch's `call.quality` follows).
            typed = SIPClientEvent(decoding: event)
            if let id = event.data.string("call") { call(id)?.mediaStopped(CallStatistics(event.data)) }
        default:
            typed = SIPClientEvent(decoding: event)
        }
        events.yield(typed)
    }

    /// A restarted orch numbers its events from 1 again: what it published before our subscription reached it is lost
    /// (PUB/SUB keeps no backlog), possibly the end of a call. Then the calls are checked against orch's `calls`, and a
    /// call orch no longer has ends here too. orch's `instance.alive` every 2 s makes sure a restart is noticed.
    private func noteSequence(_ event: Event) {
        let restarted = lastSequence.withLock { last -> Bool in
            defer { last = event.seq }
            return last != 0 && event.seq <= last
        }
        guard restarted else { return }
        Task { await self.reconcileCalls() }
    }

    func reconcileCalls() async {
        guard let listed = try? await request("calls")["calls"]?.arrayValue else { return }
        let active = Set(listed.compactMap { $0["call_id"]?.stringValue })
        let tracked = calls.withLock { Array($0.values) }
        for call in tracked where !active.contains(call.id) {
            let state = await call.state
            guard state != .terminated, state != .idle,
                  let end = CallStateEvent(["call": .string(call.id), "state": "terminated", "normal": false,
                                            "reason": "ended while orch was restarting (its end was not seen)"]) else { continue }
            call.apply(end)
            events.yield(SIPClientEvent(.callStateChanged(end)))
        }
    }

    /// The `Call` for a `call.incoming` event (created and followed from now on); nil without a call id.
    private func incomingCall(_ data: [String: JSONValue]) -> Call? {
        guard let id = data.string("call") else { return nil }
        if let known = call(id) { return known }
        let call = Call(id: id, remoteURI: data.string("from") ?? "", direction: .incoming, state: .incoming, core: self)
        register(call)
        return call
    }
}
