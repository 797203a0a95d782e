import Bus
import Foundation
import GroupControl
import ProcessSupport
import Synchronization
import Testing
import Timebase
import Wire
@testable import SIPClient

extension SIPClientTests {
    /// The library's catch-up after an orch restart, against a stand-in orch (a real ROUTER and PUB on the instance's
    /// socket files, driven by the test): what a restarted orch published before the library's subscription reached it is
    /// lost, so when the event numbering starts again the library asks `calls` and ends the calls orch no longer has.
    /// The whole-group version of this (a real orch killed mid-call) is the chaos suite's `orch` rows.
    @Suite struct OrchRestartCatchUpTests {
        /// Plays orch: answers `probe_events` on the event socket and `calls` with the calls it is told to list.
        final class StandInOrch: Sendable {
            let control: ControlServer
            let events: Mutex<EventPublisher>
            let listed: Mutex<[String]>
            let callsAsked = Mutex(0)
            let address: String
            let task: Mutex<Task<Void, Never>?> = Mutex(nil)

            init(run: RunDirectory, calls: [String]) throws {
                let endpoints = InstanceEndpoints(runDirectory: run.path)
                address = endpoints.events
                control = try ControlServer(bindTo: endpoints.control)
                events = Mutex(try EventPublisher(bindTo: endpoints.events))
                listed = Mutex(calls)
                let control = self.control
                task.withLock {
                    $0 = Task { [self] in
                        for await inbound in control.messages {
                            guard case .request(let request) = inbound.message else { continue }
                            control.reply(inbound, answer(request))
                        }
                    }
                }
            }

            func answer(_ request: Request) -> Reply {
                switch request.command {
                case OrchAPI.ProbeEvents.name:
                    return request.answerNow(OrchAPI.ProbeEvents.self) { probe in
                        OrchAPI.ProbeEvents.Result(seq: publish(InstanceProbeEvent(token: probe.token)))
                    }
                case OrchAPI.Calls.name:
                    callsAsked.withLock { $0 += 1 }
                    let calls = listed.withLock { $0 }.map {
                        CallSummary(callID: CallID($0), direction: .incoming, state: .incoming, remote: "sip:bob@127.0.0.1")
                    }
                    return request.success(OrchAPI.Calls.Result(calls: calls))
                default:
                    return Reply(id: request.id, error: WireError(.unknownCommand, request.command))
                }
            }

            @discardableResult
            func publish<E: WireEvent>(_ event: E) -> UInt64 {
                events.withLock { $0.publish(event).seq }
            }

            /// A new publisher on the same socket: its numbering starts from 1 again, as a restarted orch's does.
            func restartEvents() throws {
                try events.withLock {
                    $0.shutdown()
                    $0 = try EventPublisher(bindTo: address)
                }
            }

            func shutdown() {
                task.withLock { $0?.cancel() }
                control.shutdown()
                events.withLock { $0.shutdown() }
            }
        }

        @Test func aCallOrchNoLongerHasEndsWhenTheEventNumberingStartsAgain() async throws {
            var template = Array("/tmp/sct-XXXXXX".utf8CString)
            let root = try #require(template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }.map { String(cString: $0) })
            defer { try? FileManager.default.removeItem(atPath: root) }
            let run = RunDirectory(instance: "standin", path: root + "/run")
            try run.create()
            let orch = try StandInOrch(run: run, calls: ["c-kept", "c-lost"])
            defer { orch.shutdown() }
            let core = try await ClientCore(identity: "test", handle: InstanceHandle(runDirectory: run), ownsGroup: false)
            defer { _ = core.close() }

            for id in ["c-kept", "c-lost"] {
                orch.publish(CallIncomingEvent(call: CallID(id), sipCallID: "sip-\(id)", from: "sip:bob@127.0.0.1", to: "sip:test@127.0.0.1"))
            }
            #expect(await eventually { core.call("c-kept") != nil && core.call("c-lost") != nil })
            let kept = try #require(core.call("c-kept")), lost = try #require(core.call("c-lost"))

            // orch restarts; meanwhile "c-lost" ended and its call.state went out before anyone listened again.
            orch.listed.withLock { $0 = ["c-kept"] }
            try orch.restartEvents()
            // The restarted orch's periodic `instance.alive` (sequence from 1 again) is the first thing the library hears.
            #expect(await eventually(timeout: .seconds(5)) {
                orch.publish(InstanceAliveEvent(pid: 1))
                return await lost.state == .terminated
            }, "the call orch no longer lists ends in the library")
            #expect(lost.termination?.reason.contains("orch was restarting") == true)
            #expect(await kept.state == .incoming, "a call orch still has is left alone")
            #expect(orch.callsAsked.withLock { $0 } >= 1)
        }
    }
}

/// Polls `condition` until it holds or `timeout` passes (no fixed sleeps: 20 ms between checks).
private func eventually(timeout: Duration = .seconds(5), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = MonotonicClock.now() + timeout
    while MonotonicClock.now() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}
