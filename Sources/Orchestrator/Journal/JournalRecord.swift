import Foundation
import Wire

/// orch's durable journal (docs/PROTOCOL.md §2): what it owns (accounts, calls, registrations, stream ids, the worker
/// pool), so an orch restarted by the keeper takes the group over with its calls (the components keep them up).
///
/// A write-ahead log: every change appends one line to `state.log` (`{"seq":N,"call":{...}}`, `{"seq":N,"ended":ID}` or
/// `{"seq":N,"head":{...}}`), one `write` per flush, so the cost of a change does not grow with the number of calls.
/// Now and then the whole state is written to `state.json` (`{"v":2,"seq":N,"head":{...},"calls":[...]}`, temp file +
/// rename) and the log is emptied; a reader takes `state.json` and then the log's lines with a larger `seq` (a crash
/// between the rename and the truncation replays nothing twice). A torn last line (a crash mid-write) is skipped.
///
/// The coordinator decides what to write (these values); the adapter writes the bytes (`JournalFile`).
public enum Journal {
    public static let version = 2
}

/// Everything of the journal but the calls.
public struct JournalHead: WireObject, Hashable {
    /// The accounts added with `register`, by AOR.
    public var accounts: [String: AccountArgs]
    /// The last PCM stream id handed out (ids are never reused while the instance runs).
    public var nextStream: UInt32
    /// The last `registration.state` of every account, by AOR.
    public var registrations: [String: RegistrationStateEvent]
    /// The media workers of the pool (not standby, not external): workers added at runtime come back.
    public var workers: [String]

    public init(accounts: [String: AccountArgs] = [:], nextStream: UInt32 = 0, registrations: [String: RegistrationStateEvent] = [:],
                workers: [String] = []) {
        self.accounts = accounts
        self.nextStream = nextStream
        self.registrations = registrations
        self.workers = workers
    }

    /// Lenient like every journal read: a part that does not fit is left empty rather than losing the rest.
    public init(from r: WireReader) throws(WireError) {
        accounts = (try? r.optional("accounts")) ?? [:]
        nextStream = (try? r.optional("next_stream")) ?? 0
        registrations = (try? r.optional("registrations")) ?? [:]
        workers = (try? r.optional("workers")) ?? []
    }

    public func write(to w: inout WireWriter) {
        w("accounts", accounts)
        w("next_stream", nextStream)
        w("registrations", registrations)
        w("workers", workers)
    }
}

/// One line of `state.log`. The framing puts `seq` first, as the journal always has (the reader does not mind).
public enum JournalRecord: Sendable, Equatable {
    case call(seq: UInt64, CallRecord)
    case ended(seq: UInt64, CallID)
    case head(seq: UInt64, JournalHead)

    public var seq: UInt64 {
        switch self {
        case .call(let seq, _), .ended(let seq, _), .head(let seq, _): seq
        }
    }

    /// The line as written, with its newline.
    public var line: String {
        switch self {
        case .call(let seq, let record): "{\"seq\":\(seq),\"call\":\(record.wire.encodedString())}\n"
        case .ended(let seq, let id): "{\"seq\":\(seq),\"ended\":\(id.wire.encodedString())}\n"
        case .head(let seq, let head): "{\"seq\":\(seq),\"head\":\(head.wire.encodedString())}\n"
        }
    }

    /// A line as read back; nil for a torn or foreign line.
    public init?(line: some Collection<UInt8>) {
        guard case .object(let object)? = try? JSONValue.decode(line) else { return nil }
        let r = WireReader(object)
        guard let seq: UInt64 = try? r("seq") else { return nil }
        if let record: CallRecord = try? r("call") {
            self = .call(seq: seq, record)
        } else if let id: CallID = try? r("ended") {
            self = .ended(seq: seq, id)
        } else if let head: JournalHead = try? r("head") {
            self = .head(seq: seq, head)
        } else {
            return nil
        }
    }
}

/// `state.json`: the whole state at `seq`.
public struct JournalSnapshot: Sendable, Equatable {
    public var seq: UInt64
    public var head: JournalHead
    public var calls: [CallRecord]

    public init(seq: UInt64, head: JournalHead, calls: [CallRecord]) {
        self.seq = seq
        self.head = head
        self.calls = calls
    }

    /// The document as written (`v` and `seq` first, as the journal always has).
    public var text: String {
        "{\"v\":\(Journal.version),\"seq\":\(seq),\"head\":\(head.wire.encodedString()),\"calls\":["
            + calls.map { $0.wire.encodedString() }.joined(separator: ",") + "]}"
    }
}

/// What a restarted orch reads back: the calls and head of `state.json` with the newer lines of `state.log` applied.
public struct JournalContents: Sendable, Equatable {
    public var seq: UInt64 = 0
    public var head: JournalHead?
    public var calls: [CallID: CallRecord] = [:]
    /// Lines that could not be read (a crash while writing).
    public var tornLines = 0

    public init() {}

    public enum ReadError: Error, Equatable {
        /// `state.json` is not a journal of this version.
        case unreadable
    }

    /// Reads the two files' bytes (nil: the file is absent).
    public static func read(state: [UInt8]?, log: [UInt8]?) throws(ReadError) -> JournalContents {
        var contents = JournalContents()
        var baseSeq: UInt64 = 0
        if let state {
            guard case .object(let object)? = try? JSONValue.decode(state), let document = try? Document(json: object),
                  document.version == Journal.version else { throw .unreadable }
            baseSeq = document.seq
            contents.head = document.head
            for record in document.calls { contents.calls[record.id] = record }
        }
        contents.seq = baseSeq
        for line in (log ?? []).split(separator: UInt8(ascii: "\n")) {
            guard let record = JournalRecord(line: line) else {
                contents.tornLines += 1
                continue
            }
            guard record.seq > baseSeq else { continue }
            contents.seq = max(contents.seq, record.seq)
            switch record {
            case .call(_, let call): contents.calls[call.id] = call
            case .ended(_, let id): contents.calls[id] = nil
            case .head(_, let head): contents.head = head
            }
        }
        return contents
    }

    /// `state.json` as read: the calls that do not fit are skipped (as the log's torn lines are).
    private struct Document: WireObject {
        var version: Int
        var seq: UInt64
        var head: JournalHead?
        var calls: [CallRecord]

        init(from r: WireReader) throws(WireError) {
            version = try r("v")
            seq = (try? r.optional("seq")) ?? 0
            head = try? r.optional("head")
            let entries: [JSONValue] = (try? r.optional("calls")) ?? []
            calls = entries.compactMap { try? CallRecord(wire: $0, at: WirePath()) }
        }

        func write(to w: inout WireWriter) {
            w("v", version)
            w("seq", seq)
            w("head", head)
            w("calls", calls)
        }
    }
}
