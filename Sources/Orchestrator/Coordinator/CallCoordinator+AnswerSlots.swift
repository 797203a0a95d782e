import Wire

/// Answer slots (docs/PROTOCOL.md, `call.answer_slots`): with auto-answer on, orch keeps a few port pairs allocated on
/// the least loaded workers and hands sig the list, so sig answers an INVITE at once, with no round trip to orch and
/// to a worker before the 200 OK. The call then reaches orch already answered (`call.incoming` `answered`), and its
/// `media.start` names the slot, whose port pair the call takes over on the worker. Each slot used is replaced.
///
/// Nothing depends on a slot's session surviving: a worker that restarted binds the port again at `media.start`
/// (or another pair, given to the peer by a re-INVITE), and a worker that is lost takes its slots with it.
struct AnswerSlots: Sendable {
    /// Slots kept ready: a burst of this many calls is answered at once before the refill catches up.
    static let target = 8

    var held: [AnswerSlot] = []
    /// One refill at a time.
    var refilling = false
    var counter = 0
    let prefix: String

    init(prefix: String) { self.prefix = prefix }

    func count(on worker: String) -> Int { held.reduce(0) { $0 + ($1.worker == worker ? 1 : 0) } }

    func contains(_ session: String) -> Bool { held.contains { $0.slot == session } }
}

extension CallCoordinator {
    /// Allocating slots one after the other until there are enough.
    struct RefillSlots: Sendable {
        var added: Bool
        var worker = ""
        var slot = ""
    }

    /// A restarted worker holding its slots' port pairs again, one after the other.
    struct ReserveSlots: Sendable {
        var worker: String
        var remaining: [AnswerSlot]
        var current: AnswerSlot?
        var changed = false
    }

    /// Allocates slots until there are `AnswerSlots.target`, then gives sig the list. One refill at a time.
    mutating func refillAnswerSlots() {
        guard settings.autoAnswer, !slots.refilling, topology.sig != nil else { return }
        slots.refilling = true
        // Spread: no worker holds more than its share of the slots (a worker just added gets its share).
        let workers = topology.workers
        var added = false
        if !workers.isEmpty {
            let share = (AnswerSlots.target + workers.count - 1) / workers.count
            for worker in workers {
                let extra = slots.held.filter { $0.worker == worker }.dropFirst(share).map(\.slot)
                guard !extra.isEmpty else { continue }
                slots.held.removeAll { extra.contains($0.slot) }
                added = true  // the list changed
                releaseAnswerSlots(extra, on: worker)
            }
        }
        refillNext(RefillSlots(added: added))
    }

    private mutating func refillNext(_ flow: RefillSlots) {
        var flow = flow
        guard slots.held.count < AnswerSlots.target, let worker = slotWorker() else {
            refillDone(added: flow.added)
            return
        }
        slots.counter += 1
        flow.worker = worker
        flow.slot = slots.prefix + String(slots.counter)
        request(MediaAPI.Allocate(call: CallID(flow.slot)), to: worker, timeout: .seconds(2), then: .refillSlots(flow))
    }

    /// The least loaded worker with room for one more slot: slots never take more than a quarter of a worker's port
    /// pairs (calls need them more).
    private func slotWorker() -> String? {
        let load = { (w: String) in self.calls.load(of: w) + self.slots.count(on: w) }
        let room = { (w: String) in self.slots.count(on: w) < self.topology.capacity[w].map { $0 / 4 } ?? 2 }
        return topology.workers.filter(room).min { load($0) < load($1) }
    }

    mutating func refilled(_ flow: RefillSlots, _ reply: Reply) {
        guard case .success(let media) = reply.typed(MediaAPI.Allocate.Result.self) else {
            refillDone(added: flow.added)  // the worker could not: try again at the next trigger
            return
        }
        var flow = flow
        if topology.workers.contains(flow.worker) {  // else lost meanwhile
            slots.held.append(AnswerSlot(slot: flow.slot, worker: flow.worker, address: media.address, port: media.port))
            flow.added = true
        }
        refillNext(flow)
    }

    private mutating func refillDone(added: Bool) {
        slots.refilling = false
        if added { sendAnswerSlots() }
    }

    /// The whole list to sig (it ignores the slots it used already); nobody waits for the answer.
    mutating func sendAnswerSlots() {
        guard settings.autoAnswer, let sig = topology.sig else { return }
        requestCounter += 1
        emit(.send(to: sig, Request(id: "slots-\(requestCounter)", SigAPI.CallAnswerSlots(slots: orderedAnswerSlots()))))
    }

    /// The slots in the order sig should use them (it takes the last first): each next one on the worker with the
    /// fewest calls, counting the slots before it, so a burst of calls spreads over the workers as placement would.
    func orderedAnswerSlots() -> [AnswerSlot] {
        var remaining = slots.held.sorted { ($0.worker, $0.slot) < ($1.worker, $1.slot) }
        var taken = calls.loadByWorker
        var order: [AnswerSlot] = []
        while let best = remaining.indices.min(by: { taken[remaining[$0].worker, default: 0] < taken[remaining[$1].worker, default: 0] }) {
            let slot = remaining.remove(at: best)
            taken[slot.worker, default: 0] += 1
            order.append(slot)
        }
        return order.reversed()
    }

    /// sig answered a call with `slot`: it is no longer ours to hand out.
    mutating func answerSlotUsed(_ slot: String) {
        slots.held.removeAll { $0.slot == slot }
        refillAnswerSlots()
    }

    /// A worker went down, restarted or is draining: its slots go, and sig learns at once.
    /// - Parameter release: the worker still runs (draining): it frees the slots' port pairs.
    mutating func dropAnswerSlots(of worker: String, release: Bool = false) {
        let dropped = slots.held.filter { $0.worker == worker }
        slots.held.removeAll { $0.worker == worker }
        if release { releaseAnswerSlots(dropped.map(\.slot), on: worker) }
        if !dropped.isEmpty { sendAnswerSlots() }
        refillAnswerSlots()
    }

    /// A worker came up (restarted, or adopted by a restarted orch): its slots' port pairs are held again (the same
    /// ones where free; a slot that cannot be held goes), then slots are refilled.
    mutating func reserveAnswerSlots(on worker: String) {
        reserveNext(ReserveSlots(worker: worker, remaining: slots.held.filter { $0.worker == worker }))
    }

    private mutating func reserveNext(_ flow: ReserveSlots) {
        var flow = flow
        guard !flow.remaining.isEmpty else {
            if flow.changed { sendAnswerSlots() }
            refillAnswerSlots()
            return
        }
        let slot = flow.remaining.removeFirst()
        flow.current = slot
        request(MediaAPI.Allocate(call: CallID(slot.slot), port: slot.port), to: flow.worker, timeout: .seconds(2), then: .reserveSlots(flow))
    }

    mutating func reserved(_ flow: ReserveSlots, _ reply: Reply) {
        var flow = flow
        if let slot = flow.current, let index = slots.held.firstIndex(where: { $0.slot == slot.slot }) {  // else used meanwhile
            if case .success(let media) = reply.typed(MediaAPI.Allocate.Result.self) {
                if media.port != slot.port {
                    slots.held[index].port = media.port
                    flow.changed = true
                }
            } else {
                slots.held.remove(at: index)
                flow.changed = true
            }
        }
        reserveNext(flow)
    }

    /// Frees slots' port pairs on a worker that still runs.
    mutating func releaseAnswerSlots(_ ids: [String], on worker: String) {
        for id in ids { request(MediaAPI.Release(call: CallID(id)), to: worker, timeout: .seconds(2), then: .none) }
    }
}
