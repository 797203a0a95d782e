import Wire

/// A media port pair orch holds on a worker so that sig can answer an incoming call at once (auto-answer), without
/// the round trips to orch and to a worker on the way to the 200 OK (docs/PROTOCOL.md, `call.answer_slots`).
struct AnswerSlot: Sendable, Equatable {
    var id: String
    var worker: String
    var address: String
    var port: UInt16

    var json: JSONValue {
        ["slot": .string(id), "worker": .string(worker), "address": .string(address), "port": .init(Int(port))]
    }
}

extension SignalingService {
    /// At most this many slots are kept; more in a list are ignored.
    static let maxAnswerSlots = 64

    /// `call.answer_slots {"slots": [{"slot", "worker", "address", "port"}]}`: the whole current list (an empty one
    /// stops answering at once). Slots already used are skipped, and ids no longer listed are forgotten.
    func setAnswerSlots(_ args: [String: JSONValue]) -> Result<Int, WireError> {
        guard let list = args["slots"]?.arrayValue else {
            return .failure(WireError(.badArgs, "call.answer_slots needs args.slots: [{slot, worker, address, port}]"))
        }
        var slots: [AnswerSlot] = []
        for entry in list.prefix(Self.maxAnswerSlots) {
            guard let id = entry["slot"]?.stringValue, !id.isEmpty, let worker = entry["worker"]?.stringValue,
                  let address = entry["address"]?.stringValue, let port = entry["port"]?.intValue.flatMap(UInt16.init(exactly:)),
                  port > 0 else {
                return .failure(WireError(.badArgs, "call.answer_slots: each slot needs slot, worker, address and port (1-65535)"))
            }
            slots.append(AnswerSlot(id: id, worker: worker, address: address, port: port))
        }
        let listed = Set(slots.map(\.id))
        usedAnswerSlots.formIntersection(listed)
        answerSlots = slots.filter { !usedAnswerSlots.contains($0.id) }
        return .success(answerSlots.count)
    }

    /// A slot for a new call, if orch left any.
    func takeAnswerSlot() -> AnswerSlot? {
        guard let slot = answerSlots.popLast() else { return nil }
        usedAnswerSlots.insert(slot.id)
        return slot
    }
}
