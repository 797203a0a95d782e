import Foundation
import Wire

/// What orch knows of one call: who, which way, where it is, and which media worker carries it.
public struct CallRecord: Sendable, Equatable {
    public var id: String
    /// "outgoing" or "incoming".
    public var direction: String
    /// dialing, incoming, ringing, early, connected, held, terminated (docs/PROTOCOL.md §5).
    public var state: String
    public var remote: String
    public var local: String?
    public var worker: String?
    public var mediaPort: Int?
    public var codec: String?
    public var created: Date
    public var connected: Date?
    public var ended: Date?
    public var sipStatus: Int?
    public var reason: String?
    /// PCM stream ids of this call (docs/PROTOCOL.md §7): decoded audio out, captured audio in.
    public var playbackStream: UInt32 = 0
    public var captureStream: UInt32 = 0
    /// The remote media last handed to the worker, so an unchanged re-report does not restart anything.
    public var mediaApplied: JSONValue?
    /// The hold music the media worker was last told to send (while we hold the call).
    public var holdMusicApplied: JSONValue?
    /// Whether sip-audio plays and captures this call (attached when its media starts, detached when it ends).
    public var audioAttached = false
    /// The media worker's latest `rtp_state` for this call (from its `media.stats`): a restarted worker continues
    /// the stream from it.
    public var rtpState: JSONValue?
    /// sip-sig's snapshot of the answered call (its dialog): a restarted sig gets the call back from it.
    public var signaling: JSONValue?
    /// The answer slot sig answered this call with, until the worker has taken its port pair (`media.start`).
    public var answerSlot: String?
    /// What orch asked sig to dial (outgoing calls): dialled again if sig dies before it could report the INVITE.
    public var dialArgs: JSONValue?

    /// `{"playback","capture"}`: the call's PCM stream ids as components take them.
    public var streamsJSON: JSONValue { ["playback": .init(Int(playbackStream)), "capture": .init(Int(captureStream))] }

    public init(id: String, direction: String, state: String, remote: String, created: Date = Date()) {
        self.id = id
        self.direction = direction
        self.state = state
        self.remote = remote
        self.created = created
    }

    public var isTerminated: Bool { state == "terminated" }

    public var json: JSONValue {
        var o: [String: JSONValue] = ["call_id": .string(id), "direction": .string(direction), "state": .string(state),
                                      "remote": .string(remote)]
        if let local { o["local"] = .string(local) }
        if let worker { o["worker"] = .string(worker) }
        if let mediaPort { o["media_port"] = .init(mediaPort) }
        if let codec { o["codec"] = .string(codec) }
        if let sipStatus { o["sip_status"] = .init(sipStatus) }
        if playbackStream != 0 { o["streams"] = ["playback": .init(Int(playbackStream)), "capture": .init(Int(captureStream))] }
        if let reason { o["reason"] = .string(reason) }
        let end = ended ?? Date()
        o["duration_s"] = .number(connected.map { (end.timeIntervalSince($0) * 10).rounded() / 10 } ?? 0)
        return .object(o)
    }
}

/// Calls in progress plus the last few ended ones (bounded), and the media load of each worker.
public struct CallTable: Sendable {
    public private(set) var active: [String: CallRecord] = [:]
    public private(set) var recent: [CallRecord] = []
    public let recentLimit: Int
    /// Calls changed (or ended) since the last `takeChanged()`: what the journal has to write.
    public private(set) var changed: Set<String> = []

    public init(recentLimit: Int = 50) { self.recentLimit = recentLimit }

    public subscript(id: String) -> CallRecord? { active[id] ?? recent.last { $0.id == id } }

    /// The calls changed since the last call, and forgets them.
    public mutating func takeChanged() -> Set<String> {
        defer { changed.removeAll(keepingCapacity: true) }
        return changed
    }

    public mutating func upsert(_ record: CallRecord) {
        changed.insert(record.id)
        if record.isTerminated {
            active[record.id] = nil
            recent.removeAll { $0.id == record.id }
            recent.append(record)
            if recent.count > recentLimit { recent.removeFirst(recent.count - recentLimit) }
        } else {
            active[record.id] = record
        }
    }

    /// Applies a `call.state` event from sig; returns the updated record (nil for an unknown, already ended call).
    public mutating func apply(state data: [String: JSONValue]) -> CallRecord? {
        guard let id = data["call"]?.stringValue, let state = data["state"]?.stringValue else { return nil }
        var record = active[id] ?? CallRecord(id: id, direction: data["direction"]?.stringValue ?? "incoming", state: state,
                                               remote: data["remote"]?.stringValue ?? "")
        guard active[id] != nil || !recent.contains(where: { $0.id == id }) else { return nil }
        record.state = state
        if let remote = data["remote"]?.stringValue, !remote.isEmpty { record.remote = remote }
        if let local = data["local"]?.stringValue { record.local = local }
        if let code = data["code"]?.intValue { record.sipStatus = code }
        if let reason = data["reason"]?.stringValue { record.reason = reason }
        if let codec = data["codec"]?.stringValue { record.codec = codec }
        if let signaling = data["signaling"] { record.signaling = signaling }
        if state == "connected", record.connected == nil { record.connected = Date() }
        if state == "terminated" { record.ended = Date() }
        upsert(record)
        return record
    }

    /// Active calls per worker, for least-loaded placement.
    public func load(of worker: String) -> Int {
        var n = 0
        for record in active.values where record.worker == worker { n += 1 }
        return n
    }

    /// Calls per worker, in one pass.
    public var loadByWorker: [String: Int] {
        var loads: [String: Int] = [:]
        for record in active.values { if let w = record.worker { loads[w, default: 0] += 1 } }
        return loads
    }

    /// Updates an active call in place (no-op for ended ones).
    public mutating func update(_ id: String, _ change: (inout CallRecord) -> Void) {
        guard var record = active[id] else { return }
        change(&record)
        if record != active[id] { changed.insert(id) }
        active[id] = record
    }

    public var activeJSON: JSONValue { .array(active.values.sorted { $0.created < $1.created }.map(\.json)) }
}
