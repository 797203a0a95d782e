import SIPSession
import Timebase

/// The sessions' named timers in one min-heap, so the 10 ms tick looks only at what is due (none of the other calls).
/// Arming a timer again or disarming it leaves its old heap entry behind; an entry counts only while its generation
/// is the timer's current one, and stale entries fall out when they come to the top.
struct SessionTimerQueue: Sendable {
    private struct Key: Hashable, Sendable {
        var session: SessionHandle
        var timer: SessionTimerName
    }

    private struct Entry: Sendable {
        var due: MonotonicTime
        var key: Key
        var generation: UInt64
    }

    private var heap: [Entry] = []
    private var current: [Key: UInt64] = [:]
    private var generation: UInt64 = 0

    /// Timers armed and not yet fired or disarmed.
    var count: Int { current.count }

    mutating func arm(_ session: SessionHandle, _ timer: SessionTimerName, at due: MonotonicTime) {
        generation &+= 1
        let key = Key(session: session, timer: timer)
        current[key] = generation
        push(Entry(due: due, key: key, generation: generation))
    }

    mutating func disarm(_ session: SessionHandle, _ timer: SessionTimerName) {
        current[Key(session: session, timer: timer)] = nil
    }

    mutating func removeAll(_ session: SessionHandle) {
        for timer in SessionTimerName.allCases { current[Key(session: session, timer: timer)] = nil }
    }

    /// The timers due at or before `now`, earliest first (each disarmed by being returned). Timers armed while these
    /// fire wait for the next call, even if already due.
    mutating func popDue(now: MonotonicTime) -> [(SessionHandle, SessionTimerName)] {
        var due: [(SessionHandle, SessionTimerName)] = []
        while let top = heap.first, top.due <= now {
            pop()
            guard current[top.key] == top.generation else { continue }
            current[top.key] = nil
            due.append((top.key.session, top.key.timer))
        }
        return due
    }

    private mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].due < heap[parent].due else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func pop() {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].due < heap[smallest].due { smallest = left }
            if right < heap.count, heap[right].due < heap[smallest].due { smallest = right }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
