import Testing
import SIPCore
@testable import SIPDigest

/// The authenticator as a REGISTER loop would use it, checked against the server-side verifier.
@Suite struct SIPAuthenticatorTests {
    static let uri = try! SIPURI.parse("sip:example.com")

    static func register() -> SIPMessage {
        .request(.register, uri: uri, headers: [SIPHeaderField(.cseq, "1 REGISTER")])
    }

    static func challenge(_ code: Int = 401, realm: String = "example.com", nonce: String,
                          algorithm: SIPDigestAlgorithm = .md5, stale: Bool = false) -> SIPMessage {
        let h = SIPDigestVerifier.challenge(realm: realm, nonce: nonce, algorithm: algorithm, opaque: "op", stale: stale)
        return .response(code, reasonPhrase: "Unauthorized",
                         headers: [SIPHeaderField(code == 407 ? .proxyAuthenticate : .wwwAuthenticate, h.description)])
    }

    static func make(password: String = "pw", realm: String? = nil) -> SIPAuthenticator {
        SIPAuthenticator(credentials: SIPDigestCredentials(username: "alice", password: password, realm: realm),
                         random: .seeded(42))
    }

    /// Verifies the one Authorization (or Proxy-Authorization) of `req` and returns its nc.
    static func verify(_ req: SIPMessage, nonce: String, password: String = "pw", proxy: Bool = false) throws -> SIPDigestVerdict {
        let hs = proxy ? try req.proxyAuthorization() : try req.authorization()
        #expect(hs.count == 1)
        return try SIPDigestVerifier.verify(hs[0], method: "REGISTER", password: password, realm: "example.com",
                                            currentNonce: nonce, requestURI: "sip:example.com")
    }

    @Test func answersAndPreAuthorizesWithIncrementingNc() throws {
        var auth = Self.make()
        let first = Self.register()
        #expect(try auth.handleChallenge(Self.challenge(nonce: "n1"), challenging: first) == .fresh)
        var second = Self.register()
        auth.authorize(&second)
        #expect(try Self.verify(second, nonce: "n1") == .valid(nonceCount: 1))
        auth.confirm()
        var third = Self.register()
        auth.authorize(&third)
        #expect(try Self.verify(third, nonce: "n1") == .valid(nonceCount: 2))
        #expect(auth.nonceCount(realm: "example.com") == 2)
    }

    @Test func freshCnoncePerRequestUnlessSess() throws {
        var auth = Self.make()
        _ = try auth.handleChallenge(Self.challenge(nonce: "n1"), challenging: Self.register())
        var a = Self.register(), b = Self.register()
        auth.authorize(&a)
        auth.authorize(&b)
        #expect(try a.authorization()[0].cnonce != b.authorization()[0].cnonce)

        var sess = Self.make()
        _ = try sess.handleChallenge(Self.challenge(nonce: "n1", algorithm: .md5Sess), challenging: Self.register())
        var c = Self.register(), d = Self.register()
        sess.authorize(&c)
        sess.authorize(&d)
        #expect(try c.authorization()[0].cnonce == d.authorization()[0].cnonce)
        #expect(try c.authorization()[0].algorithm == "MD5-sess")
        #expect(try Self.verify(d, nonce: "n1") == .valid(nonceCount: 2))
    }

    @Test func wrongPasswordSameNonceIsRejected() throws {
        var auth = Self.make(password: "wrong")
        _ = try auth.handleChallenge(Self.challenge(nonce: "n1"), challenging: Self.register())
        var req = Self.register()
        auth.authorize(&req)
        #expect(try Self.verify(req, nonce: "n1") == .wrongResponse)
        #expect(throws: SIPDigestError(.credentialsRejected, detail: "example.com", statusCode: 401)) {
            _ = try auth.handleChallenge(Self.challenge(nonce: "n1"), challenging: req)
        }
        let e = SIPDigestError(.credentialsRejected, statusCode: 401)
        #expect(e.description == "401 after credentials: wrong password?")
    }

    @Test func wrongPasswordWithRotatingNonceIsRejected() throws {
        var auth = Self.make(password: "wrong")
        _ = try auth.handleChallenge(Self.challenge(nonce: "n1"), challenging: Self.register())
        var req = Self.register()
        auth.authorize(&req)
        #expect(throws: SIPDigestError.self) {
            _ = try auth.handleChallenge(Self.challenge(nonce: "n2"), challenging: req)
        }
    }

    @Test func proxyRejectionNames407() throws {
        var auth = Self.make(password: "wrong")
        _ = try auth.handleChallenge(Self.challenge(407, nonce: "p1"), challenging: Self.register())
        var req = Self.register()
        auth.authorize(&req)
        #expect(req.contains(.proxyAuthorization) && !req.contains(.authorization))
        do {
            _ = try auth.handleChallenge(Self.challenge(407, nonce: "p1"), challenging: req)
            Issue.record("expected rejection")
        } catch {
            #expect(error.description == "407 after credentials: wrong password?")
        }
    }

    @Test func staleIsRetriedThenBounded() throws {
        var auth = Self.make()
        _ = try auth.handleChallenge(Self.challenge(nonce: "n1"), challenging: Self.register())
        var req = Self.register()
        auth.authorize(&req)
        for i in 2...4 {
            #expect(try auth.handleChallenge(Self.challenge(nonce: "n\(i)", stale: true), challenging: req) == .stale)
            req = Self.register()
            auth.authorize(&req)
            #expect(try Self.verify(req, nonce: "n\(i)") == .valid(nonceCount: 1))
        }
        #expect(throws: SIPDigestError(.tooManyStaleChallenges, detail: "example.com", statusCode: 401)) {
            _ = try auth.handleChallenge(Self.challenge(nonce: "n5", stale: true), challenging: req)
        }
    }

    @Test func expiredNonceWithoutStaleAfterSuccessIsRenewedOnce() throws {
        var auth = Self.make()
        _ = try auth.handleChallenge(Self.challenge(nonce: "n1"), challenging: Self.register())
        var req = Self.register()
        auth.authorize(&req)
        auth.confirm()
        var refresh = Self.register()
        auth.authorize(&refresh)
        #expect(try auth.handleChallenge(Self.challenge(nonce: "n2"), challenging: refresh) == .renewed)
        var retry = Self.register()
        auth.authorize(&retry)
        #expect(try Self.verify(retry, nonce: "n2") == .valid(nonceCount: 1))
        // The renewed nonce is not confirmed yet: another non-stale 401 is a rejection.
        #expect(throws: SIPDigestError.self) {
            _ = try auth.handleChallenge(Self.challenge(nonce: "n3"), challenging: retry)
        }
    }

    @Test func realmRestriction() throws {
        var auth = Self.make(realm: "example.com")
        #expect(throws: SIPDigestError(.realmNotAllowed, detail: "offered evil.net", statusCode: 401)) {
            _ = try auth.handleChallenge(Self.challenge(realm: "evil.net", nonce: "n"), challenging: Self.register())
        }
        #expect(!auth.hasChallenges)
        #expect(try auth.handleChallenge(Self.challenge(nonce: "n"), challenging: Self.register()) == .fresh)
    }

    @Test func sha256ChallengeAnsweredWithSHA256() throws {
        var auth = Self.make()
        let resp = SIPMessage.response(401, reasonPhrase: "Unauthorized", headers: [
            SIPHeaderField(.wwwAuthenticate, SIPDigestVerifier.challenge(realm: "example.com", nonce: "m", algorithm: .md5).description),
            SIPHeaderField(.wwwAuthenticate, SIPDigestVerifier.challenge(realm: "example.com", nonce: "s", algorithm: .sha256).description),
        ])
        _ = try auth.handleChallenge(resp, challenging: Self.register())
        var req = Self.register()
        auth.authorize(&req)
        let h = try req.authorization()[0]
        #expect(h.algorithm == "SHA-256")
        #expect(h.response?.count == 64)
        #expect(try Self.verify(req, nonce: "s") == .valid(nonceCount: 1))
    }

    @Test func verifierVerdicts() throws {
        var auth = Self.make()
        _ = try auth.handleChallenge(Self.challenge(nonce: "old"), challenging: Self.register())
        var req = Self.register()
        auth.authorize(&req)
        #expect(try Self.verify(req, nonce: "new") == .staleNonce)
        let h = try req.authorization()[0]
        #expect(try SIPDigestVerifier.verify(h, method: "REGISTER", password: "pw", realm: "other", currentNonce: "old")
            == .mismatch("realm"))
        #expect(try SIPDigestVerifier.verify(h, method: "REGISTER", password: "pw", realm: "example.com",
                                             currentNonce: "old", requestURI: "sip:other.com") == .mismatch("uri"))
        #expect(try SIPDigestVerifier.verify(h, method: "INVITE", password: "pw", realm: "example.com",
                                             currentNonce: "old") == .wrongResponse)
        var broken = h
        broken.parameters.remove("nc")
        #expect(throws: SIPDigestError(.missingParameter, detail: "nc")) {
            _ = try SIPDigestVerifier.verify(broken, method: "REGISTER", password: "pw", realm: "example.com", currentNonce: "old")
        }
    }

    @Test func randomSourceIsDeterministicWhenSeeded() {
        var a = SIPRandomSource.seeded(7), b = SIPRandomSource.seeded(7)
        #expect(a.hex(bytes: 16) == b.hex(bytes: 16))
        #expect(a.hex(bytes: 16).count == 32)
        var s = SIPRandomSource.sequence([0, .max])
        #expect(s.fraction() == 0)
        #expect(s.fraction() == 1)
    }
}
