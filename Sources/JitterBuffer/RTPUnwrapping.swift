/// RTP sequence numbers (16 bit) and timestamps (32 bit) wrap; the buffer works on 64-bit "extended"
/// values that keep growing, obtained by taking the signed distance from the newest value seen.
/// The low bits of an extended value always equal the wire value, so converting back is a truncation.
enum RTPUnwrapping {
    static func extend(timestamp: UInt32, around reference: Int64) -> Int64 {
        let delta = Int32(bitPattern: timestamp &- UInt32(truncatingIfNeeded: reference))
        return reference &+ Int64(delta)
    }

    static func extend(sequence: UInt16, around reference: Int64) -> Int64 {
        let delta = Int16(bitPattern: sequence &- UInt16(truncatingIfNeeded: reference))
        return reference &+ Int64(delta)
    }
}

/// Which of the last 128 sequence numbers were received, to recognize duplicates and reordering.
struct SequenceWindow: Sendable {
    /// Newest extended sequence number received.
    private(set) var highest: Int64
    /// Bit `i` of the 128-bit word is sequence `highest - i`.
    private var low: UInt64 = 1
    private var high: UInt64 = 0

    init(first: Int64) {
        highest = first
    }

    func contains(_ sequence: Int64) -> Bool {
        let age = highest &- sequence
        if age < 0 || age >= 128 { return false }
        return age < 64 ? (low >> UInt64(age)) & 1 == 1 : (high >> UInt64(age - 64)) & 1 == 1
    }

    /// Records `sequence`; returns true when it is older than the newest received (reordered).
    mutating func insert(_ sequence: Int64) -> Bool {
        let age = highest &- sequence
        if age > 0 {
            if age < 64 {
                low |= 1 << UInt64(age)
            } else if age < 128 {
                high |= 1 << UInt64(age - 64)
            }
            return true
        }
        shift(by: -age)
        highest = sequence
        low |= 1
        return false
    }

    private mutating func shift(by distance: Int64) {
        if distance >= 128 {
            low = 0
            high = 0
        } else if distance >= 64 {
            high = low << UInt64(distance - 64)
            low = 0
        } else if distance > 0 {
            high = (high << UInt64(distance)) | (low >> UInt64(64 - distance))
            low <<= UInt64(distance)
        }
    }
}
