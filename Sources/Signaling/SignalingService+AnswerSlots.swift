import Wire

/// Port pairs orch holds on a worker so that sig can answer an incoming call at once (auto-answer), without the round
/// trips to orch and to a worker on the way to the 200 OK (docs/PROTOCOL.md, `call.answer_slots`; `AnswerSlot` in Wire).
extension SignalingService {
    /// `call.answer_slots`: the whole current list (an empty one stops answering at once). Slots already used are
    /// skipped, and ids no longer listed are forgotten. Returns how many slots are held now.
    func setAnswerSlots(_ slots: [AnswerSlot]) -> Int {
        let listed = Set(slots.map(\.slot))
        usedAnswerSlots.formIntersection(listed)
        answerSlots = slots.filter { !usedAnswerSlots.contains($0.slot) }
        return answerSlots.count
    }

    /// A slot for a new call, if orch left any.
    func takeAnswerSlot() -> AnswerSlot? {
        guard let slot = answerSlots.popLast() else { return nil }
        usedAnswerSlots.insert(slot.slot)
        return slot
    }
}
