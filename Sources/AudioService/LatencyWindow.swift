/// The last few hundred latency samples and their median and 99th percentile: what `stats` reports as the time
/// a frame spends inside sip-audio.
struct LatencyWindow: Sendable {
    struct Summary: Sendable, Equatable {
        var p50Milliseconds: Double
        var p99Milliseconds: Double
        var count: Int
    }

    static let size = 500
    private var samples = [UInt64](repeating: 0, count: LatencyWindow.size)
    private var next = 0
    private var filled = 0

    mutating func add(nanoseconds: UInt64) {
        samples[next] = nanoseconds
        next = (next + 1) % Self.size
        filled = min(filled + 1, Self.size)
    }

    func summary() -> Summary? {
        guard filled > 0 else { return nil }
        let sorted = samples[0..<filled].sorted()
        func at(_ q: Double) -> Double { Double(sorted[min(filled - 1, Int(Double(filled - 1) * q + 0.5))]) / 1e6 }
        return Summary(p50Milliseconds: at(0.5), p99Milliseconds: at(0.99), count: filled)
    }
}
