import Wire

/// What the journal keeps between writes: the sequence number of the last line, which calls have a line (so an end is
/// written only for a call the journal knows), the head last written, and the lines since the last compaction.
struct JournalState: Sendable {
    var seq: UInt64 = 0
    var written: Set<CallID> = []
    var head: JournalHead?
    var lines = 0
}

/// The journal's write-ahead side (docs/PROTOCOL.md §2; the format is in Journal/JournalRecord.swift): a flush
/// writes a line per call changed since the last one and the head when it changed, so its cost follows the changes,
/// not the number of calls. The adapter writes the lines it is given, in one write.
extension CallCoordinator {
    /// Everything but the calls.
    var journalHead: JournalHead {
        JournalHead(accounts: accounts, nextStream: nextStream, registrations: registrations, workers: topology.pool)
    }

    /// Appends what changed since the last flush (called from the 50 ms tick, after every call event, and before a
    /// call's INVITE goes out).
    mutating func flushJournal() {
        let changed = calls.takeChanged()
        let head = journalHead
        guard !changed.isEmpty || head != journal.head else { return }
        var records: [JournalRecord] = []
        records.reserveCapacity(changed.count + 1)
        for id in changed {
            journal.seq += 1
            if let record = calls.active[id] {
                journal.written.insert(id)
                records.append(.call(seq: journal.seq, record))
            } else if journal.written.remove(id) != nil {
                records.append(.ended(seq: journal.seq, id))
            }
        }
        if head != journal.head {
            journal.seq += 1
            journal.head = head
            records.append(.head(seq: journal.seq, head))
        }
        if !records.isEmpty { emit(.journal(records)) }
        journal.lines += changed.count + 1
        if journal.lines > max(2000, 4 * journal.written.count) { compactJournal() }
    }

    /// The whole state to `state.json`; the log starts empty again.
    mutating func compactJournal() {
        let calls = calls.active.values.filter { journal.written.contains($0.id) }
        emit(.compactJournal(JournalSnapshot(seq: journal.seq, head: journal.head ?? journalHead, calls: calls)))
        journal.lines = 0
    }

    /// Takes over the previous orch's state (a restarted orch, before its components are adopted); the journal starts
    /// again from it: a fresh `state.json`, an empty log. Returns how many calls came back.
    public mutating func restore(_ contents: JournalContents, context: Context) -> (calls: Int, actions: [Action]) {
        self.context = context
        if let head = contents.head {
            accounts = head.accounts
            if !accounts.isEmpty { emit(.setSigAccounts(Array(accounts.values))) }
            nextStream = head.nextStream
            registrations = head.registrations
        }
        var count = 0
        for record in contents.calls.values where !record.isTerminated {
            calls.upsert(record)
            count += 1
        }
        _ = calls.takeChanged()
        journal.seq = contents.seq
        journal.head = journalHead
        journal.written = Set(calls.active.keys)
        compactJournal()
        return (count, takeActions())
    }
}
