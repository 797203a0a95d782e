import Foundation
import Wire

/// Calls in progress plus the last few ended ones (bounded), and the media load of each worker. The load is kept up
/// to date on every change, so placing a call or ordering answer slots never walks the whole table.
public struct CallTable: Sendable {
    public private(set) var active: [CallID: CallRecord] = [:]
    public private(set) var recent: [CallRecord] = []
    public let recentLimit: Int
    /// Calls changed (or ended) since the last `takeChanged()`: what the journal has to write.
    public private(set) var changed: Set<CallID> = []
    /// Active calls per worker.
    public private(set) var loadByWorker: [String: Int] = [:]

    public init(recentLimit: Int = 50) { self.recentLimit = recentLimit }

    /// An active call, or a recently ended one.
    public subscript(id: CallID) -> CallRecord? { active[id] ?? recent.last { $0.id == id } }

    /// Whether `id` ended recently.
    public func ended(_ id: CallID) -> Bool { recent.contains { $0.id == id } }

    /// The calls changed since the last call, and forgets them.
    public mutating func takeChanged() -> Set<CallID> {
        defer { changed.removeAll(keepingCapacity: true) }
        return changed
    }

    public mutating func upsert(_ record: CallRecord) {
        changed.insert(record.id)
        count(active[record.id], -1)
        if record.isTerminated {
            active[record.id] = nil
            recent.removeAll { $0.id == record.id }
            recent.append(record)
            if recent.count > recentLimit { recent.removeFirst(recent.count - recentLimit) }
        } else {
            active[record.id] = record
            count(record, +1)
        }
    }

    /// Applies a `call.state` event from sig; returns the updated record (nil for an already ended call).
    public mutating func apply(state event: CallStateEvent, at date: Date) -> CallRecord? {
        guard active[event.call] != nil || !ended(event.call) else { return nil }
        var record = active[event.call]
            ?? CallRecord(id: event.call, direction: event.direction, state: event.state, remote: event.remote ?? "", created: date)
        record.apply(event, at: date)
        upsert(record)
        return record
    }

    /// Active calls on `worker`, for least-loaded placement.
    public func load(of worker: String) -> Int { loadByWorker[worker, default: 0] }

    /// Updates an active call in place (no-op for ended ones).
    public mutating func update(_ id: CallID, _ change: (inout CallRecord) -> Void) {
        guard let before = active[id] else { return }
        var record = before
        change(&record)
        guard record != before else { return }
        changed.insert(id)
        count(before, -1)
        count(record, +1)
        active[id] = record
    }

    /// The active calls as `calls` and `status` list them, oldest first.
    public func summaries(at date: Date) -> [CallSummary] {
        active.values.sorted { $0.created < $1.created }.map { $0.summary(at: date) }
    }

    private mutating func count(_ record: CallRecord?, _ delta: Int) {
        guard let worker = record?.worker else { return }
        let n = loadByWorker[worker, default: 0] + delta
        loadByWorker[worker] = n > 0 ? n : nil
    }
}
