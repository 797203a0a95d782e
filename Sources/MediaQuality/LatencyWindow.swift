/// The last few hundred latency samples and their median and 99th percentile: what components report as the
/// time a frame spends on its way (inside sip-audio, or from one end of the pipeline to the other).
///
/// The storage is allocated on the first sample, so a call that never measures anything costs no memory.
public struct LatencyWindow: Sendable {
    public struct Summary: Sendable, Equatable {
        public var p50Milliseconds: Double
        public var p99Milliseconds: Double
        public var count: Int

        /// `{"p50": ms, "p99": ms}` rounded to 0.01 ms, as the stats events carry it.
        public var rounded: (p50: Double, p99: Double) {
            ((p50Milliseconds * 100).rounded() / 100, (p99Milliseconds * 100).rounded() / 100)
        }
    }

    public let size: Int
    private var samples: [UInt64] = []
    private var next = 0
    private var filled = 0

    public init(size: Int = 500) { self.size = max(1, size) }

    public mutating func add(nanoseconds: UInt64) {
        if samples.isEmpty { samples = [UInt64](repeating: 0, count: size) }
        samples[next] = nanoseconds
        next = (next + 1) % size
        filled = min(filled + 1, size)
    }

    public func summary() -> Summary? {
        guard filled > 0 else { return nil }
        let sorted = samples[0..<filled].sorted()
        func at(_ q: Double) -> Double { Double(sorted[min(filled - 1, Int(Double(filled - 1) * q + 0.5))]) / 1e6 }
        return Summary(p50Milliseconds: at(0.5), p99Milliseconds: at(0.99), count: filled)
    }
}
