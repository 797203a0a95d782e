import Foundation
import Wire

/// orch's durable journal: what it owns (accounts, calls, registrations, stream ids) written to `state.json` in
/// the run directory whenever it changes, so an orch restarted by the keeper takes the group over with its calls
/// (the components keep them up meanwhile). Written atomically (temp file + rename); read only when adopting.
extension Orchestrator {
    static let journalVersion = 1

    var journalPath: String { runDirectory.path + "/state.json" }

    var journalSnapshot: JSONValue {
        ["v": .init(Self.journalVersion), "accounts": .object(accounts), "next_stream": .number(Double(nextStream)),
         "registrations": .object(registrations.mapValues { .object($0) }),
         "workers": .array(core.workers.filter { !$0.standby }.map { .string($0.name) }),
         "calls": .array(calls.active.values.sorted { $0.created < $1.created }.map(\.snapshot))]
    }

    /// Writes the journal when what it holds changed since the last write (called from the 50 ms tick).
    func flushJournal() {
        let snapshot = journalSnapshot
        guard snapshot != lastJournal else { return }
        lastJournal = snapshot
        let temporary = journalPath + ".tmp"
        do {
            try Data(snapshot.encodedString().utf8).write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, journalPath) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            logger.error("cannot write the orch journal; an orch restart would lose the calls' state", metadata: ["path": "\(journalPath)", "error": "\(error)"])
        }
    }

    /// Takes over the previous orch's state; returns how many calls came back. A missing or unreadable journal
    /// leaves orch empty (and says so): the components still carry their calls.
    func loadJournal() -> Int {
        guard let data = FileManager.default.contents(atPath: journalPath) else { return 0 }
        guard let json = try? JSONDecoder().decode(JSONValue.self, from: data), json["v"]?.intValue == Self.journalVersion else {
            logger.error("the orch journal is unreadable; starting without the previous orch's calls", metadata: ["path": "\(journalPath)"])
            return 0
        }
        accounts = json["accounts"]?.objectValue ?? [:]
        if !accounts.isEmpty { core.setExtraConfig("accounts", .array(Array(accounts.values)), forRole: "sig") }
        nextStream = UInt32(clamping: json["next_stream"]?.intValue ?? 0)
        core.restoreWorkers((json["workers"]?.arrayValue ?? []).compactMap(\.stringValue), now: .now)
        registrations = (json["registrations"]?.objectValue ?? [:]).compactMapValues(\.objectValue)
        var restored = 0
        for entry in json["calls"]?.arrayValue ?? [] {
            if let record = CallRecord(snapshot: entry), !record.isTerminated {
                calls.upsert(record)
                restored += 1
            }
        }
        lastJournal = journalSnapshot
        return restored
    }

    /// A fresh start (not adopting) begins with no calls: a journal left by a group that was stopped is stale.
    func discardJournal() {
        unlink(journalPath)
    }
}
