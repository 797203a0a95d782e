import Testing
@testable import SIPDigest

/// Known-answer tests: RFC examples and SIP-style vectors computed independently in Python.
///
/// The SIP vectors were produced with this script (python3, hashlib only):
/// ```
/// import hashlib
/// def H(alg, s):
///     f = hashlib.md5 if alg.startswith('MD5') else hashlib.sha256
///     return f(s.encode() if isinstance(s, str) else s).hexdigest()
/// def resp(alg, u, r, p, n, cn, nc, qop, m, uri, body=b''):
///     ha1 = H(alg, f"{u}:{r}:{p}")
///     if alg.endswith('-sess'): ha1 = H(alg, f"{ha1}:{n}:{cn}")
///     ha2 = H(alg, f"{m}:{uri}:{H(alg, body)}") if qop == 'auth-int' else H(alg, f"{m}:{uri}")
///     if qop is None: return H(alg, f"{ha1}:{n}:{ha2}")
///     return H(alg, f"{ha1}:{n}:{nc}:{cn}:{qop}:{ha2}")
/// a = ('alice', 'example.com', 's3cret!', '4b1c0ffee7ab', '0123456789abcdef', '00000001')
/// for alg in ['MD5', 'SHA-256', 'MD5-sess', 'SHA-256-sess']: print(alg, resp(alg, *a, 'auth', 'REGISTER', 'sip:example.com'))
/// print(resp('MD5', *a, None, 'REGISTER', 'sip:example.com'))                       # RFC 2069
/// print(resp('MD5', *a, 'auth-int', 'INVITE', 'sip:bob@example.com', b'v=0\r\n'))    # auth-int
/// print(resp('SHA-256', *a[:5], '00000002', 'auth', 'REGISTER', 'sip:example.com'))  # nc=2
/// ```
@Suite struct SIPDigestVectorTests {
    @Test func rfc2617Section3_5() {
        let input = SIPDigestInput(algorithm: .md5, username: "Mufasa", realm: "testrealm@host.com",
                                   password: "Circle Of Life", nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
                                   cnonce: "0a4f113b", nonceCount: "00000001", qop: .auth,
                                   method: "GET", uri: "/dir/index.html")
        #expect(input.response == "6629fae49393a05397450978507c4ef1")
    }

    static func rfc7616(_ algorithm: SIPDigestAlgorithm) -> SIPDigestInput {
        SIPDigestInput(algorithm: algorithm, username: "Mufasa", realm: "http-auth@example.org",
                       password: "Circle of Life", nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
                       cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", nonceCount: "00000001",
                       qop: .auth, method: "GET", uri: "/dir/index.html")
    }

    @Test func rfc7616Section3_9_1MD5() {
        #expect(Self.rfc7616(.md5).response == "8ca523f5e9506fed4657c9700eebdbec")
    }

    @Test func rfc7616Section3_9_1SHA256() {
        #expect(Self.rfc7616(.sha256).response == "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")
    }

    static func sip(_ algorithm: SIPDigestAlgorithm, qop: SIPDigestQop? = .auth, nc: String = "00000001",
                    method: String = "REGISTER", uri: String = "sip:example.com", body: [UInt8] = []) -> SIPDigestInput {
        SIPDigestInput(algorithm: algorithm, username: "alice", realm: "example.com", password: "s3cret!",
                       nonce: "4b1c0ffee7ab", cnonce: "0123456789abcdef", nonceCount: nc, qop: qop,
                       method: method, uri: uri, body: body)
    }

    @Test(arguments: [
        (SIPDigestAlgorithm.md5, "6035d555df2e101d6c031f93ae46ebdf"),
        (.sha256, "3958a2702ebc6deb4901b7ba65ab7733d58268ce31699bd358c853318283d702"),
        (.md5Sess, "8378c4d75b013108835455f1bb72aedf"),
        (.sha256Sess, "245b05343eea0fe6399390f89ad3e82f38a9bda61a555ad5c1c600be9d2c631a"),
    ])
    func sipRegisterVectors(algorithm: SIPDigestAlgorithm, expected: String) {
        #expect(Self.sip(algorithm).response == expected)
    }

    @Test func rfc2069NoQop() {
        #expect(Self.sip(.md5, qop: nil).response == "03a80666cbc2722ee8cf19cba18b041a")
    }

    @Test func authIntCoversBody() {
        let v = Self.sip(.md5, qop: .authInt, method: "INVITE", uri: "sip:bob@example.com", body: Array("v=0\r\n".utf8))
        #expect(v.response == "fdd0d137fdb677d820e757a95f7cb8ff")
    }

    @Test func nonceCountChangesResponse() {
        #expect(Self.sip(.sha256, nc: "00000002").response
            == "609fae0d48f281756b408fc409f2c3809bb879a270e868e48a4abc765fdd8f63")
    }

    @Test func nonceCountFormatting() {
        #expect(SIPDigestInput.formatNonceCount(1) == "00000001")
        #expect(SIPDigestInput.formatNonceCount(0xab) == "000000ab")
        #expect(SIPDigestInput.formatNonceCount(.max) == "ffffffff")
    }

    @Test func algorithmTokens() {
        #expect(SIPDigestAlgorithm(token: "md5") == .md5)
        #expect(SIPDigestAlgorithm(token: "MD5-SESS") == .md5Sess)
        #expect(SIPDigestAlgorithm(token: "sha-256") == .sha256)
        #expect(SIPDigestAlgorithm(token: "SHA-256-sess") == .sha256Sess)
        #expect(SIPDigestAlgorithm(token: "SHA-512-256") == nil)
        #expect(SIPDigestAlgorithm.sha256Sess.token == "SHA-256-sess")
    }
}
