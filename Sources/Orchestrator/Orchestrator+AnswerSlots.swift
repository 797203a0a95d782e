import Foundation
import Wire

/// A port pair held on a media worker for sig to answer one call with at once.
struct AnswerSlotRecord: Sendable, Equatable {
    var id: String
    var worker: String
    var address: String
    var port: Int

    var json: JSONValue { ["slot": .string(id), "worker": .string(worker), "address": .string(address), "port": .init(port)] }
}

/// Answer slots (docs/PROTOCOL.md, `call.answer_slots`): with auto-answer on, orch keeps a few port pairs allocated on the
/// least loaded workers and hands sig the list, so sig answers an INVITE at once, with no round trip to orch and
/// to a worker before the 200 OK. The call then reaches orch already answered (`call.incoming` `answered`), and its
/// `media.start` names the slot, whose port pair the call takes over on the worker. Each slot used is replaced.
///
/// Nothing depends on a slot's session surviving: a worker that restarted binds the port again at `media.start`
/// (or another pair, given to the peer by a re-INVITE), and a worker that is lost takes its slots with it.
extension Orchestrator {
    /// Slots kept ready: a burst of this many calls is answered at once before the refill catches up.
    static let answerSlotTarget = 8

    /// Allocates slots until there are `answerSlotTarget`, then gives sig the list. One refill at a time.
    func refillAnswerSlots() {
        guard config.calls.autoAnswer, !answerSlotRefilling, core.upComponents(role: "sig").first != nil else { return }
        answerSlotRefilling = true
        // Spread: no worker holds more than its share of the slots (a worker just added gets its share).
        let workers = core.upComponents(role: "rtp")
        var added = false
        if !workers.isEmpty {
            let share = (Self.answerSlotTarget + workers.count - 1) / workers.count
            for worker in workers {
                let extra = answerSlots.filter { $0.worker == worker }.dropFirst(share)
                guard !extra.isEmpty else { continue }
                answerSlots.removeAll { slot in extra.contains(slot) }
                added = true  // the list changed
                releaseAnswerSlots(extra, on: worker)
            }
        }
        Task {
            while self.answerSlots.count < Self.answerSlotTarget {
                let held = { (w: String) in self.answerSlots.filter { $0.worker == w }.count }
                let load = { (w: String) in self.calls.load(of: w) + held(w) }
                // Slots never take more than a quarter of a worker's port pairs: calls need them more.
                let room = { (w: String) in held(w) < (self.core.heartbeatStats(of: w)["capacity"]?.intValue).map { $0 / 4 } ?? 2 }
                guard let worker = self.core.upComponents(role: "rtp").filter(room).min(by: { load($0) < load($1) }) else { break }
                self.answerSlotCounter += 1
                let id = self.answerSlotPrefix + String(self.answerSlotCounter)
                let reply = await self.requestComponent(worker, "media.allocate", ["call": .string(id)], timeout: .seconds(2))
                guard case .success(let media) = reply.outcome, let port = media["port"]?.intValue,
                      let address = media["address"]?.stringValue else { break }
                guard self.core.upComponents(role: "rtp").contains(worker) else { continue }  // lost meanwhile
                self.answerSlots.append(AnswerSlotRecord(id: id, worker: worker, address: address, port: port))
                added = true
            }
            self.answerSlotRefilling = false
            if added { self.sendAnswerSlots() }
        }
    }

    /// The whole list to sig (it ignores the slots it used already).
    func sendAnswerSlots() {
        guard config.calls.autoAnswer, let sig = core.upComponents(role: "sig").first else { return }
        requestCounter += 1
        sendControl(.request(Request(id: "slots-\(requestCounter)", command: "call.answer_slots",
                                     args: ["slots": .array(orderedAnswerSlots().map(\.json))])), to: sig)
    }

    /// The slots in the order sig should use them (it takes the last first): each next one on the worker with the
    /// fewest calls, counting the slots before it, so a burst of calls spreads over the workers as `allocateMedia` would.
    func orderedAnswerSlots() -> [AnswerSlotRecord] {
        var remaining = answerSlots.sorted { ($0.worker, $0.id) < ($1.worker, $1.id) }
        var taken = calls.loadByWorker
        var order: [AnswerSlotRecord] = []
        while !remaining.isEmpty {
            let scores = remaining.map { taken[$0.worker, default: 0] }
            let best = scores.indices.min { scores[$0] < scores[$1] }!
            let slot = remaining.remove(at: best)
            taken[slot.worker, default: 0] += 1
            order.append(slot)
        }
        return order.reversed()
    }

    /// sig answered a call with `slot`: it is no longer ours to hand out.
    func answerSlotUsed(_ slot: String) {
        answerSlots.removeAll { $0.id == slot }
        refillAnswerSlots()
    }

    /// A worker went down, restarted or is draining: its slots go, and sig learns at once.
    /// - Parameter release: the worker still runs (draining): it frees the slots' port pairs.
    func dropAnswerSlots(of worker: String, release: Bool = false) {
        let before = answerSlots.count
        let dropped = answerSlots.filter { $0.worker == worker }
        answerSlots.removeAll { $0.worker == worker }
        if release { releaseAnswerSlots(dropped, on: worker) }
        if answerSlots.count != before { sendAnswerSlots() }
        refillAnswerSlots()
    }

    func isAnswerSlot(_ session: String) -> Bool { answerSlots.contains { $0.id == session } }

    /// A worker came up (restarted, or adopted by a restarted orch): its slots' port pairs are held again (the same
    /// ones where free; a slot that cannot be held goes), then slots are refilled.
    func reserveAnswerSlots(on worker: String) {
        let mine = answerSlots.filter { $0.worker == worker }
        Task {
            var changed = false
            for slot in mine {
                let reply = await self.requestComponent(worker, "media.allocate", ["call": .string(slot.id), "port": .init(slot.port)],
                                                        timeout: .seconds(2))
                guard let index = self.answerSlots.firstIndex(where: { $0.id == slot.id }) else { continue }  // used meanwhile
                if case .success(let media) = reply.outcome, let port = media["port"]?.intValue {
                    if port != slot.port { self.answerSlots[index].port = port; changed = true }
                } else {
                    self.answerSlots.remove(at: index)
                    changed = true
                }
            }
            if changed { self.sendAnswerSlots() }
            self.refillAnswerSlots()
        }
    }
}

extension Orchestrator {
    /// The slot's port pair was gone when the call came to take it (its worker restarted and gave it away): the call
    /// runs on `port`, which the peer learns from a re-INVITE.
    func movedFromSlot(_ record: CallRecord, port: Int, address: String) async {
        logger.warning("a call answered from a slot got another port", metadata: ["call": "\(record.id)", "old": "\(record.mediaPort ?? 0)", "new": "\(port)"])
        calls.update(record.id) { $0.mediaPort = port }
        await reofferMedia(record.id, address: address, port: port)
    }

    /// Frees slots' port pairs on a worker that still runs.
    func releaseAnswerSlots(_ slots: some Sequence<AnswerSlotRecord>, on worker: String) {
        for slot in slots {
            Task { _ = await self.requestComponent(worker, "media.release", ["call": .string(slot.id)], timeout: .seconds(2)) }
        }
    }
}
