import Foundation
import Testing
import Timebase
import Wire
@testable import Orchestrator

/// The call coordinator with no sockets and a virtual clock: placing and answering calls, media following the
/// call's state, and the request bookkeeping (one reply path per request, timeouts, late replies).
@Suite struct CallCoordinatorTests {
    typealias H = CoordinatorHarness

    @Test func placeCallAllocatesOnTheLeastLoadedWorkerWritesTheJournalThenDials() throws {
        var h = H()
        h.placeCall("c-busy", port: 20000)  // rtp-1 carries one call now
        let placed = h.client(OrchAPI.Call(to: "sip:carol@127.0.0.1:5080", call: "c-new", codecs: [.pcma]))
        let allocate = try #require(placed.actions.request(MediaAPI.Allocate.self))
        #expect(allocate.to == "rtp-2")
        #expect(placed.actions.reply(to: placed.token) == nil)

        let allocated = h.answer(allocate.request, with: H.allocated(allocate.request, worker: "rtp-2", port: 20002))
        let dial = try #require(allocated.command(SigAPI.CallDial.self))
        #expect(dial.call == "c-new" && dial.to == "sip:carol@127.0.0.1:5080" && dial.codecs == [.pcma])
        #expect(dial.media == MediaEndpoint(address: "127.0.0.1", port: 20002))
        // The journal has the call before the INVITE goes out: an orch crash from there on keeps it.
        let journaled = allocated.index { if case .journal(let r) = $0 { r.contains { if case .call(_, let c) = $0 { c.id == "c-new" } else { false } } } else { false } }
        let dialed = allocated.index { if case .request(_, let r) = $0 { r.command == SigAPI.CallDial.name } else { false } }
        #expect(journaled != nil && dialed != nil && journaled! < dialed!)
        #expect(h.coordinator.calls.active["c-new"]?.worker == "rtp-2")
        #expect(h.coordinator.calls.active["c-new"]?.dialArgs == dial)

        let done = h.answer(allocated.request(SigAPI.CallDial.self)?.request, with: SigAPI.CallDial.Result(call: "c-new", sipCallID: "x@y"))
        let reply = try #require(done.reply(to: placed.token))
        #expect(reply.id == "client-2")
        #expect(try reply.decode(SigAPI.CallDial.Result.self) == SigAPI.CallDial.Result(call: "c-new", sipCallID: "x@y"))
        #expect(h.coordinator.pendingCount == 0)
    }

    @Test func aWorkerThatCannotAllocateFallsToTheNextOne() throws {
        var h = H()
        let placed = h.client(OrchAPI.Call(to: "sip:bob@127.0.0.1:5080"))
        let first = try #require(placed.actions.request(MediaAPI.Allocate.self))
        let next = h.fail(first.request, .unavailable, "no port pairs left")
        let second = try #require(next.request(MediaAPI.Allocate.self))
        #expect(first.to == "rtp-1" && second.to == "rtp-2")
        let dial = h.answer(second.request, with: H.allocated(second.request, worker: "rtp-2", port: 20010))
        #expect(dial.command(SigAPI.CallDial.self)?.call == "c1")  // the id orch picked
        #expect(h.coordinator.calls.active["c1"]?.worker == "rtp-2")
    }

    @Test func whenNoWorkerCanAllocateTheLastErrorIsTheAnswer() throws {
        var h = H()
        let placed = h.client(OrchAPI.Call(to: "sip:bob@127.0.0.1:5080"))
        let second = h.fail(placed.actions.request(MediaAPI.Allocate.self)?.request, .unavailable, "first full")
        let last = h.fail(second.request(MediaAPI.Allocate.self)?.request, .unavailable, "second full")
        guard case .failure(let error) = last.reply(to: placed.token)?.outcome else {
            Issue.record("expected an error answer")
            return
        }
        #expect(error == WireError(.unavailable, "second full"))
        #expect(h.coordinator.calls.active.isEmpty)

        h.topology.workers = []
        let none = h.client(OrchAPI.Call(to: "sip:bob@127.0.0.1:5080"))
        #expect(none.actions.reply(to: none.token)?.outcome == .failure(WireError(.unavailable, "no media worker is up")))
    }

    @Test func aFailedDialEndsTheCallLocallyAndReleasesItsMediaBeforeAnswering() throws {
        var h = H()
        let placed = h.client(OrchAPI.Call(to: "sip:bob@127.0.0.1:5080", call: "c9"))
        let allocate = placed.actions.request(MediaAPI.Allocate.self)
        let dial = h.answer(allocate?.request, with: H.allocated(allocate?.request, worker: "rtp-1", port: 20000))
        let failed = h.fail(dial.request(SigAPI.CallDial.self)?.request, .failed, "no route")
        let release = try #require(failed.request(MediaAPI.Release.self))
        #expect(release.to == "rtp-1")
        #expect(failed.reply(to: placed.token) == nil)  // after the release
        #expect(h.coordinator.calls["c9"]?.reason == "dial failed" && h.coordinator.calls.active["c9"] == nil)
        let answered = h.answer(release.request, with: MediaAPI.Release.Result(call: "c9", released: true, stats: nil))
        #expect(answered.reply(to: placed.token)?.outcome == .failure(WireError(.failed, "no route")))
    }

    @Test func badArgumentsAreAnsweredAtOnceWithTheirMessage() throws {
        var h = H()
        let noTarget = h.client("call", [:])
        #expect(noTarget.actions.reply(to: noTarget.token)?.outcome
                == .failure(WireError(.badArgs, "call needs args.to, e.g. sip:bob@127.0.0.1:5062")))
        #expect(noTarget.actions.requests.isEmpty)
        let answer = h.client("answer", [:])
        #expect(answer.actions.reply(to: answer.token)?.outcome
                == .failure(WireError(.badArgs, "answer needs args.call (several or no calls are waiting)")))
        let hold = h.client("hold", [:])
        #expect(hold.actions.reply(to: hold.token)?.outcome == .failure(WireError(.badArgs, "hold needs args.call (0 calls active)")))
        let stats = h.client("call_stats", ["call": "nope"])
        #expect(stats.actions.reply(to: stats.token)?.outcome == .failure(WireError(.notFound, "no call 'nope' with media")))
        h.topology.sig = nil
        let reject = h.client("reject", ["call": "c1"])
        #expect(reject.actions.reply(to: reject.token)?.outcome
                == .failure(WireError(.unavailable, "sip-sig is not up (restarting?); try again in a moment")))
    }

    @Test func answeringAllocatesThenSigAnswersAndAWorkerlessAnswerIsRejected503() throws {
        var h = H()
        _ = h.event(CallIncomingEvent(call: "in1", sipCallID: "s1", from: "sip:alice@x", to: "sip:me@y"))
        let answer = h.client(OrchAPI.Answer(codecs: [.pcmu]))  // the only waiting call
        let allocate = answer.actions.request(MediaAPI.Allocate.self)
        let sig = h.answer(allocate?.request, with: H.allocated(allocate?.request, worker: "rtp-1", port: 20004))
        let command = try #require(sig.command(SigAPI.CallAnswer.self))
        #expect(command == SigAPI.CallAnswer(call: "in1", media: MediaEndpoint(address: "127.0.0.1", port: 20004), codecs: [.pcmu]))
        let done = h.answer(sig.request(SigAPI.CallAnswer.self)?.request, with: SigAPI.CallAnswer.Result(call: "in1", codec: .pcmu))
        #expect(try done.reply(to: answer.token)?.decode(SigAPI.CallAnswer.Result.self).codec == .pcmu)

        _ = h.event(CallIncomingEvent(call: "in2", sipCallID: "s2", from: "sip:bob@x", to: "sip:me@y"))
        h.topology.workers = []
        let refused = h.client(OrchAPI.Answer(call: "in2"))
        let reject = try #require(refused.actions.command(SigAPI.CallReject.self))
        #expect(reject == SigAPI.CallReject(call: "in2", code: 503))
        let answered = h.answer(refused.actions.request(SigAPI.CallReject.self)?.request, with: CallReference(call: "in2"))
        #expect(answered.reply(to: refused.token)?.outcome == .failure(WireError(.unavailable, "no media worker is up")))
    }

    @Test func theCallsStateStartsItsMediaAttachesTheSoundAndItsEndReleasesBoth() throws {
        var h = H()
        let connected = h.connectCall("c1", port: 20000)
        let start = try #require(connected.command(MediaAPI.Start.self))
        #expect(connected.request(MediaAPI.Start.self)?.to == "rtp-1")
        #expect(start.remote == H.remote && start.streams == PCMStreams(playback: 2, capture: 3) && start.holdMusic == nil)
        #expect(connected.command(AudioAPI.Attach.self) == AudioAPI.Attach(call: "c1", streams: PCMStreams(playback: 2, capture: 3)))
        #expect(connected.republished.first?.source == "sig")
        // The same SDP again starts nothing.
        let again = h.event(CallStateEvent(call: "c1", state: .connected, direction: .outgoing, remoteMedia: H.remote))
        #expect(again.request(MediaAPI.Start.self) == nil)

        let ended = h.event(CallStateEvent(call: "c1", state: .terminated, direction: .outgoing, code: 200, reason: "BYE", normal: true))
        #expect(ended.request(MediaAPI.Release.self)?.to == "rtp-1")
        #expect(ended.command(AudioAPI.Detach.self) == AudioAPI.Detach(call: "c1"))
        #expect(h.coordinator.calls.active.isEmpty && h.coordinator.calls["c1"]?.state == .terminated)
    }

    @Test func heldCallsGetTheHoldMusicAndLeaveTheSoundDevices() throws {
        var h = H { $0.holdMusic = "/music.wav" }
        h.connectCall("c1")
        let held = h.event(CallStateEvent(call: "c1", state: .held, direction: .outgoing,
                                          remoteMedia: RemoteMedia(address: "127.0.0.2", port: 40000, codec: .pcmu, payloadType: 0, direction: .sendonly)))
        #expect(held.command(MediaAPI.Start.self)?.holdMusic == "/music.wav")
        #expect(held.command(AudioAPI.Detach.self)?.call == "c1")
        // A worker that cannot use the file says so; orch passes it on.
        let warned = h.answer(held.request(MediaAPI.Start.self)?.request,
                              with: MediaAPI.Start.Result(stats: MediaStats(call: "c1", localPort: 20000), holdMusicError: "bad WAV"))
        #expect(warned.events(CallWarningEvent.self) == [CallWarningEvent(call: "c1", message: "bad WAV")])
    }

    @Test func aFailedMediaStartIsTriedAgainAtTheNextTrigger() throws {
        var h = H()
        let connected = h.connectCall("c1")
        _ = h.fail(connected.request(MediaAPI.Start.self)?.request, .notFound, "no session")
        #expect(h.coordinator.calls.active["c1"]?.mediaApplied == nil)
        let again = h.event(CallStateEvent(call: "c1", state: .connected, direction: .outgoing, remoteMedia: H.remote))
        #expect(again.request(MediaAPI.Start.self) != nil)
    }

    // MARK: requests: one reply path each

    @Test func aReplyRemovesItsRequestSoItsTimeoutNeverFires() throws {
        var h = H()
        let placed = h.client(OrchAPI.Call(to: "sip:bob@127.0.0.1:5080", call: "c1"))
        let allocate = try #require(placed.actions.request(MediaAPI.Allocate.self))
        #expect(h.coordinator.isPending(allocate.request.id))
        let dial = h.answer(allocate.request, with: H.allocated(allocate.request, worker: "rtp-1", port: 20000))
        #expect(!h.coordinator.isPending(allocate.request.id))  // its timer is gone with it
        let dialRequest = try #require(dial.request(SigAPI.CallDial.self))
        #expect(h.coordinator.isPending(dialRequest.request.id))
        _ = h.answer(dialRequest.request, with: SigAPI.CallDial.Result(call: "c1", sipCallID: "s"))
        #expect(h.coordinator.pendingCount == 0)
        // Long past both deadlines: nothing times out, nothing is retried, nothing is answered twice.
        let later = h.advance(.seconds(30))
        #expect(later.requests(MediaAPI.Allocate.self).isEmpty && later.requests(SigAPI.CallDial.self).isEmpty)
        #expect(later.allSatisfy { if case .reply = $0 { false } else { true } })
    }

    @Test func aTimedOutRequestResumesItsFlowOnceAndItsLateReplyIsIgnored() throws {
        var h = H()
        let placed = h.client(OrchAPI.Call(to: "sip:bob@127.0.0.1:5080", call: "c1"))
        let first = try #require(placed.actions.request(MediaAPI.Allocate.self))
        #expect(h.advance(.milliseconds(1900)).requests.isEmpty)  // 2 s not over yet
        let expired = h.advance(.milliseconds(150))
        #expect(!h.coordinator.isPending(first.request.id))
        let second = try #require(expired.request(MediaAPI.Allocate.self))  // the next worker
        #expect(second.to == "rtp-2")
        // The first worker answers after all: too late, nothing happens.
        let late = h.answer(first.request, with: H.allocated(first.request, worker: "rtp-1", port: 20000))
        #expect(late.isEmpty)
        #expect(h.coordinator.calls.active.isEmpty)
        // The second times out too: the client hears which one did not answer.
        let gaveUp = h.advance(.seconds(3))
        #expect(gaveUp.reply(to: placed.token)?.outcome == .failure(WireError(.timeout, "rtp-2 did not answer 'media.allocate' within 2.0 seconds")))
        #expect(!h.coordinator.isPending(second.request.id))
        #expect(h.coordinator.pendingAllocations.values.allSatisfy { $0 == 0 })
    }

    @Test func repliesToRequestsTheCoordinatorDidNotSendAreIgnored() throws {
        var h = H()
        #expect(h.handle(.reply(Reply(id: "assume-3", result: ["assumed": "rtp-1"]))).isEmpty)
        #expect(h.handle(.reply(Reply(id: "orch-999", error: WireError(.failed, "x")))).isEmpty)
    }

    @Test func everyRequestOfABusyStartEndsWithOneReplyOrOneTimeout() throws {
        var h = H { $0.autoAnswer = true }
        var actions = h.handle(.componentUp(name: "sig", role: "sig", adopted: false))
        var seen = Set<String>()
        var port: UInt16 = 20000
        // Allocations are answered, the rest (sig's `calls`, the audit) left to time out.
        for _ in 0..<40 {
            var next: [CallCoordinator.Action] = []
            for (to, request) in actions.requests where seen.insert(request.id).inserted {
                #expect(h.coordinator.isPending(request.id))
                guard request.command == MediaAPI.Allocate.name else { continue }
                port += 2
                next += h.answer(request, with: H.allocated(request, worker: to, port: port))
                #expect(!h.coordinator.isPending(request.id))
            }
            next += h.advance(.milliseconds(500))
            actions = next
        }
        #expect(h.coordinator.slots.held.count == AnswerSlots.target)
        h.topology.sig = nil  // no new audits: what is in flight ends
        _ = h.advance(.seconds(5))
        #expect(h.coordinator.pendingCount == 0)
        #expect(seen.count > AnswerSlots.target)
    }
}
