/// The smallest transit (arrival minus timestamp, in samples) among the last 128 packets.
///
/// Transit includes an unknown clock offset, so only differences mean anything; the floor is the
/// reference "fastest path" the relative delay of every packet is measured from. It is kept as the
/// minima of 8 blocks of 16 packets so it follows a drifting sender clock or a route change within about
/// 2.5 s of speech, and, being counted in packets rather than seconds, it survives silence suppression gaps.
struct TransitFloor: Sendable {
    private static let blockCount = 8
    private static let blockPackets = 16

    private var blockMinima: [Int64] = Array(repeating: .max, count: TransitFloor.blockCount)
    private var block = 0
    private var packetsInBlock = 0
    private(set) var value: Int64 = 0
    private(set) var isEmpty = true

    mutating func reset() {
        for index in blockMinima.indices { blockMinima[index] = .max }
        block = 0
        packetsInBlock = 0
        value = 0
        isEmpty = true
    }

    mutating func observe(_ transit: Int64) {
        if packetsInBlock == Self.blockPackets {
            block = (block + 1) % Self.blockCount
            blockMinima[block] = .max
            packetsInBlock = 0
        }
        packetsInBlock += 1
        blockMinima[block] = min(blockMinima[block], transit)
        value = blockMinima.min() ?? transit
        isEmpty = false
    }
}
