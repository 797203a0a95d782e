import Foundation
import Wire

/// Routing of the instance's events: calls are updated first (so a consumer that reacts to an event sees the
/// call already in that state), then the typed event goes to every `events` stream.
extension ClientCore {
    func route(_ event: Event) {
        noteSequence(event)
        if let arrived = try? event.decode(CallIncomingEvent.self) {
            let call = incomingCall(arrived)
            events.yield(SIPClientEvent(.incomingCall(IncomingCallEvent(call: call, from: arrived.from, to: arrived.to,
                                                                         sipCallID: arrived.sipCallID))))
            incoming.yield(call)
            return
        }
        let typed = SIPClientEvent(decoding: event)
        if let e = typed.callStateChanged {
            call(e.callID)?.apply(e)
        } else if let stopped = try? event.decode(MediaStoppedEvent.self) {
            // The worker's final figures: they complete the call's end (orch's `call.quality` follows).
            call(stopped.stats.call.rawValue)?.mediaStopped(CallStatistics(stopped.stats, raw: event.data))
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
        guard let listed = try? await request(OrchAPI.Calls()).calls else { return }
        let active = Set(listed.map(\.callID.rawValue))
        let tracked = calls.withLock { Array($0.values) }
        for call in tracked where !active.contains(call.id) {
            let state = await call.state
            guard state != .terminated, state != .idle else { continue }
            let end = CallStateEvent(callID: call.id, state: .terminated, direction: call.direction,
                                     reason: "ended while orch was restarting (its end was not seen)", isNormal: false)
            call.apply(end)
            events.yield(SIPClientEvent(.callStateChanged(end)))
        }
    }

    /// The `Call` for a `call.incoming` event (created and followed from now on).
    private func incomingCall(_ event: CallIncomingEvent) -> Call {
        if let known = call(event.call.rawValue) { return known }
        let call = Call(id: event.call.rawValue, remoteURI: event.from, direction: .incoming, state: .incoming, core: self)
        register(call)
        return call
    }
}
