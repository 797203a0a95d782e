import Bus
import Foundation
import GroupControl
import Timebase
import Wire

/// Follows one call's `call.state` events (and its final `media.stopped` figures) from the instance's event stream.
struct CallFollower: Sendable {
    let subscriber: EventSubscriber

    struct Outcome: Sendable {
        var answered = false
        var normalEnd = false
        var connectedAt: MonotonicTime?
        var endedAt: MonotonicTime?
        var sipStatus: Int?
        var reason: String?
        var codec: String?
        /// The call's final media figures (`media.stopped`).
        var media: MediaStats?
    }

    /// Subscribes and waits until the subscription is live (PUB/SUB joins asynchronously; `probe_events`
    /// publishes a marker we wait to see).
    static func join(_ handle: InstanceHandle) async throws -> CallFollower {
        let subscriber = try EventSubscriber(connectTo: handle.endpoints.events,
                                             prefixes: ["call.", "instance.", MediaStoppedEvent.type])
        let token = JSONValue.string("join-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let seen = Task { () -> Bool in
            for await event in subscriber.events where (try? event.decode(InstanceProbeEvent.self))?.token == token {
                return true
            }
            return false
        }
        let deadline = MonotonicClock.now() + .seconds(5)
        while MonotonicClock.now() < deadline {
            _ = try await handle.request(OrchAPI.ProbeEvents(token: token))
            let got = await withTaskGroup(of: Bool.self) { group in
                group.addTask { await seen.value }
                group.addTask { try? await Task.sleep(for: .milliseconds(100)); return false }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            if got { return CallFollower(subscriber: subscriber) }
        }
        seen.cancel()
        subscriber.shutdown()
        throw WireError(.timeout, "could not subscribe to the instance's events")
    }

    func follow(callID: CallID, handle: InstanceHandle, answerTimeout: Double, duration: Double?,
                onConnected: @Sendable () -> Void = {}) async -> Outcome {
        var outcome = Outcome()
        let hangup = OrchAPI.Hangup(call: callID)
        // A cancelled sleep returns at once: only a sleep that ran its course may hang up.
        let watchdog = Task {
            guard (try? await Task.sleep(for: .seconds(answerTimeout))) != nil else { return }
            _ = try? await handle.request(hangup)
        }
        var hangupTask: Task<Void, Never>?
        var terminated = false
        for await event in subscriber.events {
            if let stopped = try? event.decode(MediaStoppedEvent.self) {
                guard stopped.stats.call == callID else { continue }
                outcome.media = stopped.stats
                if terminated { break }
                continue
            }
            guard let change = try? event.decode(CallStateEvent.self), change.call == callID else { continue }
            if let code = change.code { outcome.sipStatus = code }
            if let codec = change.codec { outcome.codec = codec.rawValue }
            if change.state == .connected, !outcome.answered {
                outcome.answered = true
                outcome.connectedAt = MonotonicClock.now()
                watchdog.cancel()
                onConnected()
                if let duration {
                    hangupTask = Task {
                        guard (try? await Task.sleep(for: .seconds(duration))) != nil else { return }
                        _ = try? await handle.request(hangup)
                    }
                }
            }
            if change.state == .terminated {
                outcome.endedAt = MonotonicClock.now()
                outcome.reason = change.reason
                outcome.normalEnd = outcome.answered && (change.normal ?? true)
                terminated = true
                // Calls that never had media end here; others wait (briefly) for media.stopped.
                if outcome.media != nil || !outcome.answered { break }
                let subscriber = self.subscriber
                Task {
                    try? await Task.sleep(for: .seconds(2))
                    subscriber.shutdown()  // ends the loop if media.stopped never comes
                }
            }
        }
        watchdog.cancel()
        hangupTask?.cancel()
        return outcome
    }

    func close() { subscriber.shutdown() }
}
