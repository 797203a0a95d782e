/// Answer slots: port pairs orch holds on the workers so that sig can answer an incoming call at once (auto-answer)
/// without the round trips to orch and a worker on the way to the 200 OK (docs/PROTOCOL.md §4, "Answer slots").
extension SigAPI {
    /// `call.answer_slots {"slots":[...]}`: the whole current list each time (an empty one stops answering at once).
    public struct CallAnswerSlots: WireCommand, Hashable {
        public static let name = "call.answer_slots"
        public static let receiver = WireReceiver.sig
        /// At most this many slots are taken; more in a list are ignored.
        public static let maxSlots = 64

        public var slots: [AnswerSlot]

        public init(slots: [AnswerSlot]) { self.slots = slots }

        public init(from r: WireReader) throws(WireError) {
            guard let list: [JSONValue] = try? r("slots") else {
                throw r.error("call.answer_slots needs args.slots: [{slot, worker, address, port}]")
            }
            var slots: [AnswerSlot] = []
            for (i, entry) in list.prefix(Self.maxSlots).enumerated() {
                guard let slot = try? AnswerSlot(wire: entry, at: r.path.appending("slots").appending(index: i)),
                      !slot.slot.isEmpty, slot.port > 0 else {
                    throw r.error("call.answer_slots: each slot needs slot, worker, address and port (1-65535)")
                }
                slots.append(slot)
            }
            self.slots = slots
        }

        public func write(to w: inout WireWriter) { w("slots", slots) }

        /// How many slots sig holds now (those of the list not used already).
        public struct Result: WireObject, Hashable {
            public var slots: Int
            public init(slots: Int) { self.slots = slots }
            public init(from r: WireReader) throws(WireError) { slots = try r("slots") }
            public func write(to w: inout WireWriter) { w("slots", slots) }
        }
    }
}

/// One port pair for answering a call at once: its id (`slot-…`), the worker holding it, and the address and port the
/// SDP names (`call.answer_slots`; `answered` in `call.incoming` of a call answered with it).
public struct AnswerSlot: WireObject, Hashable {
    public var slot: String
    public var worker: String
    public var address: String
    public var port: UInt16

    public init(slot: String, worker: String, address: String, port: UInt16) {
        self.slot = slot
        self.worker = worker
        self.address = address
        self.port = port
    }

    public init(from r: WireReader) throws(WireError) {
        slot = try r("slot")
        worker = try r("worker")
        address = try r("address")
        port = try r("port")
    }

    public func write(to w: inout WireWriter) {
        w("slot", slot)
        w("worker", worker)
        w("address", address)
        w("port", port)
    }
}
