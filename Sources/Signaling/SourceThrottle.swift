import SIPCore
import Timebase

/// Throttles sources that keep failing (scanners guessing users, floods of bad requests): after `limit`
/// failures within `window`, everything from that IP is dropped silently for `block`. Bounded: at most
/// `maxSources` addresses are tracked; the oldest entry is forgotten first.
struct SourceThrottle: Sendable {
    var limit = 20
    var window: Duration = .seconds(10)
    var block: Duration = .seconds(30)
    var maxSources = 4096
    private var entries: [String: Entry] = [:]
    private(set) var blockedDrops = 0

    private struct Entry {
        var windowStart: MonotonicTime
        var failures: Int
        var blockedUntil: MonotonicTime?
    }

    /// True when input from `host` is to be dropped now.
    mutating func isBlocked(_ host: String, now: MonotonicTime) -> Bool {
        guard let until = entries[host]?.blockedUntil else { return false }
        if now < until {
            blockedDrops += 1
            return true
        }
        entries[host] = nil
        return false
    }

    /// Records a failure (we answered 4xx/5xx to it, or it sent garbage); returns true if that starts a block.
    @discardableResult
    mutating func recordFailure(_ host: String, now: MonotonicTime) -> Bool {
        var entry = entries[host] ?? Entry(windowStart: now, failures: 0, blockedUntil: nil)
        if now - entry.windowStart > window {
            entry.windowStart = now
            entry.failures = 0
        }
        entry.failures += 1
        var started = false
        if entry.failures >= limit, entry.blockedUntil == nil {
            entry.blockedUntil = now + block
            started = true
        }
        if entries[host] == nil, entries.count >= maxSources, let oldest = entries.min(by: { $0.value.windowStart < $1.value.windowStart })?.key {
            entries[oldest] = nil
        }
        entries[host] = entry
        return started
    }

    var trackedSources: Int { entries.count }
}
