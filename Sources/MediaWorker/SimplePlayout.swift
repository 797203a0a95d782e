/// A fixed-delay playout queue keyed by RTP timestamp: the stand-in used until the adaptive jitter buffer
/// (JitterBuffer module) is wired in. Missing audio is played as silence.
struct SimplePlayout: Sendable {
    enum Kind: Sendable { case normal, concealed, silence }

    private var frames: [UInt32: [Int16]] = [:]
    private var nextTimestamp: UInt32?
    private var delayFrames = 3
    private(set) var late = 0
    private(set) var played = 0
    private(set) var missing = 0

    mutating func insert(timestamp: UInt32, samples: [Int16]) {
        if nextTimestamp == nil { nextTimestamp = timestamp &- UInt32(delayFrames * 160) }
        guard let next = nextTimestamp else { return }
        // Split into 20 ms frames by timestamp.
        var offset = 0
        while offset + 160 <= samples.count {
            let ts = timestamp &+ UInt32(offset)
            if Int32(bitPattern: ts &- next) < 0 { late += 1 } else if frames.count < 64 { frames[ts] = Array(samples[offset..<offset + 160]) }
            offset += 160
        }
    }

    mutating func pull() -> ([Int16], Kind) {
        guard let next = nextTimestamp else { return (Self.silence, .silence) }
        nextTimestamp = next &+ 160
        if let f = frames.removeValue(forKey: next) {
            played += 1
            return (f, .normal)
        }
        missing += 1
        return (Self.silence, .silence)
    }

    var bufferedFrames: Int { frames.count }
    static let silence = [Int16](repeating: 0, count: 160)
}
