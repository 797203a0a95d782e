import Foundation
import Testing
import Timebase
import Wire
@testable import Orchestrator

/// Components that restart or are lost: a restarted worker takes its calls back (same port, or a new one and a
/// re-INVITE), a restarted sig gets its calls back and the rest is reconciled, the audit catches up on missed events,
/// and a lost external worker's calls move.
@Suite struct CallCoordinatorRecoveryTests {
    typealias H = CoordinatorHarness

    /// Two calls on rtp-1 whose media ran (with an RTP state from the worker's figures).
    static func twoCallsOnOneWorker() -> H {
        var h = H()
        h.topology.workers = ["rtp-1"]
        for (id, port) in [("a", UInt16(20000)), ("b", UInt16(20002))] {
            let connected = h.connectCall(CallID(id), port: port)
            _ = h.answer(connected.request(MediaAPI.Start.self)?.request, with: H.started(CallID(id), port: port))
            var stats = MediaStats(call: CallID(id), localPort: port, rtpState: RTPStreamState(ssrc: 7, sequence: 100, timestamp: 1600, atNanoseconds: 5))
            stats.codec = .pcmu
            _ = h.event(MediaStatsEvent(stats), from: "rtp-1")
        }
        return h
    }

    @Test func aRestartedWorkerTakesItsCallsBackOnTheSamePortsWithTheirRTPState() throws {
        var h = Self.twoCallsOnOneWorker()
        let up = h.handle(.componentUp(name: "rtp-1", role: "rtp", adopted: false))
        #expect(up.request(MediaAPI.Sessions.self)?.to == "rtp-1")
        #expect(up.logs.contains("restoring calls on rtp-1"))
        let allocations = up.requests(MediaAPI.Allocate.self)
        #expect(Set(allocations.compactMap { try? $0.request.decode(MediaAPI.Allocate.self) }.map { "\($0.call):\($0.port ?? 0)" }) == ["a:20000", "b:20002"])
        for (_, request) in allocations {
            let call = try request.decode(MediaAPI.Allocate.self)
            let started = h.answer(request, with: H.allocated(request, worker: "rtp-1", port: call.port!))
            let start = try #require(started.command(MediaAPI.Start.self))
            #expect(start.rtpState == RTPStreamState(ssrc: 7, sequence: 100, timestamp: 1600, atNanoseconds: 5) && start.remote == H.remote)
            let done = h.answer(started.request(MediaAPI.Start.self)?.request, with: H.started(call.call))
            #expect(done.request(SigAPI.CallReoffer.self) == nil && done.events(CallMediaMovedEvent.self).isEmpty)
        }
    }

    @Test func aCallWhosePortWasTakenMovesAndThePeerIsReInvited() throws {
        var h = Self.twoCallsOnOneWorker()
        let up = h.handle(.componentUp(name: "rtp-1", role: "rtp", adopted: false))
        let allocate = try #require(up.requests(MediaAPI.Allocate.self).first { (try? $0.request.decode(MediaAPI.Allocate.self))?.call == "a" })
        let moved = h.answer(allocate.request, with: H.allocated(allocate.request, worker: "rtp-1", port: 21000))
        #expect(moved.events(CallMediaMovedEvent.self).first?.relocation.port == 21000)
        #expect(moved.logs.contains("restored call on a new port"))
        #expect(h.coordinator.calls.active["a"]?.mediaPort == 21000)
        let reoffer = h.answer(moved.request(MediaAPI.Start.self)?.request, with: H.started("a", port: 21000))
        #expect(reoffer.command(SigAPI.CallReoffer.self) == SigAPI.CallReoffer(call: "a", media: MediaEndpoint(address: "127.0.0.1", port: 21000)))

        // The other call cannot be taken back at all.
        let other = try #require(up.requests(MediaAPI.Allocate.self).first { (try? $0.request.decode(MediaAPI.Allocate.self))?.call == "b" })
        let lost = h.fail(other.request, .unavailable, "exhausted")
        #expect(lost.events(CallMediaLostEvent.self).map(\.relocation.call) == ["b"])
    }

    @Test func orphanSessionsOfARestartedWorkerAreReleased() throws {
        var h = Self.twoCallsOnOneWorker()
        let up = h.handle(.componentUp(name: "rtp-1", role: "rtp", adopted: true))
        let sessions = up.request(MediaAPI.Sessions.self)?.request
        let first = h.answer(sessions, with: ["a": UInt16(20000), "gone": 20010] as [String: UInt16])
        #expect(first.command(MediaAPI.Release.self) == MediaAPI.Release(call: "gone"))
        #expect(first.logs.contains("releasing a media session orch has no call for"))
    }

    @Test func aRestartedSigGetsItsCallsBackAndWhatItLacksEnds() throws {
        var h = H()
        h.connectCall("kept")
        h.connectCall("lost", port: 20002)
        for id in ["kept", "lost"] {
            let snapshot = SignalingSnapshot(direction: .outgoing, state: .connected, remote: "sip:bob@127.0.0.1:5080", local: "sip:me@x",
                                             transport: .udp)
            _ = h.event(CallStateEvent(call: CallID(id), state: .connected, direction: .outgoing, remoteMedia: H.remote, signaling: snapshot))
        }
        var actions = h.handle(.componentUp(name: "sig", role: "sig", adopted: false))
        var restored: [CallID] = []
        while let restore = actions.request(SigAPI.CallRestore.self) {
            restored.append(try restore.request.decode(SigAPI.CallRestore.self).call)
            actions = h.answer(restore.request, with: SigAPI.CallRestore.Result(call: restored.last!, restored: true))
        }
        #expect(Set(restored) == ["kept", "lost"])
        let list = try #require(actions.request(SigAPI.Calls.self))
        let entries = [SigAPI.Calls.Entry(call: "kept", state: .connected, direction: .outgoing, remote: "sip:bob@127.0.0.1:5080", sipCallID: "k"),
                       SigAPI.Calls.Entry(call: "stray", state: .connected, direction: .incoming, remote: "sip:x@y", sipCallID: "s")]
        let listed = h.answer(list.request, with: SigAPI.Calls.Result(calls: entries))
        #expect(listed.command(SigAPI.CallHangup.self) == SigAPI.CallHangup(call: "stray"))
        let hungUp = h.answer(listed.request(SigAPI.CallHangup.self)?.request, with: CallReference(call: "stray"))
        #expect(hungUp.command(MediaAPI.Release.self) == MediaAPI.Release(call: "lost"))
        #expect(hungUp.events(CallStateEvent.self).isEmpty)  // after the release
        let ended = h.answer(hungUp.request(MediaAPI.Release.self)?.request, with: MediaAPI.Release.Result(call: "lost", released: true, stats: nil))
        let state = try #require(ended.events(CallStateEvent.self).first)
        #expect(state.call == "lost" && state.state == .terminated && state.normal == false && state.reason == CallCoordinator.endedWhileRestarting)
        #expect(h.coordinator.calls.active.keys.sorted() == ["kept"])
    }

    @Test func aCallSigLostBeforeReportingItsInviteIsDialledAgain() throws {
        var h = H()
        let placed = h.client(OrchAPI.Call(to: "sip:bob@127.0.0.1:5080", call: "early"))
        let allocate = placed.actions.request(MediaAPI.Allocate.self)
        let dial = h.answer(allocate?.request, with: H.allocated(allocate?.request, worker: "rtp-1", port: 20000))
        let first = try #require(dial.command(SigAPI.CallDial.self))
        let up = h.handle(.componentUp(name: "sig", role: "sig", adopted: false))
        #expect(up.command(SigAPI.CallDial.self) == first)
        #expect(up.logs.contains("dialling again a call sig lost before reporting it"))
    }

    @Test func theAuditCatchesUpOnAMissedStateAndEndsACallSigNoLongerHas() throws {
        var h = H()
        h.connectCall("held-call")
        h.connectCall("gone", port: 20002)
        _ = h.advance(.seconds(4))  // older than the audit's grace; the first audit (sig came up long ago) is due
        let audit = try #require(h.advance(.seconds(2)).request(SigAPI.Calls.self))
        let entries = [SigAPI.Calls.Entry(call: "held-call", state: .held, direction: .outgoing, remote: "sip:bob@127.0.0.1:5080",
                                          sipCallID: "h", remotePort: 40000, mediaDirection: .sendonly)]
        let describe = h.answer(audit.request, with: SigAPI.Calls.Result(calls: entries))
        #expect(describe.command(SigAPI.CallDescribe.self) == SigAPI.CallDescribe(call: "held-call"))
        let held = CallStateEvent(call: "held-call", state: .held, direction: .outgoing, remote: "sip:bob@127.0.0.1:5080",
                                  remoteMedia: RemoteMedia(address: "127.0.0.2", port: 40000, codec: .pcmu, payloadType: 0, direction: .sendonly))
        let caughtUp = h.answer(describe.request(SigAPI.CallDescribe.self)?.request, with: held)
        #expect(caughtUp.logs.contains("caught up on a call.state orch had not seen"))
        #expect(h.coordinator.calls.active["held-call"]?.state == .held)
        #expect(caughtUp.command(MediaAPI.Start.self)?.remote.direction == .sendonly)
        // The call sig did not list is over, as a call.state from sig would have said.
        #expect(caughtUp.logs.contains("a call sig no longer has is over"))
        let end = caughtUp.republished.first { $0.type == CallStateEvent.type && $0.data["call"] == "gone" }
        #expect(end?.data["reason"] == "ended (its end was not reported to orch)" && end?.source == "sig")
        #expect(caughtUp.command(MediaAPI.Release.self)?.call == "gone")
        #expect(!h.coordinator.auditing)
    }

    @Test func theAuditAdoptsARingingCallItNeverHeardOf() throws {
        var h = H()
        _ = h.advance(.seconds(1))
        let audit = try #require(h.advance(.seconds(2)).request(SigAPI.Calls.self))
        let entry = SigAPI.Calls.Entry(call: "new", state: .incoming, direction: .incoming, remote: "sip:alice@x", sipCallID: "n1")
        let describe = h.answer(audit.request, with: SigAPI.Calls.Result(calls: [entry]))
        let state = CallStateEvent(call: "new", state: .incoming, direction: .incoming, remote: "sip:alice@x", local: "sip:me@y", sipCallID: "n1")
        let adopted = h.answer(describe.request(SigAPI.CallDescribe.self)?.request, with: state)
        let incoming = try #require(adopted.republished.first { $0.type == CallIncomingEvent.type })
        #expect(incoming.data["from"] == "sip:alice@x" && incoming.data["to"] == "sip:me@y" && incoming.data["state"] == "incoming")
        #expect(h.coordinator.calls.active["new"]?.direction == .incoming)
    }

    @Test func aLostExternalWorkersCallsMoveToAnotherWorker() throws {
        var h = Self.twoCallsOnOneWorker()
        h.topology.workers = ["rtp-2"]  // rtp-1 is gone
        let down = h.handle(.componentDown(name: "rtp-1", role: "rtp", external: true))
        #expect(down.logs.contains("moving the calls of a lost media worker"))
        let allocations = down.requests(MediaAPI.Allocate.self)
        #expect(allocations.count == 2 && allocations.allSatisfy { $0.to == "rtp-2" })
        let moved = h.answer(allocations[0].request, with: H.allocated(allocations[0].request, worker: "rtp-2", port: 22000))
        let call = try allocations[0].request.decode(MediaAPI.Allocate.self).call
        #expect(moved.events(CallMediaMovedEvent.self).first?.relocation == MediaRelocation(call: call, worker: "rtp-2", port: 22000,
            message: "the call's media worker rtp-1 was lost; the call moved to rtp-2 and the peer is told by re-INVITE"))
        let start = try #require(moved.request(MediaAPI.Start.self))
        #expect(start.to == "rtp-2")
        let reoffer = h.answer(start.request, with: H.started(call, port: 22000))
        #expect(reoffer.command(SigAPI.CallReoffer.self)?.media == MediaEndpoint(address: "127.0.0.1", port: 22000))
        #expect(h.coordinator.calls.active[call]?.worker == "rtp-2")
    }
}
