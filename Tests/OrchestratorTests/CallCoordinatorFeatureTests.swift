import Foundation
import Testing
import Timebase
import Wire
@testable import Orchestrator

/// Answer slots, transfers, the codec fallback, the conference, accounts and the journal, each through the
/// coordinator's actions.
@Suite struct CallCoordinatorFeatureTests {
    typealias H = CoordinatorHarness

    /// Brings sig up with auto-answer on and answers every slot allocation: the refill holds `AnswerSlots.target`.
    static func withSlots() -> (H, [CallCoordinator.Action]) {
        var h = H { $0.autoAnswer = true }
        var actions = h.handle(.componentUp(name: "sig", role: "sig", adopted: true))
        var port: UInt16 = 30000
        var all = actions
        while let allocate = actions.request(MediaAPI.Allocate.self) {
            port += 2
            actions = h.answer(allocate.request, with: H.allocated(allocate.request, worker: allocate.to, port: port))
            all += actions
        }
        return (h, all)
    }

    @Test func slotsAreAllocatedOneAfterTheOtherSpreadOverTheWorkersAndHandedToSig() throws {
        let (h, actions) = Self.withSlots()
        #expect(h.coordinator.slots.held.count == AnswerSlots.target)
        #expect(h.coordinator.slots.count(on: "rtp-1") == 4 && h.coordinator.slots.count(on: "rtp-2") == 4)
        let lists = actions.sent.filter { $0.request.command == SigAPI.CallAnswerSlots.name }
        #expect(lists.allSatisfy { $0.to == "sig" && $0.request.id.hasPrefix("slots-") })
        let last = try #require(lists.last).request.decode(SigAPI.CallAnswerSlots.self)
        #expect(last.slots.count == AnswerSlots.target && last.slots.allSatisfy { $0.slot.hasPrefix("slot-t-") })
        // sig takes the last first: the workers alternate.
        #expect(Set(last.slots.suffix(2).map(\.worker)) == ["rtp-1", "rtp-2"])
    }

    @Test func aCallAnsweredFromASlotTakesItsPortPairAndTheSlotIsReplaced() throws {
        var (h, _) = Self.withSlots()
        let slot = h.coordinator.orderedAnswerSlots().last!
        let incoming = h.event(CallIncomingEvent(call: "in1", sipCallID: "s", from: "sip:a@x", to: "sip:me@y", answered: slot))
        #expect(incoming.request(MediaAPI.Allocate.self)?.request.args["call"]?.stringValue?.hasPrefix("slot-t-") == true)  // the refill
        #expect(incoming.request(SigAPI.CallAnswer.self) == nil)  // answered already
        let record = h.coordinator.calls.active["in1"]
        #expect(record?.worker == slot.worker && record?.mediaPort == slot.port && record?.answerSlot == slot.slot)
        let connected = h.event(CallStateEvent(call: "in1", state: .connected, direction: .incoming, remoteMedia: H.remote))
        let start = connected.command(MediaAPI.Start.self)
        #expect(start?.slot == slot.slot && start?.port == slot.port)
        _ = h.answer(connected.request(MediaAPI.Start.self)?.request, with: H.started("in1", port: slot.port))
        #expect(h.coordinator.calls.active["in1"]?.answerSlot == nil)
    }

    @Test func aCallThatEndsBeforeItsMediaStartedReleasesItsSlotsPair() throws {
        var (h, _) = Self.withSlots()
        let slot = h.coordinator.orderedAnswerSlots().last!
        _ = h.event(CallIncomingEvent(call: "in1", sipCallID: "s", from: "sip:a@x", to: "sip:me@y", answered: slot))
        let ended = h.event(CallStateEvent(call: "in1", state: .terminated, direction: .incoming, code: 487, normal: false))
        let released = ended.requests(MediaAPI.Release.self).compactMap { try? $0.request.decode(MediaAPI.Release.self).call }
        #expect(Set(released) == ["in1", CallID(slot.slot)])
    }

    @Test func aDrainingWorkersSlotsAreReleasedAndSigIsToldAtOnce() throws {
        var (h, _) = Self.withSlots()
        h.topology.workers = ["rtp-2"]
        h.topology.draining = ["rtp-1"]
        let drained = h.handle(.workerDraining("rtp-1"))
        #expect(drained.events(WorkerDrainingEvent.self) == [WorkerDrainingEvent(name: "rtp-1", calls: 0)])
        #expect(drained.requests(MediaAPI.Release.self).count == 4 && drained.requests(MediaAPI.Release.self).allSatisfy { $0.to == "rtp-1" })
        #expect(drained.sent.contains { $0.request.command == SigAPI.CallAnswerSlots.name })
        #expect(drained.contains { if case .retire("rtp-1") = $0 { true } else { false } })  // it carries no call
    }

    @Test func aRestartedWorkerHoldsItsSlotsAgain() throws {
        var (h, _) = Self.withSlots()
        let mine = h.coordinator.slots.held.filter { $0.worker == "rtp-1" }
        var actions = h.handle(.componentUp(name: "rtp-1", role: "rtp", adopted: false))
        var asked: [MediaAPI.Allocate] = []
        while let allocate = actions.requests(MediaAPI.Allocate.self).first(where: { $0.request.args["call"]?.stringValue?.hasPrefix("slot-t-") == true }) {
            let command = try allocate.request.decode(MediaAPI.Allocate.self)
            asked.append(command)
            actions = asked.count == 1 ? h.fail(allocate.request, .unavailable, "taken")
                                       : h.answer(allocate.request, with: H.allocated(allocate.request, worker: "rtp-1", port: command.port!))
            if asked.count == mine.count { break }
        }
        #expect(asked.map { $0.port } == mine.map { Optional($0.port) })
        #expect(!h.coordinator.slots.contains(mine[0].slot))  // the one that could not be held again went
    }

    @Test func aPeersReferPlacesTheCallReportsItAndNotifiesTheOutcome() throws {
        var h = H()
        h.connectCall("orig")
        let referred = h.event(CallReferredEvent(call: "orig", target: "sip:carol@127.0.0.1:5090", replaces: "abc;to-tag=1;from-tag=2",
                                                 referredBy: "<sip:bob@x>"))
        let allocate = try #require(referred.request(MediaAPI.Allocate.self))
        let dialing = h.answer(allocate.request, with: H.allocated(allocate.request, worker: allocate.to, port: 20010))
        let dial = try #require(dialing.command(SigAPI.CallDial.self))
        #expect(dial.to == "sip:carol@127.0.0.1:5090" && dial.headers == ["Replaces": "abc;to-tag=1;from-tag=2", "Referred-By": "<sip:bob@x>"])
        let placed = h.answer(dialing.request(SigAPI.CallDial.self)?.request, with: SigAPI.CallDial.Result(call: dial.call, sipCallID: "t"))
        #expect(placed.events(CallTransferredEvent.self) == [CallTransferredEvent(call: "orig", newCall: dial.call, target: "sip:carol@127.0.0.1:5090", attended: true)])
        let connected = h.event(CallStateEvent(call: dial.call, state: .connected, direction: .outgoing, remoteMedia: H.remote))
        #expect(connected.command(SigAPI.CallReferNotify.self) == SigAPI.CallReferNotify(call: "orig", code: 200))
    }

    @Test func aReferIsDeclinedWhenTransfersAreOffAndA503FollowsAFailedCall() throws {
        var off = H { $0.acceptTransfer = false }
        off.connectCall("orig")
        let declined = off.event(CallReferredEvent(call: "orig", target: "sip:carol@x"))
        #expect(declined.command(SigAPI.CallReferNotify.self) == SigAPI.CallReferNotify(call: "orig", code: 603, reason: "Decline"))

        var h = H()
        h.connectCall("orig")
        h.topology.workers = []
        let failed = h.event(CallReferredEvent(call: "orig", target: "sip:carol@x"))
        #expect(failed.command(SigAPI.CallReferNotify.self) == SigAPI.CallReferNotify(call: "orig", code: 503, reason: "Service Unavailable"))
        #expect(failed.logs.contains("could not place the call a REFER asked for"))
        #expect(h.coordinator.referrals.isEmpty)
    }

    @Test func sustainedLossReportsDegradationThenFallsBackToTheNextCodecOnce() throws {
        var h = H {
            $0.codecFallback = ["PCMU", "PCMA"]
            $0.fallbackAfterS = 2
            $0.fallbackLossPct = 10
        }
        h.connectCall("c1")
        var all: [CallCoordinator.Action] = []
        for second in 1...4 {
            var stats = MediaStats(call: "c1", localPort: 20000)
            stats.packetsReceived = 40 * second
            stats.packetsLost = 10 * second  // 20 % every second
            stats.codec = .pcmu
            all += h.event(MediaStatsEvent(stats), from: "rtp-1")
        }
        let degraded = all.events(CallQualityDegradedEvent.self)
        #expect(degraded.count == 1 && degraded[0].lossPct == 20 && degraded[0].seconds == 2 && degraded[0].codec == "PCMU")
        let reoffers = all.requests(SigAPI.CallReoffer.self)
        #expect(reoffers.count == 1)
        #expect(try reoffers[0].request.decode(SigAPI.CallReoffer.self).codecs == [.pcma])
        let refused = h.fail(reoffers[0].request, .failed, "488 Not Acceptable Here")
        #expect(refused.events(CallCodecFallbackEvent.self) == [CallCodecFallbackEvent(call: "c1", from: "PCMU", to: "PCMA", accepted: false,
                                                                                       message: "488 Not Acceptable Here")])
    }

    @Test func theConferenceResumesHeldMembersAttachesThemAllAndTellsSipAudio() throws {
        var h = H()
        h.connectCall("a")
        h.connectCall("b", port: 20002)
        _ = h.event(CallStateEvent(call: "b", state: .held, direction: .outgoing, remoteMedia: H.remote))
        let joined = h.client(OrchAPI.Conference(calls: ["a", "b"]))
        let resume = try #require(joined.actions.request(SigAPI.CallResume.self))
        #expect(try resume.request.decode(SigAPI.CallResume.self).call == "b")
        var step = h.answer(resume.request, with: SigAPI.CallHold.Result(call: "b", state: .connected, changed: true))
        for member in ["a", "b"] {
            let attach = try #require(step.request(AudioAPI.Attach.self))
            let call = try attach.request.decode(AudioAPI.Attach.self).call
            #expect(attach.to == "audio" && call == CallID(member))
            step = h.answer(attach.request, with: AudioAPI.Attach.Result(call: CallID(member), report: AudioAPI.DeviceReport(backend: "null", open: true,
                capture: AudioAPI.DeviceStatus(device: "null", state: .open), playback: AudioAPI.DeviceStatus(device: "null", state: .open))))
        }
        let mix = try #require(step.command(AudioAPI.Conference.self))
        #expect(mix.calls == ["a", "b"])
        let done = h.answer(step.request(AudioAPI.Conference.self)?.request, with: OrchAPI.Conference.Result(calls: ["a", "b"]))
        #expect(done.events(CallConferenceEvent.self) == [CallConferenceEvent(calls: ["a", "b"])])
        #expect(try done.reply(to: joined.token)?.decode(OrchAPI.Conference.Result.self).calls == ["a", "b"])
        // A member that ends leaves; with one left, the conference is over.
        let left = h.event(CallStateEvent(call: "a", state: .terminated, direction: .outgoing, normal: true))
        #expect(left.events(CallConferenceEvent.self) == [CallConferenceEvent(calls: [], left: "a")])
    }

    @Test func registeringKeepsTheAccountForSigAndTheRegistrationForStatus() throws {
        var h = H()
        let account = AccountArgs(aor: "sip:alice@pbx", password: "pw")
        let registered = h.client(OrchAPI.Register(account))
        #expect(registered.actions.contains { if case .setSigAccounts([account]) = $0 { true } else { false } })
        #expect(registered.actions.command(SigAPI.AccountAdd.self) == SigAPI.AccountAdd(account))
        _ = h.event(RegistrationStateEvent(aor: "sip:alice@pbx", state: .registered, code: 200, expires: 600))
        #expect(h.coordinator.registrations["sip:alice@pbx"] == RegistrationStateEvent(aor: "sip:alice@pbx", state: .registered, code: 200, expires: 600))
        let removed = h.client(OrchAPI.Unregister(aor: "sip:alice@pbx"))
        #expect(removed.actions.contains { if case .setSigAccounts([]) = $0 { true } else { false } })
        _ = h.event(RegistrationStateEvent(aor: "sip:alice@pbx", state: .unregistered))
        #expect(h.coordinator.registrations.isEmpty)
    }

    @Test func hangupAllEndsEveryCallAndOneFailureDoesNotStopTheRest() throws {
        var h = H()
        h.connectCall("a")
        h.connectCall("b", port: 20002)
        let all = h.client(OrchAPI.Hangup(all: true))
        let first = try #require(all.actions.request(SigAPI.CallHangup.self))
        let second = try #require(h.fail(first.request).request(SigAPI.CallHangup.self))
        let done = h.answer(second.request, with: CallReference(call: "b"))
        let hungUp = try #require(try done.reply(to: all.token)?.decode(OrchAPI.Hangup.Result.self))
        #expect(Set(hungUp.hungUp) == ["a", "b"])
    }
}
