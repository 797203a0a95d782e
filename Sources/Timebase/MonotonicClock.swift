#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The real monotonic clock (`CLOCK_MONOTONIC`: it does not jump with wall time; frame origin stamps compare
/// across the processes of one host). The only place that reads it: adapters (actors, event loops, threads) call
/// `now()` and pass the result into the cores as `now:`.
public enum MonotonicClock {
    public static func now() -> MonotonicTime {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return MonotonicTime(nanoseconds: Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec))
    }

    /// Blocks the calling thread until the clock reads `deadline` (absolute, so a periodic loop does not drift by
    /// its own work); returns at once for a deadline in the past. Only for threads of their own, never the
    /// cooperative pool.
    public static func sleep(until deadline: MonotonicTime) {
        let ns = deadline.unsignedNanoseconds
        var ts = timespec(tv_sec: Int(ns / 1_000_000_000), tv_nsec: Int(ns % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
    }
}
