import SIPCore

/// How a 401/407 was taken, when it can be answered.
public enum SIPChallengeDisposition: Sendable, Hashable {
    /// First challenge for these realms (or a new realm): answer it.
    case fresh
    /// `stale=true`: the password was right, the nonce expired; answer with the new nonce.
    /// Not a failure (RFC 7616 §3.3 `stale`).
    case stale
    /// Pre-authorized credentials with an old, previously accepted nonce were refused without
    /// `stale=true` (servers that forget nonces): answer the new challenge once.
    case renewed
}

/// Client side of digest authentication for one account: remembers the last challenge per
/// realm so later requests are pre-authorized (RFC 3261 §22.3) with an incremented `nc`.
///
/// Lifecycle, driven by the request owner (e.g. the registration state machine):
/// ```
///   send request ──401/407──▶ handleChallenge(resp, challenging: req)
///        ▲                       │ .fresh / .stale / .renewed → authorize(&newRequest), send
///        │                       └ throws .credentialsRejected → give up ("401 after credentials: wrong password?")
///        └── 2xx (or any non-401/407 final) ──▶ confirm(): the remembered challenges work
/// ```
/// Wrong-password detection: if the challenged request carried our credentials for a realm and
/// the new challenge for that realm is not stale, it is a rejection, unless the credentials were
/// a pre-authorization with a nonce that had already been accepted (`confirm()`) and the server
/// now offers a different nonce. That catches servers that rotate the nonce on every 401
/// (which would otherwise loop forever) and still survives servers that expire nonces silently.
public struct SIPAuthenticator: Sendable {
    struct Entry: Sendable {
        var challenge: SIPDigestChallenge
        /// Last `nc` sent with this nonce.
        var nonceCount: UInt32
        /// Used for every request of a `-sess` challenge, since its HA1 depends on it.
        var sessionCnonce: String
        /// A request with these credentials got a final response other than 401/407.
        var confirmed: Bool
        /// Consecutive stale challenges for this realm.
        var staleCount: Int
    }

    public var credentials: SIPDigestCredentials
    /// Source of cnonces: `.system` in production, seeded in tests.
    public var random: SIPRandomSource
    /// Consecutive `stale=true` answers tolerated per realm before giving up.
    public var maxStaleRetries: Int
    private var entries: [Entry] = []

    public init(credentials: SIPDigestCredentials, random: SIPRandomSource = .system, maxStaleRetries: Int = 3) {
        self.credentials = credentials
        self.random = random
        self.maxStaleRetries = maxStaleRetries
    }

    /// True when at least one challenge is remembered, so `authorize` will add credentials.
    public var hasChallenges: Bool { !entries.isEmpty }

    /// The remembered challenges, one per (realm, proxy or not).
    public var challenges: [SIPDigestChallenge] { entries.map(\.challenge) }

    /// The last `nc` sent for a realm (0 when the challenge has not been answered yet).
    public func nonceCount(realm: String, isProxy: Bool = false) -> UInt32? {
        entries.first { $0.challenge.realm == realm && $0.challenge.isProxy == isProxy }?.nonceCount
    }

    /// Takes in a 401/407 for `request` (the request exactly as sent, with any credentials it
    /// carried). On success the new challenges are remembered and the caller resends with a new
    /// CSeq after `authorize`. Throws when the challenge is unusable or the credentials were refused.
    public mutating func handleChallenge(_ response: SIPMessage,
                                         challenging request: SIPMessage) throws(SIPDigestError) -> SIPChallengeDisposition {
        let code = response.statusCode ?? 0
        var offered = try SIPDigestChallenge.select(from: response)
        if let only = credentials.realm {
            let realms = offered.map(\.realm)
            offered.removeAll { $0.realm != only }
            guard !offered.isEmpty else {
                throw SIPDigestError(.realmNotAllowed, detail: "offered " + realms.joined(separator: ", "),
                                     statusCode: code)
            }
        }
        let sent = Self.sentNonces(in: request, isProxy: code == 407)
        var disposition = SIPChallengeDisposition.fresh
        for c in offered {
            let i = entries.firstIndex { $0.challenge.realm == c.realm && $0.challenge.isProxy == c.isProxy }
            let old = i.map { entries[$0] }
            var entry = Entry(challenge: c, nonceCount: 0, sessionCnonce: random.hex(bytes: 16),
                              confirmed: false, staleCount: 0)
            if let sentNonce = sent[c.realm] {
                if c.isStale {
                    entry.staleCount = (old?.staleCount ?? 0) + 1
                    guard entry.staleCount <= maxStaleRetries else {
                        throw SIPDigestError(.tooManyStaleChallenges, detail: c.realm, statusCode: code)
                    }
                    // stale=true vouches for the password (RFC 7616 §3.3).
                    entry.confirmed = true
                    disposition = .stale
                } else if c.nonce == sentNonce || !(old?.confirmed ?? false) {
                    throw SIPDigestError(.credentialsRejected, detail: c.realm, statusCode: code)
                } else if disposition == .fresh {
                    disposition = .renewed
                }
            }
            if let i { entries[i] = entry } else { entries.append(entry) }
        }
        return disposition
    }

    /// Adds one `Authorization` (or `Proxy-Authorization`) per remembered challenge to
    /// `request`, replacing any already there, and increments each `nc`. The digest-uri is the
    /// request's Request-URI; `auth-int` covers `request.body`.
    public mutating func authorize(_ request: inout SIPMessage) {
        guard let method = request.method, let uri = request.requestURI?.description else { return }
        request.removeAll(.authorization)
        request.removeAll(.proxyAuthorization)
        for i in entries.indices {
            entries[i].nonceCount &+= 1
            let e = entries[i]
            let cnonce = e.challenge.algorithm.isSession ? e.sessionCnonce : random.hex(bytes: 16)
            let h = e.challenge.authorization(username: credentials.username, password: credentials.password,
                                              method: method.rawValue, uri: uri, body: request.body,
                                              nonceCount: e.nonceCount, cnonce: cnonce)
            request.append(e.challenge.isProxy ? .proxyAuthorization : .authorization, h.description)
        }
    }

    /// Records that a request carrying our credentials got a final response other than
    /// 401/407: the current nonces are good, and a later non-stale challenge with a new nonce
    /// means the server expired it rather than that the password is wrong.
    public mutating func confirm() {
        for i in entries.indices {
            entries[i].confirmed = true
            entries[i].staleCount = 0
        }
    }

    /// Forgets every challenge (e.g. when the account's password changes).
    public mutating func reset() { entries.removeAll() }

    /// realm → nonce of the credentials a request carried.
    private static func sentNonces(in request: SIPMessage, isProxy: Bool) -> [String: String] {
        let headers = (try? (isProxy ? request.proxyAuthorization() : request.authorization())) ?? []
        var out: [String: String] = [:]
        for h in headers where h.isDigest {
            if let realm = h.realm, let nonce = h.nonce { out[realm] = nonce }
        }
        return out
    }
}
