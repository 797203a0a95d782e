import Testing
import SIPCore
import SIPDigest
@testable import SIPRegistration

/// Hostile or broken registrars: the machine must end in a defined state, never trap.
@Suite struct SIPRegistrationRobustnessTests {
    /// Random challenge texts built from the characters that matter to the auth-param grammar.
    @Test func garbageChallengesNeverCrash() {
        var rng = SIPRandomSource.seeded(2024)
        let alphabet = Array(#"Digest realm="x", nonce=qop,auth-int=algorithm SHA-256 MD5-sess "\ stale=true;"#)
        for _ in 0..<500 {
            var h = Harness()
            h.start()
            let n = Int(rng.next() % 80)
            let text = String((0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
            let code = rng.next() % 2 == 0 ? 401 : 407
            let name: SIPHeaderName = code == 401 ? .wwwAuthenticate : .proxyAuthenticate
            h.respond(code, "Challenge", [SIPHeaderField(name, text)])
            switch h.state {
            case .registering:
                #expect(h.sent.count == 2) // it was a usable challenge, answered once
            case .failed(let reason, let retryAt):
                #expect(!reason.isEmpty)
                #expect(retryAt > h.now)
            default:
                Issue.record("unexpected state \(h.state) for \(text)")
            }
        }
    }

    @Test func garbageGrantsFallBackToRequestedExpiry() {
        var h = Harness(expires: 300)
        h.start()
        h.respond(200, "OK", [SIPHeaderField(.contact, "<sip:alice@192.0.2.10:5070>;expires=99999999999"),
                              SIPHeaderField(.expires, "soon")])
        #expect(h.state == .registered(expiresAt: Harness.seconds(300)))
        var r = Harness()
        r.start()
        r.respond(503, "Service Unavailable", [SIPHeaderField("Retry-After", "99999999999999999999")])
        guard case .failed(_, let t) = r.state else { Issue.record("not failed"); return }
        #expect(t <= Harness.seconds(30)) // unusable Retry-After: normal backoff
    }
}
