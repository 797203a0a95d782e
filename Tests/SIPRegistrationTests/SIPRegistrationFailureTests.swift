import Testing
import SIPCore
import SIPDigest
@testable import SIPRegistration
import Timebase

/// Everything that is not a plain 200: challenges gone wrong, 423, backoff, stale answers.
@Suite struct SIPRegistrationFailureTests {
    static func failedState(_ h: Harness) -> (reason: String, retryAt: MonotonicTime)? {
        if case .failed(let r, let t) = h.state { return (r, t) }
        return nil
    }

    @Test func wrongPasswordFailsWithClearReason() throws {
        var h = Harness(password: "wrong")
        h.start()
        h.respond(401, "Unauthorized", [Harness.challenge(nonce: "n1")])
        #expect(try Harness.verify(h.last, nonce: "n1") == .wrongResponse)
        let evs = h.respond(401, "Unauthorized", [Harness.challenge(nonce: "n1")])
        #expect(evs.count == 1)
        #expect(evs.first?.statusCode == 401)
        #expect(evs.first?.reason == "401 after credentials: wrong password?")
        let f = try #require(Self.failedState(h))
        #expect(f.reason == "401 after credentials: wrong password?")
        #expect(f.retryAt >= Harness.seconds(15) && f.retryAt <= Harness.seconds(30))
        #expect(h.sent.count == 2)
    }

    @Test func wrongPasswordWithFreshNonceEachTimeStillFails() throws {
        var h = Harness(password: "wrong")
        h.start()
        h.respond(401, "Unauthorized", [Harness.challenge(nonce: "n1")])
        h.respond(401, "Unauthorized", [Harness.challenge(nonce: "n2")])
        #expect(Self.failedState(h)?.reason == "401 after credentials: wrong password?")
    }

    @Test func proxyChallengePath() throws {
        var ok = Harness()
        ok.start()
        ok.respond(407, "Proxy Authentication Required", [Harness.challenge(nonce: "p1", proxy: true)])
        #expect(!ok.last.contains(.authorization))
        #expect(try Harness.verify(ok.last, nonce: "p1", proxy: true) == .valid(nonceCount: 1))
        ok.respond(200, "OK")
        #expect(ok.state == .registered(expiresAt: Harness.seconds(3600)))

        var bad = Harness(password: "nope")
        bad.start()
        bad.respond(407, "Proxy Authentication Required", [Harness.challenge(nonce: "p1", proxy: true)])
        bad.respond(407, "Proxy Authentication Required", [Harness.challenge(nonce: "p1", proxy: true)])
        #expect(Self.failedState(bad)?.reason == "407 after credentials: wrong password?")
    }

    @Test func staleChallengeIsRetriedWithoutFailing() throws {
        var h = Harness()
        h.start()
        h.respond(401, "Unauthorized", [Harness.challenge(nonce: "n1")])
        h.respond(200, "OK", [Harness.contactGrant(60)])
        h.advance(to: Harness.seconds(30))
        #expect(try Harness.verify(h.last, nonce: "n2") == .staleNonce)
        let evs = h.respond(401, "Unauthorized", [Harness.challenge(nonce: "n2", stale: true)])
        #expect(evs.isEmpty)
        #expect(try h.last.cseq()?.sequence == 4)
        #expect(try Harness.verify(h.last, nonce: "n2") == .valid(nonceCount: 1))
        h.respond(200, "OK", [Harness.contactGrant(60)])
        #expect(h.state == .registered(expiresAt: Harness.seconds(90)))
        #expect(!h.events.contains { if case .failed = $0.state { return true } else { return false } })
    }

    @Test func endlessStaleIsBounded() {
        var h = Harness()
        h.start()
        h.respond(401, "Unauthorized", [Harness.challenge(nonce: "n0")])
        for i in 1...10 where Self.failedState(h) == nil {
            h.respond(401, "Unauthorized", [Harness.challenge(nonce: "n\(i)", stale: true)])
        }
        #expect(Self.failedState(h) != nil)
        #expect(h.sent.count <= 5)
    }

    @Test func sha256PreferredOverMD5() throws {
        var h = Harness()
        h.start()
        h.respond(401, "Unauthorized", [Harness.challenge(nonce: "m", algorithm: .md5),
                                        Harness.challenge(nonce: "s", algorithm: .sha256)])
        #expect(try h.last.authorization().first?.algorithm == "SHA-256")
        #expect(try Harness.verify(h.last, nonce: "s") == .valid(nonceCount: 1))
    }

    @Test func md5SessRegistration() throws {
        var h = Harness()
        h.start()
        h.respond(401, "Unauthorized", [Harness.challenge(nonce: "x", algorithm: .md5Sess)])
        #expect(try h.last.authorization().first?.algorithm == "MD5-sess")
        #expect(try Harness.verify(h.last, nonce: "x") == .valid(nonceCount: 1))
        h.respond(200, "OK", [Harness.contactGrant(60)])
        h.advance(to: Harness.seconds(30))
        #expect(try Harness.verify(h.last, nonce: "x") == .valid(nonceCount: 2))
    }

    @Test(arguments: [
        (#"Digest realm="example.com", qop="auth""#, "401: missing parameter (nonce)"),
        (#"Digest realm="example.com", nonce="n", algorithm=SHA-512-256"#, "401: unsupported algorithm (SHA-512-256)"),
        (#"Digest realm="example.com", nonce="n", algorithm=""#, "401: malformed header"),
        ("\u{7f}\u{1}garbage===,,", "401: malformed header"),
        (#"Basic realm="x""#, "401: no Digest challenge (Basic)"),
    ])
    func badChallengesFailCleanly(header: String, reasonPrefix: String) throws {
        var h = Harness()
        h.start()
        let evs = h.respond(401, "Unauthorized", [SIPHeaderField(.wwwAuthenticate, header)])
        let f = try #require(Self.failedState(h))
        #expect(f.reason.hasPrefix(reasonPrefix))
        #expect(evs.first?.statusCode == 401)
        #expect(h.sent.count == 1)
    }

    @Test func missingChallengeHeaderFailsCleanly() throws {
        var h = Harness()
        h.start()
        h.respond(401, "Unauthorized")
        #expect(Self.failedState(h)?.reason.hasPrefix("401: no Digest challenge") == true)
    }

    @Test func intervalTooBriefRaisesExpiry() throws {
        var h = Harness(expires: 60)
        h.start()
        h.respond(423, "Interval Too Brief", [SIPHeaderField("Min-Expires", "600")])
        #expect(h.last.firstValue(.expires) == "600")
        #expect(h.last.firstValue(.contact) == "<sip:alice@192.0.2.10:5070>;expires=600")
        #expect(try h.last.cseq()?.sequence == 2)
        #expect(h.state == .registering)
        h.respond(200, "OK", [Harness.contactGrant(600)])
        #expect(h.state == .registered(expiresAt: Harness.seconds(600)))
        h.advance(to: Harness.seconds(570))
        #expect(h.last.firstValue(.expires) == "600") // the raised value is kept for refreshes
    }

    @Test func intervalTooBriefIsBounded() throws {
        var h = Harness(expires: 60)
        h.start()
        h.respond(423, "Interval Too Brief", [SIPHeaderField("Min-Expires", "120")])
        h.respond(423, "Interval Too Brief", [SIPHeaderField("Min-Expires", "240")])
        h.respond(423, "Interval Too Brief", [SIPHeaderField("Min-Expires", "480")])
        #expect(Self.failedState(h)?.reason == "423 Interval Too Brief (Min-Expires 480 not usable)")
        #expect(h.sent.count == 3)

        var n = Harness()
        n.start()
        n.respond(423, "Interval Too Brief")
        #expect(Self.failedState(n)?.reason == "423 Interval Too Brief (no Min-Expires)")
    }

    @Test func backoffDoublesWithinJitterBoundsUpToCap() throws {
        var h = Harness(random: .seeded(99))
        h.start()
        let ceilings: [Int64] = [30, 60, 120, 240, 480, 960, 1800, 1800, 1800]
        for d in ceilings {
            let evs = h.timeout()
            #expect(evs.first?.statusCode == 408)
            let f = try #require(Self.failedState(h))
            #expect(f.reason == "408 Request Timeout: no response from registrar")
            let wait = f.retryAt - h.now
            #expect(wait >= .seconds(d / 2) && wait <= .seconds(d), "ceiling \(d): waited \(wait)")
            #expect(h.machine.nextDeadline == f.retryAt)
            #expect(h.advance(to: f.retryAt + .seconds(-1)).isEmpty)
            let retry = h.advance(to: f.retryAt)
            #expect(retry.map(\.state) == [.registering])
        }
        // Success resets the backoff.
        h.respond(200, "OK")
        h.advance(to: h.machine.nextDeadline!)
        h.timeout()
        let f = try #require(Self.failedState(h))
        #expect(f.retryAt - h.now <= .seconds(30))
    }

    @Test func jitterExtremes() {
        let t = SIPRegistrationTiming()
        var low = SIPRandomSource.sequence([0]), high = SIPRandomSource.sequence([.max])
        #expect(t.retryDelay(failures: 1, random: &low) == .seconds(15))
        #expect(t.retryDelay(failures: 1, random: &high) == .seconds(30))
        #expect(t.retryDelay(failures: 3, random: &high) == .seconds(120))
        #expect(t.retryDelay(failures: 50, random: &low) == .seconds(900))
        #expect(t.retryDelay(failures: 50, random: &high) == .seconds(1800))
    }

    @Test func retryAfterIsHonoured() throws {
        var h = Harness()
        h.now = Harness.seconds(10)
        h.start()
        let evs = h.respond(503, "Service Unavailable", [SIPHeaderField("Retry-After", "120 (maintenance);duration=60")])
        #expect(evs == [SIPRegistrationEvent(aor: Harness.aor,
                                             state: .failed(reason: "503 Service Unavailable", retryAt: Harness.seconds(130)),
                                             statusCode: 503, reason: "503 Service Unavailable")])
        #expect(h.machine.nextDeadline == Harness.seconds(130))

        var z = Harness()
        z.start()
        z.respond(503, "Service Unavailable", [SIPHeaderField("Retry-After", "0")])
        #expect(Self.failedState(z)?.retryAt == Harness.seconds(1))
    }

    @Test func otherFinalResponsesFailWithStatusText() {
        for (code, phrase) in [(403, "Forbidden"), (404, "Not Found"), (500, "Server Internal Error"), (603, "Decline"), (302, "Moved")] {
            var h = Harness()
            h.start()
            h.respond(code, phrase)
            #expect(Self.failedState(h)?.reason == "\(code) \(phrase)")
        }
    }

    @Test func zeroGrantIsAFailure() {
        var h = Harness()
        h.start()
        h.respond(200, "OK", [Harness.contactGrant(0)])
        #expect(Self.failedState(h)?.reason == "registrar kept no binding (expires 0)")
    }

    @Test func staleAndForeignResponsesAreIgnored() throws {
        var h = Harness()
        h.start()
        let first = h.last
        h.respond(401, "Unauthorized", [Harness.challenge(nonce: "n1")])
        // A retransmitted 401 (or a late 200) for CSeq 1 must not move anything.
        #expect(h.record(h.machine.handleResponse(Harness.reply(to: first, 200, "OK"), now: h.now)).isEmpty)
        #expect(h.record(h.machine.handleResponse(Harness.reply(to: first, 401, "Unauthorized",
                                                                [Harness.challenge(nonce: "n9")]), now: h.now)).isEmpty)
        #expect(h.state == .registering)
        #expect(h.sent.count == 2)
        // Wrong Call-ID, wrong method, provisional.
        var other = Harness.reply(to: h.last, 200, "OK")
        other.set(.callID, "someone-else")
        #expect(h.record(h.machine.handleResponse(other, now: h.now)).isEmpty)
        var options = Harness.reply(to: h.last, 200, "OK")
        options.set(.cseq, "2 OPTIONS")
        #expect(h.record(h.machine.handleResponse(options, now: h.now)).isEmpty)
        #expect(h.respond(100, "Trying").isEmpty)
        #expect(h.state == .registering)
        // A request is not a response.
        #expect(h.record(h.machine.handleResponse(h.last, now: h.now)).isEmpty)
        h.respond(200, "OK")
        #expect(h.state == .registered(expiresAt: Harness.seconds(3600)))
        // After the 200 nothing is pending: a duplicate 200 is ignored, and so is a timeout.
        #expect(h.respond(200, "OK").isEmpty)
        #expect(h.timeout().isEmpty)
    }

    @Test func refreshFailureFailsAndRetries() throws {
        var h = Harness()
        h.start()
        h.respond(200, "OK", [Harness.contactGrant(60)])
        h.advance(to: Harness.seconds(30))
        h.timeout()
        let f = try #require(Self.failedState(h))
        #expect(f.retryAt > h.now)
        // The binding may still exist at the registrar, so stop unregisters.
        h.now = Harness.seconds(40)
        h.stop()
        #expect(h.state == .unregistering)
        #expect(h.last.firstValue(.expires) == "0")
    }

    @Test func realmRestrictionRefusesOtherRealms() throws {
        let config = SIPRegistrationConfig(aor: Harness.aor, contact: Harness.contact, password: "pw", realm: "corp")
        var m = SIPRegistrationMachine(config: config, random: .seeded(3))
        guard case .send(let req) = m.start(now: .zero).first else { Issue.record("no send"); return }
        _ = m.handleResponse(Harness.reply(to: req, 401, "Unauthorized", [Harness.challenge(nonce: "n")]), now: .zero)
        guard case .failed(let reason, _) = m.state else { Issue.record("not failed"); return }
        #expect(reason == "401: realm not allowed (offered example.com)")
    }
}
