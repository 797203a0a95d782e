import Testing
import SIPCore
@testable import SIPTransaction

@Suite("Response builder, branches, timer settings")
struct MessageHelperTests {
    @Test func responseCopiesViasInOrderAndAddsToTag() throws {
        let request = makeRequest(via: "SIP/2.0/UDP a.example.com",
                                  extraVias: ["SIP/2.0/UDP b.example.com;branch=z9hG4bKb, SIP/2.0/UDP c.example.com;branch=z9hG4bKc"])
        let r = SIPResponseBuilder.response(to: request, status: 486, toTag: "xyz")
        #expect(r.statusCode == 486 && r.reasonPhrase == "Busy Here")
        #expect(r.fields(.via) == request.fields(.via))
        #expect(try r.vias().map(\.host) == ["a.example.com", "b.example.com", "c.example.com"])
        #expect(r.firstValue(.from) == request.firstValue(.from))
        #expect(try r.to()?.tag == "xyz")
        #expect(try r.callID() == "call-1" && r.cseq() == SIPCSeq(sequence: 1, method: .invite))
        #expect(r.firstValue(.contentLength) == "0")
        #expect(!r.contains(.contact))
        let wire = SIPSerializer().serializeToString(r)
        #expect(wire.hasPrefix("SIP/2.0 486 Busy Here\r\n"))
        #expect(try SIPMessageParser().parseDatagram(r.serialized()) == r)
    }

    @Test func toTagRules() throws {
        var request = makeRequest(toTag: "existing")
        #expect(try SIPResponseBuilder.response(to: request, status: 200, toTag: "new").to()?.tag == "existing")
        request = makeRequest()
        request.append("Timestamp", "54.2")
        let trying = SIPResponseBuilder.response(to: request, status: 100, toTag: "new")
        #expect(try trying.to()?.tag == nil)
        #expect(trying.firstValue("Timestamp") == "54.2")
        #expect(SIPResponseBuilder.response(to: request, status: 180, toTag: "t").firstValue("Timestamp") == nil)
        #expect(SIPResponseBuilder.response(to: request, status: 404, reason: "Nobody Here", toTag: nil)
                .reasonPhrase == "Nobody Here")
    }

    @Test func reasonPhrases() {
        #expect(SIPReasonPhrase.standard(for: 180) == "Ringing")
        #expect(SIPReasonPhrase.standard(for: 481) == "Call/Transaction Does Not Exist")
        #expect(SIPReasonPhrase.standard(for: 503) == "Service Unavailable")
        #expect(SIPReasonPhrase.standard(for: 499) == "Client Error")
    }

    @Test func branchesHaveTheCookieAndAreReproducibleWithASeed() throws {
        var a = SIPSplitMix64(seed: 42), b = SIPSplitMix64(seed: 42)
        let x = SIPBranch.make(using: &a), y = SIPBranch.make(using: &b)
        #expect(x == y && x.hasPrefix("z9hG4bK") && x.count == 27)
        #expect(SIPBranch.make(using: &a) != x)
        let live = SIPBranch.make()
        #expect(live.hasPrefix(SIPVia.magicCookie) && live != SIPBranch.make())
        let via = try SIPVia.parse("SIP/2.0/UDP h;branch=" + live)
        #expect(via.hasMagicCookie)
    }

    @Test func timerSettingsDeriveTheRest() {
        let t = SIPTimerSettings(t1: .milliseconds(200), t2: .seconds(2), t4: .seconds(3))
        #expect(t.timerB == .milliseconds(12_800) && t.timerF == t.timerB && t.timerH == t.timerB)
        #expect(t.timerJ(reliable: false) == .milliseconds(12_800) && t.timerJ(reliable: true) == .zero)
        #expect(t.timerD(reliable: false) == .seconds(32) && t.timerD(reliable: true) == .zero)
        #expect(t.timerI(reliable: false) == .seconds(3) && t.timerK(reliable: true) == .zero)
        #expect(SIPTimerSettings(transactionTimeoutOverride: .seconds(10)).timerB == .seconds(10))
        // Nonsense values are clamped so retransmission loops always progress.
        let z = SIPTimerSettings(t1: .zero, t2: .zero)
        #expect(z.t1 == .milliseconds(1) && z.t2 == z.t1)
    }

    @Test func customT1ScalesTheSchedule() throws {
        var layer = SIPTransactionLayer(configuration: .init(timers: .init(t1: .milliseconds(100), t2: .milliseconds(400))))
        _ = try layer.sendRequest(makeOutgoing(.options), to: udpPeer, now: .zero)
        let timeline = runTimers(&layer, until: at(100))
        #expect(Array(timeline.sendTimes.prefix(6)) == [0.1, 0.3, 0.7, 1.1, 1.5, 1.9])
        #expect(timeline.last?.time == at(6.4))
    }
}
