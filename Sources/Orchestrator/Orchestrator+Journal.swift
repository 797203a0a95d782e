import Foundation
import Logging
import Timebase
import Wire
#if canImport(Glibc)
import Glibc
#endif

/// The journal's files (the format is in Journal/JournalRecord.swift): `state.log`, appended to with one `write` per
/// flush, and `state.json`, replaced whole (temp file + rename) by a compaction, which then empties the log.
struct JournalFile: Sendable {
    let statePath: String
    let logPath: String
    private var logFD: Int32 = -1

    init(directory: String) {
        statePath = directory + "/state.json"
        logPath = directory + "/state.log"
    }

    static let writeFailed = "cannot write the orch journal; an orch restart would lose the calls' state"

    mutating func append(_ records: [JournalRecord], logger: Logger) {
        let text = records.map(\.line).joined()
        guard !text.isEmpty else { return }
        if logFD < 0 { logFD = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600) }
        let fd = logFD
        let ok = text.withCString { ptr -> Bool in
            let length = strlen(ptr)
            return Glibc.write(fd, ptr, length) == length
        }
        if !ok { logger.error("\(Self.writeFailed)", metadata: ["path": "\(logPath)"]) }
    }

    mutating func compact(_ snapshot: JournalSnapshot, logger: Logger) {
        let temporary = statePath + ".tmp"
        do {
            try Data(snapshot.text.utf8).write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, statePath) == 0 else { throw CocoaError(.fileWriteUnknown) }
            if logFD >= 0 { _ = ftruncate(logFD, 0) }
        } catch {
            logger.error("\(Self.writeFailed)", metadata: ["path": "\(statePath)", "error": "\(error)"])
        }
    }

    /// What the files hold (nil: absent).
    func read() -> (state: [UInt8]?, log: [UInt8]?) {
        (FileManager.default.contents(atPath: statePath).map { [UInt8]($0) }, FileManager.default.contents(atPath: logPath).map { [UInt8]($0) })
    }

    /// A fresh start (not adopting) begins with no calls: a journal left by a group that was stopped is stale.
    mutating func discard() {
        if logFD >= 0 {
            close(logFD)
            logFD = -1
        }
        unlink(statePath)
        unlink(logPath)
    }
}

extension Orchestrator {
    /// Takes over the previous orch's state; returns how many calls came back. A missing or unreadable journal
    /// leaves orch empty (and says so): the components still carry their calls.
    func loadJournal() -> Int {
        let files = journal.read()
        let contents: JournalContents
        do {
            contents = try JournalContents.read(state: files.state, log: files.log)
        } catch {
            logger.error("the orch journal is unreadable; starting without the previous orch's calls", metadata: ["path": "\(journal.statePath)"])
            return 0
        }
        if contents.tornLines > 0 {
            logger.warning("skipped torn lines of the orch journal (a crash while writing)", metadata: ["lines": "\(contents.tornLines)"])
        }
        if let head = contents.head { core.restoreWorkers(head.workers, now: MonotonicClock.now()) }
        let (count, actions) = coordinator.restore(contents, context: coordinationContext())
        actions.forEach(perform)
        return count
    }
}
