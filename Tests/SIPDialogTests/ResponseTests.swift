import Testing
import SIPCore
@testable import SIPDialog

@Suite("Responses to requests sent in a dialog (RFC 3261 §12.2.1.2)")
struct ResponseTests {
    @Test func reinvite2xxRefreshesRemoteTarget() throws {
        var d = try Wire.aliceDialog(recordRoute: ["<sip:p1.example.com;lr>"])
        let reinvite = try d.makeRequest(method: .invite)
        let seq = try #require(try reinvite.message.cseq()?.sequence)
        let ok = try Wire.response(200, recordRoute: ["<sip:other.example.com;lr>"], contact: "sip:bob@192.0.2.77",
                                   cseq: "\(seq) INVITE")
        #expect(try d.receiveResponse(ok) == .targetRefreshed)
        #expect(d.remoteTarget.description == "sip:bob@192.0.2.77")
        // The route set is fixed once confirmed (§12.2.1.2).
        #expect(d.routeSet.map(\.host) == ["p1.example.com"])
        #expect(try d.makeRequest(method: .bye).message.requestURI?.description == "sip:bob@192.0.2.77")
    }

    @Test func non2xxToReinviteKeepsDialog() throws {
        var d = try Wire.aliceDialog()
        let seq = try #require(try d.makeRequest(method: .invite).message.cseq()?.sequence)
        #expect(try d.receiveResponse(Wire.response(488, reason: "Not Acceptable Here", cseq: "\(seq) INVITE")) == [])
        #expect(d.state == .confirmed)
        #expect(d.remoteTarget.description == "sip:bob@192.0.2.4")
    }

    @Test(arguments: [481, 408])
    func fatalResponsesTerminate(code: Int) throws {
        var d = try Wire.aliceDialog()
        let seq = try #require(try d.makeRequest(method: .info).message.cseq()?.sequence)
        #expect(try d.receiveResponse(Wire.response(code, reason: "x", cseq: "\(seq) INFO")) == .terminated)
        #expect(d.state == .terminated)
    }

    @Test func cancel481DoesNotTerminate() throws {
        var d = try Wire.aliceDialog()
        #expect(try d.receiveResponse(Wire.response(481, reason: "x", cseq: "\(Wire.inviteCSeq) CANCEL")) == [])
        #expect(d.state == .confirmed)
    }

    @Test func byeResponseTerminates() throws {
        var d = try Wire.aliceDialog()
        let seq = try #require(try d.makeRequest(method: .bye).message.cseq()?.sequence)
        #expect(try d.receiveResponse(Wire.response(200, cseq: "\(seq) BYE")) == .terminated)
    }

    @Test func foreignResponseThrowsAndLeavesDialogAlone() throws {
        var d = try Wire.aliceDialog()
        let before = d
        #expect(throws: SIPDialogError(.dialogMismatch)) { try d.receiveResponse(Wire.response(200, toTag: "zzz")) }
        #expect(d == before)
    }
}
