import Testing
import SIPCore
import SIPDigest
@testable import SIPRegistration
import Timebase

/// Drives one state machine with a virtual clock and records what it asked for.
struct Harness {
    var machine: SIPRegistrationMachine
    var now = MonotonicTime.zero
    var sent: [SIPMessage] = []
    var events: [SIPRegistrationEvent] = []

    static let aor = try! SIPURI.parse("sip:alice@example.com")
    static let contact = try! SIPURI.parse("sip:alice@192.0.2.10:5070")

    init(password: String = "pw", expires: UInt32 = 3600, proxy: SIPURI? = nil,
         random: SIPRandomSource = .seeded(1)) {
        let config = SIPRegistrationConfig(aor: Self.aor, contact: Self.contact, password: password,
                                           expires: expires, outboundProxy: proxy)
        machine = SIPRegistrationMachine(config: config, random: random)
    }

    var last: SIPMessage { sent.last! }
    var state: SIPRegistrationState { machine.state }

    /// Returns the actions' events and records sends and events.
    @discardableResult
    mutating func record(_ actions: [SIPRegistrationAction]) -> [SIPRegistrationEvent] {
        var evs: [SIPRegistrationEvent] = []
        for a in actions {
            switch a {
            case .send(let m): sent.append(m)
            case .stateChanged(let e): evs.append(e)
            }
        }
        events += evs
        return evs
    }

    @discardableResult mutating func start() -> [SIPRegistrationEvent] { record(machine.start(now: now)) }
    @discardableResult mutating func stop() -> [SIPRegistrationEvent] { record(machine.stop(now: now)) }
    @discardableResult mutating func timeout() -> [SIPRegistrationEvent] { record(machine.handleTimeout(now: now)) }

    @discardableResult
    mutating func advance(to t: MonotonicTime) -> [SIPRegistrationEvent] {
        now = t
        return record(machine.advance(to: t))
    }

    /// Feeds `reply(to: last, ...)`.
    @discardableResult
    mutating func respond(_ code: Int, _ reason: String = "", _ headers: [SIPHeaderField] = []) -> [SIPRegistrationEvent] {
        record(machine.handleResponse(Self.reply(to: last, code, reason, headers), now: now))
    }

    /// A response echoing the request's From, To (plus tag), Call-ID and CSeq.
    static func reply(to req: SIPMessage, _ code: Int, _ reason: String = "",
                      _ headers: [SIPHeaderField] = []) -> SIPMessage {
        var r = SIPMessage.response(code, reasonPhrase: reason.isEmpty ? "Reason" : reason)
        for name in [SIPHeaderName.from, .to, .callID, .cseq] {
            if let v = req.firstValue(name) { r.append(name, name == .to ? v + ";tag=srv" : v) }
        }
        r.headers += headers
        return r
    }

    static func challenge(nonce: String, algorithm: SIPDigestAlgorithm = .md5, stale: Bool = false,
                          proxy: Bool = false) -> SIPHeaderField {
        let h = SIPDigestVerifier.challenge(realm: "example.com", nonce: nonce, algorithm: algorithm, stale: stale)
        return SIPHeaderField(proxy ? .proxyAuthenticate : .wwwAuthenticate, h.description)
    }

    static func contactGrant(_ seconds: UInt32, uri: String = "sip:alice@192.0.2.10:5070") -> SIPHeaderField {
        SIPHeaderField(.contact, "<\(uri)>;expires=\(seconds)")
    }

    /// Verifies the single Authorization (or Proxy-Authorization) of `req` like a registrar would.
    static func verify(_ req: SIPMessage, nonce: String, password: String = "pw",
                       proxy: Bool = false) throws -> SIPDigestVerdict {
        let hs = proxy ? try req.proxyAuthorization() : try req.authorization()
        try #require(hs.count == 1)
        return try SIPDigestVerifier.verify(hs[0], method: "REGISTER", password: password, realm: "example.com",
                                            currentNonce: nonce, requestURI: req.requestURI?.description)
    }

    static func seconds(_ s: Int64) -> MonotonicTime { MonotonicTime(nanoseconds: s * 1_000_000_000) }
}
