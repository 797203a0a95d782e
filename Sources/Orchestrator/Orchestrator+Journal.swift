import Foundation
import Timebase
import Wire
#if canImport(Glibc)
import Glibc
#endif

/// What the journal keeps between writes: the encoded snapshot of every active call (so a write encodes only the calls
/// that changed), the sequence number of the last line, and the log's file.
struct JournalState: Sendable {
    var seq: UInt64 = 0
    var calls: [String: String] = [:]
    var head: String?
    var logFD: Int32 = -1
    /// Lines appended since the last compaction.
    var lines = 0
}

/// orch's durable journal: what it owns (accounts, calls, registrations, stream ids, the worker pool), so an orch
/// restarted by the keeper takes the group over with its calls (the components keep them up meanwhile).
///
/// A write-ahead log: every change appends one line to `state.log` (`{"seq":N,"call":{...}}`, `{"seq":N,"ended":ID}` or
/// `{"seq":N,"head":{...}}`), one `write` per flush, so the cost of a change does not grow with the number of calls.
/// Now and then the whole state is written to `state.json` (`{"v":2,"seq":N,"head":{...},"calls":[...]}`, temp file +
/// rename) and the log is emptied; a reader takes `state.json` and then the log's lines with a larger `seq` (a crash
/// between the rename and the truncation replays nothing twice). A torn last line (a crash mid-write) is skipped.
extension Orchestrator {
    static let journalVersion = 2

    var journalPath: String { runDirectory.path + "/state.json" }
    var journalLogPath: String { runDirectory.path + "/state.log" }

    /// Everything but the calls.
    private var journalHead: JSONValue {
        ["accounts": .object(accounts), "next_stream": .number(Double(nextStream)),
         "registrations": .object(registrations.mapValues { .object($0) }),
         "workers": .array(core.workers.filter { !$0.standby && !$0.external }.map { .string($0.name) })]
    }

    /// Appends what changed since the last flush (called from the 50 ms tick and after every call event).
    func flushJournal() {
        let changed = calls.takeChanged()
        let head = journalHead.encodedString()
        guard !changed.isEmpty || head != journal.head else { return }
        var out = ""
        for id in changed {
            journal.seq += 1
            if let record = calls.active[id] {
                let text = record.snapshot.encodedString()
                journal.calls[id] = text
                out += "{\"seq\":\(journal.seq),\"call\":\(text)}\n"
            } else if journal.calls.removeValue(forKey: id) != nil {
                out += "{\"seq\":\(journal.seq),\"ended\":\(JSONValue.string(id).encodedString())}\n"
            }
        }
        if head != journal.head {
            journal.seq += 1
            journal.head = head
            out += "{\"seq\":\(journal.seq),\"head\":\(head)}\n"
        }
        appendToLog(out)
        journal.lines += changed.count + 1
        if journal.lines > max(2000, 4 * journal.calls.count) { compactJournal() }
    }

    private func appendToLog(_ text: String) {
        guard !text.isEmpty else { return }
        if journal.logFD < 0 { journal.logFD = open(journalLogPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600) }
        let fd = journal.logFD
        let ok = text.withCString { ptr -> Bool in
            let length = strlen(ptr)
            return Glibc.write(fd, ptr, length) == length
        }
        if !ok {
            logger.error("cannot write the orch journal; an orch restart would lose the calls' state", metadata: ["path": "\(journalLogPath)"])
        }
    }

    /// Writes the whole state to `state.json` and empties the log.
    func compactJournal() {
        let text = "{\"v\":\(Self.journalVersion),\"seq\":\(journal.seq),\"head\":\(journal.head ?? journalHead.encodedString()),\"calls\":["
            + journal.calls.values.joined(separator: ",") + "]}"
        let temporary = journalPath + ".tmp"
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, journalPath) == 0 else { throw CocoaError(.fileWriteUnknown) }
            if journal.logFD >= 0 { _ = ftruncate(journal.logFD, 0) }
            journal.lines = 0
        } catch {
            logger.error("cannot write the orch journal; an orch restart would lose the calls' state", metadata: ["path": "\(journalPath)", "error": "\(error)"])
        }
    }

    /// Takes over the previous orch's state; returns how many calls came back. A missing or unreadable journal
    /// leaves orch empty (and says so): the components still carry their calls.
    func loadJournal() -> Int {
        var restored: [String: CallRecord] = [:]
        var head: JSONValue?
        var baseSeq: UInt64 = 0
        if let data = FileManager.default.contents(atPath: journalPath) {
            guard let json = try? JSONDecoder().decode(JSONValue.self, from: data), json["v"]?.intValue == Self.journalVersion else {
                logger.error("the orch journal is unreadable; starting without the previous orch's calls", metadata: ["path": "\(journalPath)"])
                return 0
            }
            baseSeq = UInt64(max(0, json["seq"]?.intValue ?? 0))
            head = json["head"]
            for entry in json["calls"]?.arrayValue ?? [] {
                if let record = CallRecord(snapshot: entry) { restored[record.id] = record }
            }
        }
        var seq = baseSeq
        var torn = 0
        if let log = FileManager.default.contents(atPath: journalLogPath) {
            for line in log.split(separator: UInt8(ascii: "\n")) {
                guard let entry = try? JSONDecoder().decode(JSONValue.self, from: Data(line)), let n = entry["seq"]?.intValue else {
                    torn += 1
                    continue
                }
                guard UInt64(n) > baseSeq else { continue }
                seq = max(seq, UInt64(n))
                if let snapshot = entry["call"], let record = CallRecord(snapshot: snapshot) {
                    restored[record.id] = record
                } else if let id = entry["ended"]?.stringValue {
                    restored[id] = nil
                } else if let h = entry["head"] {
                    head = h
                }
            }
        }
        if torn > 0 { logger.warning("skipped torn lines of the orch journal (a crash while writing)", metadata: ["lines": "\(torn)"]) }
        if let head {
            accounts = head["accounts"]?.objectValue ?? [:]
            if !accounts.isEmpty { core.setExtraConfig("accounts", .array(Array(accounts.values)), forRole: "sig") }
            nextStream = UInt32(clamping: head["next_stream"]?.intValue ?? 0)
            registrations = (head["registrations"]?.objectValue ?? [:]).compactMapValues(\.objectValue)
            core.restoreWorkers((head["workers"]?.arrayValue ?? []).compactMap(\.stringValue), now: MonotonicClock.now())
        }
        var count = 0
        for record in restored.values where !record.isTerminated {
            calls.upsert(record)
            count += 1
        }
        // Start this orch's journal from what was read: a fresh base, an empty log.
        _ = calls.takeChanged()
        journal.seq = seq
        journal.head = journalHead.encodedString()
        journal.calls = Dictionary(uniqueKeysWithValues: calls.active.map { ($0.key, $0.value.snapshot.encodedString()) })
        compactJournal()
        return count
    }

    /// A fresh start (not adopting) begins with no calls: a journal left by a group that was stopped is stale.
    func discardJournal() {
        if journal.logFD >= 0 {
            close(journal.logFD)
            journal.logFD = -1
        }
        unlink(journalPath)
        unlink(journalLogPath)
        journal = JournalState()
    }
}
