import SIPCore
import Testing
@testable import SIPDialog

/// A dialog carried over a restart of the SIP process: snapshot, then rebuild, then in-dialog requests both ways.
@Suite struct SnapshotTests {
    @Test func aRestoredDialogBuildsTheSameInDialogRequestsWithAHigherCSeq() throws {
        var original = try Wire.aliceDialog(recordRoute: ["<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"])
        let snapshot = original.snapshot
        var restored = try SIPDialog(restoring: snapshot)
        #expect(restored.id == original.id && restored.role == original.role && restored.state == .confirmed)
        #expect(restored.routeSet == original.routeSet && restored.remoteTarget == original.remoteTarget)
        #expect(restored.localAddress == original.localAddress && restored.remoteAddress == original.remoteAddress)
        let before = try original.makeRequest(method: .bye)
        let after = try restored.makeRequest(method: .bye)
        #expect(after.message.requestURI == before.message.requestURI && after.nextHop == before.nextHop)
        #expect(try Wire.routeValues(after.message) == Wire.routeValues(before.message))
        for header in ["Call-ID", "From", "To"] { #expect(after.message.firstValue(SIPHeaderName(header)) == before.message.firstValue(SIPHeaderName(header))) }
        let cseqBefore = try #require(before.message.firstValue("CSeq")), cseqAfter = try #require(after.message.firstValue("CSeq"))
        let n = { (s: String) in UInt32(s.split(separator: " ")[0])! }
        #expect(n(cseqAfter) == n(cseqBefore) + 100, "requests the dead process may have sent are never reused")
    }

    @Test func theRestoredDialogStillChecksThePeersCSeq() throws {
        var original = try Wire.aliceDialog()
        _ = original.receiveRequest(try Wire.fromBob("INFO", cseq: 10))
        var restored = try SIPDialog(restoring: original.snapshot)
        if case .accept = restored.receiveRequest(try Wire.fromBob("BYE", cseq: 11)) {} else { Issue.record("the peer's next request is in order") }
        var again = try SIPDialog(restoring: original.snapshot)
        if case .accept = again.receiveRequest(try Wire.fromBob("BYE", cseq: 9)) { Issue.record("an old CSeq must be refused") }
    }

    @Test func aCorruptSnapshotIsATypedError() throws {
        var s = try Wire.aliceDialog().snapshot
        s.remoteTarget = "not a uri"
        #expect(throws: SIPParseError.self) { try SIPDialog(restoring: s) }
    }
}
