import Testing
import SIPCore
@testable import SIPTransaction

@Suite("Transaction layer: matching, merged requests, limits, stray and foreign responses")
struct TransactionLayerTests {
    @Test func mergedRequestIsAnswered482ByTheLayer() throws {
        var layer = SIPTransactionLayer(seed: 1)
        let (_, first) = try deliver(makeRequest(branch: "z9hG4bKpathA"), into: &layer)
        let forked = makeRequest(branch: "z9hG4bKpathB",
                                 via: "SIP/2.0/UDP 192.0.2.10:5060")
        let actions = layer.receive(forked, from: udpPeer, now: at(0.05))
        #expect(actions.count == 1)
        let loop = try #require(actions.first?.sentMessage)
        #expect(loop.statusCode == 482 && loop.reasonPhrase == "Loop Detected")
        #expect(try loop.to()?.tag != nil)
        #expect(try loop.topVia()?.branch == "z9hG4bKpathB")
        #expect(layer.rejectedAsMerged == 1)
        // Its retransmission gets the same 482 from the layer's own transaction.
        #expect(layer.receive(forked, from: udpPeer, now: at(0.5)).sent == [loop])
        #expect(layer.isAwaitingFinalResponse(first))
        // A request with a To tag is in-dialog: never merged.
        let inDialog = makeRequest(branch: "z9hG4bKpathC", toTag: "d")
        #expect(layer.receive(inDialog, from: udpPeer, now: at(0.6)).deliveredRequests.count == 1)
        // The layer's 482 transaction ends silently (no action for an ID the TU never saw).
        let rest = runTimers(&layer, until: at(100)).actions
        #expect(!rest.contains { $0.isTerminated || $0 == .ackTimeout(SIPServerTransactionID(rawValue: 2)) })
        #expect(rest.sent.contains(loop))   // timer G kept resending it until H
        #expect(layer.count == 2)
    }

    @Test func limitAnswers503WithRetryAfter() throws {
        var layer = SIPTransactionLayer(configuration: .init(maxTransactions: 2, retryAfterSeconds: 7), seed: 2)
        _ = try deliver(makeRequest(.options, branch: "z9hG4bK1"), into: &layer)
        _ = try layer.sendRequest(makeOutgoing(.register), to: udpPeer, now: .zero)
        #expect(layer.count == 2)
        let third = makeRequest(.options, branch: "z9hG4bK3", callID: "c3")
        let actions = layer.receive(third, from: udpPeer, now: at(1))
        #expect(actions.count == 1)
        let busy = try #require(actions.first?.sentMessage)
        #expect(actions.first?.sentTo == udpPeer)
        #expect(busy.statusCode == 503 && busy.firstValue("Retry-After") == "7")
        #expect(try busy.to()?.tag != nil)
        #expect(layer.rejectedForLimit == 1 && layer.count == 2)
        // ACK never creates a transaction, so it is never refused.
        let ack = makeRequest(.ack, branch: "z9hG4bKa", toTag: "x")
        #expect(layer.receive(ack, from: udpPeer, now: at(1)).count == 1)
        #expect(layer.rejectedForLimit == 1)
        // Retransmissions of existing transactions still match.
        #expect(layer.receive(makeRequest(.options, branch: "z9hG4bK1"), from: udpPeer, now: at(1)).isEmpty)
    }

    @Test func strayTwoHundredIsDeliveredOthersDropped() {
        var layer = SIPTransactionLayer()
        let invite = makeOutgoing(branch: "z9hG4bKgone")
        let ok = makeResponse(200, to: invite)
        #expect(layer.receive(ok, from: udpPeer, now: .zero) == [.deliverStrayResponse(ok, from: udpPeer)])
        #expect(layer.receive(makeResponse(180, to: invite), from: udpPeer, now: .zero).isEmpty)
        #expect(layer.receive(makeResponse(200, to: makeOutgoing(.bye)), from: udpPeer, now: .zero).isEmpty)
        #expect(layer.discarded == 2)
    }

    @Test func responsesWithForeignSentByAreDiscarded() throws {
        let ours = SIPSentBy(host: "192.0.2.1", port: nil)
        var layer = SIPTransactionLayer(configuration: .init(localSentBy: [ours]))
        let invite = makeOutgoing()
        let (id, _) = try layer.sendRequest(invite, to: udpPeer, now: .zero)
        var foreign = makeResponse(180, to: invite)
        foreign.set(.via, "SIP/2.0/UDP 203.0.113.9:5060;branch=z9hG4bKout1")
        #expect(layer.receive(foreign, from: udpPeer, now: at(0.1)).isEmpty)
        #expect(layer.discarded == 1)
        // Our own sent-by (port 5060 written or implied) matches.
        let ringing = makeResponse(180, to: invite)
        #expect(layer.receive(ringing, from: udpPeer, now: at(0.2)) == [.deliverResponse(ringing, transaction: id)])
        #expect(SIPSentBy(host: "[2001:DB8::1]", port: 5060) == SIPSentBy(host: "2001:db8::1", port: nil))
    }

    @Test func sentByIsPartOfTheServerKey() throws {
        var layer = SIPTransactionLayer()
        _ = try deliver(makeRequest(.options, branch: "z9hG4bKsame", via: "SIP/2.0/UDP 192.0.2.10:5060"), into: &layer)
        // Same branch from another sender: a different transaction.
        let other = makeRequest(.options, branch: "z9hG4bKsame", via: "SIP/2.0/UDP 192.0.2.99:5060", callID: "c2")
        #expect(layer.receive(other, from: udpPeer, now: .zero).deliveredRequests.count == 1)
        #expect(layer.count == 2)
    }

    @Test func rfc2543RequestsMatchByHeaders() throws {
        var layer = SIPTransactionLayer()
        let legacyVia = "SIP/2.0/UDP 192.0.2.10:5060"
        let invite = makeRequest(branch: "", via: legacyVia)
        let (request, id) = try deliver(invite, into: &layer)
        // Retransmission: matched without a branch.
        #expect(layer.receive(invite, from: udpPeer, now: at(0.1)).sent.map(\.statusCode) == [100])
        let busy = SIPResponseBuilder.response(to: request, status: 486, toTag: "uas")
        _ = layer.sendResponse(busy, transaction: id, now: at(0.2))
        // An ACK with another To tag is not ours: it goes up.
        let wrong = makeRequest(.ack, branch: "", via: legacyVia, toTag: "other")
        #expect(layer.receive(wrong, from: udpPeer, now: at(0.3)).count == 1)
        // The ACK echoing our response's To tag completes the transaction.
        let ack = makeRequest(.ack, branch: "", via: legacyVia, toTag: "uas")
        #expect(layer.receive(ack, from: udpPeer, now: at(0.4)).isEmpty)
        let end = runTimers(&layer, until: at(100))
        #expect(end.map(\.time) == [at(5.4)] && end.actions == [.terminated(.server(id))])
    }
}
