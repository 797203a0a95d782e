import Timebase

// The buffer never reads a clock: the adapter that owns the socket and the audio device stamps each packet with its
// arrival time and passes the playout clock's time to every pull. Tests drive both with a virtual clock, so every
// scenario is deterministic. Inside, times and delays are counted in samples.

extension MonotonicTime {
    /// The index of the sample period that contains this instant at `sampleRate`, floored.
    ///
    /// Split into whole seconds and the remainder so that `nanoseconds * sampleRate` cannot overflow
    /// for any clock origin.
    func sampleIndex(sampleRate: Int) -> Int64 {
        let perSecond: Int64 = 1_000_000_000
        var seconds = nanoseconds / perSecond
        var remainder = nanoseconds % perSecond
        if remainder < 0 {
            seconds -= 1
            remainder += perSecond
        }
        let rate = Int64(sampleRate)
        return seconds &* rate &+ (remainder * rate) / perSecond
    }
}

extension Duration {
    /// This duration as a whole number of samples at `sampleRate`, rounded down.
    func samples(at sampleRate: Int) -> Int {
        let value = MonotonicTime(nanoseconds: wholeNanoseconds).sampleIndex(sampleRate: sampleRate)
        return Int(clamping: value)
    }
}
