/// Hands out RTP/RTCP port pairs (even RTP port, RTCP = RTP + 1, RFC 3550 §11) from a worker's share of the
/// configured range. Workers interleave: worker i of n takes every n-th pair, so workers never collide
/// and each has an even share wherever the range starts.
///
/// Pure bookkeeping; whether a port is really free is asked of `isFree` (the worker binds to check), and a
/// pair that is taken by another program is skipped.
public struct MediaPortPool: Sendable {
    public let low: Int
    public let high: Int
    public let workerIndex: Int
    public let workerCount: Int
    private var inUse: [String: Int] = [:]
    private var cursor = 0

    /// - Parameters: `workerIndex` is 1-based, as in the `worker` section of `configure`.
    public init(low: Int, high: Int, workerIndex: Int = 1, workerCount: Int = 1) {
        self.low = low
        self.high = high
        self.workerIndex = max(1, workerIndex)
        self.workerCount = max(1, workerCount)
    }

    /// The RTP ports of this worker's share, in order.
    public var candidatePorts: [Int] {
        let firstEven = low % 2 == 0 ? low : low + 1
        var ports: [Int] = []
        var pair = 0
        var port = firstEven
        while port + 1 <= high {
            if pair % workerCount == workerIndex - 1 { ports.append(port) }
            pair += 1
            port += 2
        }
        return ports
    }

    public var allocatedCount: Int { inUse.count }
    public var capacity: Int { candidatePorts.count }

    /// The RTP port already held for `session`, or a new free one; nil when the share is exhausted.
    public mutating func allocate(session: String, isFree: (Int) -> Bool) -> Int? {
        if let port = inUse[session] { return port }
        let candidates = candidatePorts
        guard !candidates.isEmpty else { return nil }
        let taken = Set(inUse.values)
        for step in 0..<candidates.count {
            let port = candidates[(cursor + step) % candidates.count]
            guard !taken.contains(port), isFree(port) else { continue }
            // Rotate so a just-released port is not reused at once (late packets of the old call).
            cursor = (cursor + step + 1) % candidates.count
            inUse[session] = port
            return port
        }
        return nil
    }

    /// Takes `port` for `session` even outside this worker's share, as long as it is an even port of the range, not held
    /// here, and `isFree`: a call keeps its port when the worker count changes (`sipc workers add`) or when a restarted
    /// worker takes its calls back under a different share.
    public mutating func adopt(session: String, port: Int, isFree: (Int) -> Bool) -> Bool {
        if inUse[session] == port { return true }
        guard port % 2 == 0, port >= low, port + 1 <= high, !inUse.values.contains(port), isFree(port) else { return false }
        inUse[session] = port
        return true
    }

    @discardableResult
    public mutating func release(session: String) -> Int? { inUse.removeValue(forKey: session) }

    public func port(of session: String) -> Int? { inUse[session] }
    public var sessions: [String: Int] { inUse }
}
