/// Received audio indexed by extended RTP timestamp, one slot per sample.
///
/// Why per sample and not per packet: packets may be 10-40 ms while pulls are always 20 ms, and a lost
/// 30 ms packet leaves half of one pull frame missing. Storing each sample under its own timestamp makes
/// splitting, reassembly, reordering and duplicate payloads trivial. Each slot carries the timestamp it
/// holds, so a slot left over from one lap of the ring can never be mistaken for the next lap, and nothing
/// has to be erased after playout. Memory is allocated once, in `init`.
///
/// Tags keep the low 32 bits of the extended timestamp (10 bytes a slot, not 18: about 33 KB less per call at the
/// default 300 ms maximum delay). Two timestamps of one slot with the same low 32 bits are 2^32 samples apart (six
/// days at 8 kHz), far beyond anything the ring is asked about; `UInt32.max` marks a slot never written, which a
/// real timestamp with those low bits could match only as a zero sample, once in 2^32.
struct SampleRing: Sendable {
    private var samples: [Int16]
    /// Low 32 bits of the extended timestamp stored in each slot; `UInt32.max` for never written.
    private var tags: [UInt32]
    /// Low 32 bits of the first sample's timestamp of each packet that had the RTP marker bit (talkspurt start).
    private var talkspurtStarts: [UInt32]
    private let mask: Int

    init(capacity: Int) {
        samples = Array(repeating: 0, count: capacity)
        tags = Array(repeating: .max, count: capacity)
        talkspurtStarts = Array(repeating: .max, count: capacity)
        mask = capacity - 1
    }

    var capacity: Int { mask + 1 }

    private static func tag(_ timestamp: Int64) -> UInt32 { UInt32(truncatingIfNeeded: timestamp) }

    private func slot(_ timestamp: Int64) -> Int {
        Int(truncatingIfNeeded: timestamp) & mask
    }

    /// Forgets everything; needed when a new stream may reuse timestamps of the old one.
    mutating func clear() {
        for index in tags.indices {
            tags[index] = .max
            talkspurtStarts[index] = .max
        }
    }

    /// Stores `payload[skip...]` at `timestamp + skip ...`; the caller guarantees the range fits the ring.
    mutating func write(timestamp: Int64, payload: UnsafeBufferPointer<Int16>, skip: Int, marker: Bool) {
        guard skip < payload.count else { return }
        if marker && skip == 0 {
            talkspurtStarts[slot(timestamp)] = Self.tag(timestamp)
        }
        let mask = self.mask
        samples.withUnsafeMutableBufferPointer { stored in
            tags.withUnsafeMutableBufferPointer { storedTags in
                for offset in skip..<payload.count {
                    let ts = timestamp + Int64(offset)
                    let index = Int(truncatingIfNeeded: ts) & mask
                    stored[index] = payload[offset]
                    storedTags[index] = UInt32(truncatingIfNeeded: ts)
                }
            }
        }
    }

    func contains(_ timestamp: Int64) -> Bool {
        tags[slot(timestamp)] == Self.tag(timestamp)
    }

    /// True when every sample of `[timestamp, timestamp + count)` is stored.
    func containsAll(from timestamp: Int64, count: Int) -> Bool {
        for offset in 0..<count where !contains(timestamp + Int64(offset)) { return false }
        return true
    }

    /// Copies `[timestamp, timestamp + output.count)` into `output` and `present`; returns how many were stored.
    func read(from timestamp: Int64, into output: inout [Int16], present: inout [Bool]) -> Int {
        let mask = self.mask
        return samples.withUnsafeBufferPointer { stored in
            tags.withUnsafeBufferPointer { storedTags in
                output.withUnsafeMutableBufferPointer { out in
                    present.withUnsafeMutableBufferPointer { flags in
                        var found = 0
                        for offset in 0..<min(out.count, flags.count) {
                            let ts = timestamp + Int64(offset)
                            let index = Int(truncatingIfNeeded: ts) & mask
                            let hit = storedTags[index] == UInt32(truncatingIfNeeded: ts)
                            out[offset] = hit ? stored[index] : 0
                            flags[offset] = hit
                            found += hit ? 1 : 0
                        }
                        return found
                    }
                }
            }
        }
    }

    /// Counts stored samples in `[timestamp, timestamp + count)`.
    func storedCount(from timestamp: Int64, count: Int) -> Int {
        var found = 0
        for offset in 0..<count where contains(timestamp + Int64(offset)) { found += 1 }
        return found
    }

    /// True when a talkspurt (marker bit) starts within `[timestamp, timestamp + count)`.
    func hasTalkspurtStart(from timestamp: Int64, count: Int) -> Bool {
        for offset in 0..<count {
            let ts = timestamp + Int64(offset)
            if talkspurtStarts[slot(ts)] == Self.tag(ts) { return true }
        }
        return false
    }

    /// Slots held, for tests asserting that memory stays bounded.
    var footprint: Int { samples.count + tags.count + talkspurtStarts.count }
}
