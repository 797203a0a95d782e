import Testing
import SIPCore
@testable import SIPDigest

/// Challenge parsing, selection among several, credential formatting, and every bad challenge
/// ending in a typed error.
@Suite struct SIPDigestChallengeTests {
    static func response(_ code: Int, _ challenges: [String]) -> SIPMessage {
        let name: SIPHeaderName = code == 407 ? .proxyAuthenticate : .wwwAuthenticate
        return .response(code, reasonPhrase: code == 407 ? "Proxy Authentication Required" : "Unauthorized",
                         headers: challenges.map { SIPHeaderField(name, $0) })
    }

    static func expectError(_ kind: SIPDigestError.Kind, detail: String? = nil,
                            _ challenges: [String], code: Int = 401) {
        #expect {
            _ = try SIPDigestChallenge.select(from: response(code, challenges))
        } throws: { error in
            guard let e = error as? SIPDigestError else { return false }
            return e.kind == kind && (detail == nil || e.detail == detail) && e.statusCode == code
        }
    }

    @Test func parsesTypicalChallenge() throws {
        let cs = try SIPDigestChallenge.select(from: Self.response(401, [
            #"Digest realm="example.com", nonce="abc", opaque="xyz", algorithm=MD5, qop="auth,auth-int""#,
        ]))
        #expect(cs.count == 1)
        #expect(cs[0].realm == "example.com")
        #expect(cs[0].nonce == "abc")
        #expect(cs[0].opaque == "xyz")
        #expect(cs[0].algorithm == .md5)
        #expect(cs[0].qop == .auth)
        #expect(!cs[0].isStale)
        #expect(!cs[0].isProxy)
    }

    @Test func prefersAuthAndFallsBackToAuthIntOrNoQop() throws {
        let authInt = try SIPDigestChallenge.select(from: Self.response(401, [#"Digest realm="r", nonce="n", qop="auth-int""#]))
        #expect(authInt[0].qop == .authInt)
        let none = try SIPDigestChallenge.select(from: Self.response(401, [#"Digest realm="r", nonce="n""#]))
        #expect(none[0].qop == nil)
    }

    @Test func picksSHA256OverMD5InSameRealm() throws {
        for order in [[0, 1], [1, 0]] {
            let hs = [#"Digest realm="r", nonce="n1", algorithm=MD5, qop="auth""#,
                      #"Digest realm="r", nonce="n2", algorithm=SHA-256, qop="auth""#]
            let cs = try SIPDigestChallenge.select(from: Self.response(401, order.map { hs[$0] }))
            #expect(cs.count == 1)
            #expect(cs[0].algorithm == .sha256)
            #expect(cs[0].nonce == "n2")
        }
    }

    @Test func skipsUnknownAlgorithmWhenAnotherIsUsable() throws {
        let cs = try SIPDigestChallenge.select(from: Self.response(401, [
            #"Digest realm="r", nonce="n1", algorithm=SHA-512-256, qop="auth""#,
            #"Digest realm="r", nonce="n2", algorithm=MD5, qop="auth""#,
        ]))
        #expect(cs.map(\.algorithm) == [.md5])
    }

    @Test func onePerRealm() throws {
        let cs = try SIPDigestChallenge.select(from: Self.response(407, [
            #"Digest realm="a", nonce="1""#, #"Digest realm="b", nonce="2""#,
        ]))
        #expect(cs.map(\.realm) == ["a", "b"])
        #expect(cs.allSatisfy { $0.isProxy })
    }

    @Test func badChallengesAreTypedErrors() {
        Self.expectError(.missingParameter, detail: "nonce", [#"Digest realm="r", qop="auth""#])
        Self.expectError(.missingParameter, detail: "nonce", [#"Digest realm="r", nonce="""#])
        Self.expectError(.missingParameter, detail: "realm", [#"Digest nonce="n""#])
        Self.expectError(.unsupportedAlgorithm, detail: "SHA-512-256", [#"Digest realm="r", nonce="n", algorithm=SHA-512-256"#])
        Self.expectError(.unsupportedQop, [#"Digest realm="r", nonce="n", qop="auth-conf""#])
        Self.expectError(.noDigestChallenge, [#"Basic realm="r""#])
        Self.expectError(.noDigestChallenge, [])
        Self.expectError(.malformedHeader, [#"Digest realm="unterminated"#], code: 407)
        Self.expectError(.malformedHeader, [#"Digest ,,,=="#])
        Self.expectError(.malformedHeader, ["\u{1}\u{2}garbage"])
    }

    @Test func unknownAlgorithmErrorNamesIt() {
        let e = SIPDigestError(.unsupportedAlgorithm, detail: "SHA-512-256", statusCode: 401)
        #expect(e.description == "401: unsupported algorithm (SHA-512-256)")
    }

    @Test func notAChallenge() {
        #expect(throws: SIPDigestError.self) {
            _ = try SIPDigestChallenge.select(from: .response(200, reasonPhrase: "OK"))
        }
    }

    @Test func credentialsQuoting() throws {
        let c = SIPDigestChallenge(realm: "example.com", nonce: "n", opaque: "o", algorithm: .sha256,
                                   algorithmToken: "SHA-256", qop: .auth)
        let h = c.authorization(username: "alice", password: "pw", method: "REGISTER", uri: "sip:example.com",
                                nonceCount: 1, cnonce: "cn")
        let text = h.description
        #expect(text.hasPrefix(#"Digest username="alice", realm="example.com", nonce="n", uri="sip:example.com", response=""#))
        #expect(text.hasSuffix(#", algorithm=SHA-256, cnonce="cn", opaque="o", qop=auth, nc=00000001"#))
        // Round trip through the SIPCore parser and our verifier.
        let parsed = try SIPAuthHeader.parse(text)
        let verdict = try SIPDigestVerifier.verify(parsed, method: "REGISTER", password: "pw", realm: "example.com",
                                                   currentNonce: "n", requestURI: "sip:example.com")
        #expect(verdict == .valid(nonceCount: 1))
    }

    @Test func noQopCredentialsOmitCnonceAndNc() {
        let c = SIPDigestChallenge(realm: "r", nonce: "n", qop: nil)
        let h = c.authorization(username: "u", password: "p", method: "REGISTER", uri: "sip:r", nonceCount: 1, cnonce: "cn")
        #expect(h["cnonce"] == nil)
        #expect(h["nc"] == nil)
        #expect(h["qop"] == nil)
        #expect(h["algorithm"] == nil) // the server omitted it, so do we
        let expected = SIPDigestInput(username: "u", realm: "r", password: "p", nonce: "n",
                                      method: "REGISTER", uri: "sip:r").response
        #expect(h.response == expected)
    }

    @Test func sessWithoutQopStillSendsCnonce() throws {
        let c = SIPDigestChallenge(realm: "r", nonce: "n", algorithm: .md5Sess, algorithmToken: "MD5-sess", qop: nil)
        let h = c.authorization(username: "u", password: "p", method: "REGISTER", uri: "sip:r", nonceCount: 1, cnonce: "cn")
        #expect(h["cnonce"] == "cn")
        #expect(try SIPDigestVerifier.verify(h, method: "REGISTER", password: "p", realm: "r", currentNonce: "n")
            == .valid(nonceCount: nil))
    }

    @Test func usernameWithQuoteSurvivesQuoting() throws {
        let c = SIPDigestChallenge(realm: "r", nonce: "n")
        let h = c.authorization(username: #"a"b\c"#, password: "p", method: "REGISTER", uri: "sip:r", nonceCount: 1, cnonce: "x")
        let parsed = try SIPAuthHeader.parse(h.description)
        #expect(parsed.username == #"a"b\c"#)
        #expect(try SIPDigestVerifier.verify(parsed, method: "REGISTER", password: "p", realm: "r", currentNonce: "n")
            == .valid(nonceCount: 1))
    }

    @Test func serverChallengeHeader() throws {
        let h = SIPDigestVerifier.challenge(realm: "example.com", nonce: "abc", algorithm: .sha256, opaque: "o", stale: true)
        #expect(h.description == #"Digest realm="example.com", nonce="abc", opaque="o", algorithm=SHA-256, qop="auth", stale=true"#)
        let back = try SIPDigestChallenge(try SIPAuthHeader.parse(h.description, header: "WWW-Authenticate"), isProxy: false)
        #expect(back.isStale && back.algorithm == .sha256 && back.qop == .auth && back.opaque == "o")
    }
}
