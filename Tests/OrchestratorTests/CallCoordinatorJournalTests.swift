import Foundation
import Testing
import Timebase
import Wire
@testable import Orchestrator

/// The journal's write-ahead side: a flush writes a line per changed call and the head when it changed, an end is
/// written for a call the journal knows, and what was written reads back into a restarted orch's coordinator.
@Suite struct CallCoordinatorJournalTests {
    typealias H = CoordinatorHarness

    @Test func aFlushWritesTheChangedCallsAndTheHeadOnlyWhenTheyChanged() throws {
        var h = H()
        h.connectCall("c1")
        // The call was written before its INVITE went out (with the head, the first time) and as its events came.
        let written = h.performed.journal
        #expect(written.first.map { if case .call(_, let c) = $0 { c.id == "c1" && c.state == .dialing } else { false } } == true)
        #expect(written.contains { if case .head(_, let head) = $0 { head.workers == ["rtp-1", "rtp-2"] } else { false } })
        #expect(written.contains { if case .call(_, let c) = $0 { c.state == .connected } else { false } })
        #expect(h.advance(.milliseconds(50)).journal.isEmpty)  // nothing changed since

        var stats = MediaStats(call: "c1", localPort: 20000, rtpState: RTPStreamState(ssrc: 1, sequence: 2, timestamp: 3, atNanoseconds: 4))
        stats.codec = .pcmu
        let changed = h.event(MediaStatsEvent(stats), from: "rtp-1").journal  // not a call.* event: written at the tick
        #expect(changed.isEmpty)
        let tick = h.advance(.milliseconds(50)).journal
        guard case .call(let seq, let record)? = tick.first, tick.count == 1 else {
            Issue.record("expected one call line, got \(tick)")
            return
        }
        #expect(record.rtpState?.ssrc == 1)
        #expect(tick[0].line.hasPrefix("{\"seq\":\(seq),\"call\":{") && tick[0].line.hasSuffix("}\n"))

        let ended = h.event(CallStateEvent(call: "c1", state: .terminated, direction: .outgoing, normal: true)).journal
        #expect(ended.map(\.line).contains("{\"seq\":\(seq + 1),\"ended\":\"c1\"}\n"))
    }

    @Test func whatWasWrittenReadsBackIntoARestartedCoordinator() throws {
        var h = H()
        _ = h.client(OrchAPI.Register(AccountArgs(aor: "sip:alice@pbx", password: "pw")))
        h.connectCall("c1")
        h.connectCall("c2", port: 20002)
        _ = h.advance(.milliseconds(50))
        _ = h.event(CallStateEvent(call: "c2", state: .terminated, direction: .outgoing, normal: true))
        _ = h.advance(.milliseconds(50))
        // Everything the coordinator wrote since it started, as the adapter appended it.
        let log = h.performed.journal.map(\.line).joined()
        let earlier = h.coordinator.calls.active["c1"]
        let all = try #require(try? JournalContents.read(state: nil, log: Array(log.utf8)))
        #expect(all.calls.keys.sorted() == ["c1"])
        #expect(all.calls["c1"] == earlier)
        #expect(all.head?.accounts["sip:alice@pbx"]?.password == "pw")

        var restarted = H()
        let (count, restored) = restarted.coordinator.restore(all, context: restarted.context)
        #expect(count == 1)
        #expect(restored.contains { if case .setSigAccounts(let a) = $0 { a.map(\.aor) == ["sip:alice@pbx"] } else { false } })
        let snapshot = try #require(restored.lazy.compactMap { if case .compactJournal(let s) = $0 { s } else { nil } }.first)
        #expect(snapshot.seq == all.seq && snapshot.calls == [earlier!])
        // The snapshot document reads back the same, and a torn last line is skipped.
        let again = try JournalContents.read(state: Array(snapshot.text.utf8), log: Array("{\"seq\":99,\"ca".utf8))
        #expect(again.calls == all.calls && again.tornLines == 1 && again.seq == snapshot.seq)
        #expect(restarted.coordinator.calls.active["c1"]?.worker == earlier?.worker)
    }

    @Test func aJournalOfAnotherVersionIsRefused() {
        #expect(throws: JournalContents.ReadError.unreadable) {
            try JournalContents.read(state: Array("{\"v\":1,\"seq\":3,\"calls\":[]}".utf8), log: nil)
        }
    }
}
