/// Exponential restart backoff: the first restart comes quickly (a crash mid-call should cost little), repeats
/// double the wait up to a cap (a crash loop should not burn the machine), and a period of stable running
/// forgives the past.
public struct RestartBackoff: Sendable, Equatable {
    public let initial: Duration
    public let maximum: Duration
    public private(set) var next: Duration

    public init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = max(maximum, initial)
        self.next = initial
    }

    /// The delay before the coming restart; the one after it will be twice as long (capped).
    public mutating func take() -> Duration {
        let delay = next
        next = min(maximum, next == .zero ? .milliseconds(100) : next * 2)
        return delay
    }

    public mutating func reset() { next = initial }
}
