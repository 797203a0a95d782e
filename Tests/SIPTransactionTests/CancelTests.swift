import Testing
import SIPCore
@testable import SIPTransaction

@Suite("CANCEL (RFC 3261 §9)")
struct CancelTests {
    @Test func serverMatchesCancelToInviteAndTUAnswers200And487() throws {
        var layer = SIPTransactionLayer()
        let (invite, inviteID) = try deliver(makeRequest(branch: "z9hG4bKc1"), into: &layer)
        _ = layer.advance(to: at(0.2))   // 100 Trying
        let cancel = makeRequest(.cancel, branch: "z9hG4bKc1")
        let (deliveredCancel, cancelID) = try deliver(cancel, into: &layer, now: at(1))
        #expect(cancelID != inviteID)
        #expect(layer.matchingInvite(forCancel: deliveredCancel) == inviteID)
        #expect(layer.matchingInvite(forCancelTransaction: cancelID) == inviteID)
        #expect(layer.isAwaitingFinalResponse(inviteID))

        let ok = SIPResponseBuilder.response(to: deliveredCancel, status: 200, toTag: "uas")
        #expect(layer.sendResponse(ok, transaction: cancelID, now: at(1)).sent == [ok])
        let terminated = SIPResponseBuilder.response(to: invite, status: 487, toTag: "uas")
        #expect(terminated.reasonPhrase == "Request Terminated")
        #expect(layer.sendResponse(terminated, transaction: inviteID, now: at(1)).sent == [terminated])
        #expect(layer.receive(makeRequest(.ack, branch: "z9hG4bKc1", toTag: "uas"), from: udpPeer,
                              now: at(1.1)).isEmpty)
    }

    @Test func cancelWithAnotherBranchMatchesNothing() throws {
        var layer = SIPTransactionLayer()
        _ = try deliver(makeRequest(branch: "z9hG4bKc1"), into: &layer)
        let (stray, _) = try deliver(makeRequest(.cancel, branch: "z9hG4bKzz"), into: &layer)
        #expect(layer.matchingInvite(forCancel: stray) == nil)   // TU answers 481
        #expect(layer.matchingInvite(forCancel: makeRequest(.options)) == nil)
    }

    @Test func rfc2543CancelMatchesByHeaders() throws {
        var layer = SIPTransactionLayer()
        let (_, inviteID) = try deliver(makeRequest(branch: ""), into: &layer)
        let (cancel, _) = try deliver(makeRequest(.cancel, branch: ""), into: &layer)
        #expect(layer.matchingInvite(forCancel: cancel) == inviteID)
    }

    @Test func clientCancelOnlyAfterProvisionalAndCopiesTheRightHeaders() throws {
        var layer = SIPTransactionLayer()
        let invite = makeOutgoing(routes: ["<sip:p1.example.com;lr>"])
        let (id, _) = try layer.sendRequest(invite, to: udpPeer, now: .zero)
        #expect(layer.makeCancel(for: id) == nil)
        #expect(!layer.hasReceivedProvisional(id))
        _ = layer.receive(makeResponse(180, to: invite), from: udpPeer, now: at(0.3))

        let cancel = try #require(layer.makeCancel(for: id))
        #expect(cancel.method == .cancel && cancel.requestURI == invite.requestURI)
        #expect(try cancel.vias() == [try #require(try invite.topVia())])
        #expect(cancel.firstValue(.to) == invite.firstValue(.to))      // no To tag from the 180
        #expect(cancel.firstValue(.from) == invite.firstValue(.from))
        #expect(try cancel.callID() == "call-1")
        #expect(try cancel.cseq() == SIPCSeq(sequence: 1, method: .cancel))
        #expect(cancel.fields(.route).map(\.value) == ["<sip:p1.example.com;lr>"])

        // The CANCEL runs as its own transaction with the same branch; responses split by method.
        let (cancelID, sent) = try layer.sendRequest(cancel, to: udpPeer, now: at(0.4))
        #expect(sent.sent == [cancel])
        let cancelOK = makeResponse(200, to: cancel)
        #expect(layer.receive(cancelOK, from: udpPeer, now: at(0.5)) == [.deliverResponse(cancelOK, transaction: cancelID)])
        let requestTerminated = makeResponse(487, to: invite)
        let actions = layer.receive(requestTerminated, from: udpPeer, now: at(0.6))
        #expect(actions.first == .deliverResponse(requestTerminated, transaction: id))
        #expect(actions.sent.map(\.method) == [.ack])
        #expect(layer.makeCancel(for: id) == nil)
    }
}
