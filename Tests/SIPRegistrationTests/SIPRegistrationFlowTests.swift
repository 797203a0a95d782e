import Testing
import SIPCore
import SIPDigest
@testable import SIPRegistration
import Timebase

/// Happy paths: the REGISTER on the wire, authentication, refresh timing, unregister.
@Suite struct SIPRegistrationFlowTests {
    @Test func firstRegisterHasExactHeaders() throws {
        var h = Harness()
        let evs = h.start()
        #expect(evs == [SIPRegistrationEvent(aor: Harness.aor, state: .registering)])
        #expect(h.sent.count == 1)
        let text = h.last.serialized().map { Character(Unicode.Scalar($0)) }.map(String.init).joined()
        let expected = [
            "REGISTER sip:example.com SIP/2.0",
            "Max-Forwards: 70",
            "To: <sip:alice@example.com>",
            "From: <sip:alice@example.com>;tag=\(h.machine.fromTag)",
            "Call-ID: \(h.machine.callID)",
            "CSeq: 1 REGISTER",
            "Contact: <sip:alice@192.0.2.10:5070>;expires=3600",
            "Expires: 3600",
            "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS",
            "User-Agent: sip-client",
            "Content-Length: 0",
            "", "",
        ].joined(separator: "\r\n")
        #expect(text == expected)
        #expect(!h.last.contains(.via))
        #expect(h.machine.callID.count == 32)
        #expect(h.machine.fromTag.count == 16)
    }

    @Test func outboundProxyBecomesLooseRoute() throws {
        var h = Harness(proxy: try SIPURI.parse("sip:proxy.example.net:5060"))
        h.start()
        #expect(h.last.firstValue(.route) == "<sip:proxy.example.net:5060;lr>")
        #expect(h.last.requestURI?.description == "sip:example.com")
    }

    @Test func authenticatesRegistersAndRefreshesWithIncrementedNc() throws {
        var h = Harness()
        h.start()
        #expect(!h.last.contains(.authorization))
        h.respond(401, "Unauthorized", [Harness.challenge(nonce: "n1")])
        #expect(h.sent.count == 2)
        #expect(try h.last.cseq() == SIPCSeq(sequence: 2, method: .register))
        #expect(h.last.firstValue(.callID) == h.sent[0].firstValue(.callID))
        #expect(h.last.firstValue(.from) == h.sent[0].firstValue(.from))
        #expect(try Harness.verify(h.last, nonce: "n1") == .valid(nonceCount: 1))
        #expect(h.state == .registering)

        let evs = h.respond(200, "OK", [Harness.contactGrant(3600)])
        #expect(evs == [SIPRegistrationEvent(aor: Harness.aor, state: .registered(expiresAt: Harness.seconds(3600)),
                                             statusCode: 200)])
        #expect(h.machine.nextDeadline == Harness.seconds(3570))

        #expect(h.advance(to: Harness.seconds(3569)).isEmpty)
        #expect(h.sent.count == 2)
        let refreshEvents = h.advance(to: Harness.seconds(3570))
        #expect(refreshEvents.isEmpty) // stays "registered" while refreshing
        #expect(h.sent.count == 3)
        #expect(try h.last.cseq()?.sequence == 3)
        #expect(h.last.firstValue(.callID) == h.sent[0].firstValue(.callID))
        #expect(try Harness.verify(h.last, nonce: "n1") == .valid(nonceCount: 2))
        #expect(h.machine.nextDeadline == nil)

        h.respond(200, "OK", [Harness.contactGrant(3600)])
        #expect(h.state == .registered(expiresAt: Harness.seconds(3570 + 3600)))
        #expect(h.machine.nextDeadline == Harness.seconds(3570 + 3570))
        h.advance(to: Harness.seconds(3570 + 3570))
        #expect(try Harness.verify(h.last, nonce: "n1") == .valid(nonceCount: 3))
        #expect(try h.last.cseq()?.sequence == 4)
    }

    @Test(arguments: [(UInt32(3600), Int64(3570)), (60, 30), (10, 5), (1, 0)])
    func refreshTime(granted: UInt32, refreshAfter: Int64) {
        var h = Harness()
        h.start()
        h.respond(200, "OK", [Harness.contactGrant(granted)])
        #expect(h.state == .registered(expiresAt: Harness.seconds(Int64(granted))))
        if granted == 1 {
            #expect(h.machine.nextDeadline == MonotonicTime(nanoseconds: 500_000_000))
        } else {
            #expect(h.machine.nextDeadline == Harness.seconds(refreshAfter))
        }
    }

    @Test func grantComesFromOurContactThenExpiresHeaderThenRequest() {
        var a = Harness()
        a.start()
        a.respond(200, "OK", [SIPHeaderField(.contact, "<sip:alice@198.51.100.7:5060>;expires=100, <sip:alice@192.0.2.10:5070>;expires=600"),
                              SIPHeaderField(.expires, "900")])
        #expect(a.state == .registered(expiresAt: Harness.seconds(600)))

        var b = Harness()
        b.start()
        b.respond(200, "OK", [SIPHeaderField(.contact, "<sip:alice@198.51.100.7:5060>;expires=100"),
                              SIPHeaderField(.expires, "900")])
        #expect(b.state == .registered(expiresAt: Harness.seconds(900)))

        var c = Harness(expires: 1800)
        c.start()
        c.respond(200, "OK")
        #expect(c.state == .registered(expiresAt: Harness.seconds(1800)))
    }

    @Test func unregisterSendsExpiresZeroAndEndsUnregistered() throws {
        var h = Harness()
        h.start()
        h.respond(401, "Unauthorized", [Harness.challenge(nonce: "n1")])
        h.respond(200, "OK", [Harness.contactGrant(3600)])
        h.now = Harness.seconds(100)
        let evs = h.stop()
        #expect(evs.map(\.state) == [.unregistering])
        #expect(h.last.firstValue(.expires) == "0")
        #expect(h.last.firstValue(.contact) == "<sip:alice@192.0.2.10:5070>;expires=0")
        #expect(try h.last.cseq()?.sequence == 3)
        #expect(try Harness.verify(h.last, nonce: "n1") == .valid(nonceCount: 2))
        #expect(h.machine.nextDeadline == nil)
        let done = h.respond(200, "OK")
        #expect(done == [SIPRegistrationEvent(aor: Harness.aor, state: .unregistered, statusCode: 200)])
        #expect(h.machine.nextDeadline == nil)
        #expect(h.advance(to: Harness.seconds(10_000)).isEmpty)
        #expect(h.sent.count == 3)
    }

    @Test func unregisterAnswersChallengeAndEndsOnFailureOrTimeout() throws {
        var h = Harness()
        h.start()
        h.respond(200, "OK", [Harness.contactGrant(3600)])
        h.stop()
        h.respond(401, "Unauthorized", [Harness.challenge(nonce: "u1")])
        #expect(h.state == .unregistering)
        #expect(h.last.firstValue(.expires) == "0")
        #expect(try Harness.verify(h.last, nonce: "u1") == .valid(nonceCount: 1))
        h.timeout()
        #expect(h.state == .unregistered)
        #expect(h.events.last?.statusCode == 408)

        var f = Harness()
        f.start()
        f.respond(200, "OK", [Harness.contactGrant(3600)])
        f.stop()
        f.respond(500, "Server Error")
        #expect(f.state == .unregistered)
        #expect(f.events.last?.reason == "500 Server Error")
    }

    @Test func stopWithoutBindingSendsNothing() {
        var h = Harness()
        h.stop()
        #expect(h.sent.isEmpty && h.events.isEmpty)
        h.start()
        h.respond(403, "Forbidden")
        let evs = h.stop()
        #expect(evs.map(\.state) == [.unregistered])
        #expect(h.sent.count == 1)
        #expect(h.machine.nextDeadline == nil)
    }

    @Test func stopWhileRegisteringUnregistersAndIgnoresTheOldAnswer() throws {
        var h = Harness()
        h.start()
        let first = h.last
        h.stop()
        #expect(h.state == .unregistering)
        #expect(try h.last.cseq()?.sequence == 2)
        #expect(h.record(h.machine.handleResponse(Harness.reply(to: first, 200, "OK"), now: h.now)).isEmpty)
        #expect(h.state == .unregistering)
    }

    @Test func startIsIdempotentAndRestartsAfterStop() throws {
        var h = Harness()
        h.start()
        #expect(h.start().isEmpty)
        #expect(h.sent.count == 1)
        h.respond(200, "OK")
        #expect(h.start().isEmpty)
        h.stop()
        h.respond(200, "OK")
        h.start()
        #expect(h.state == .registering)
        #expect(try h.last.cseq()?.sequence == 3)
        #expect(h.last.firstValue(.callID) == h.sent[0].firstValue(.callID))
    }
}
