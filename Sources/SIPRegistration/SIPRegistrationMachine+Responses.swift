import SIPCore
import SIPDigest
import Timebase

extension SIPRegistrationMachine {
    /// Feeds a response to the REGISTER in flight. Responses to any other request (older CSeq,
    /// other Call-ID or method) and provisional responses are ignored.
    public mutating func handleResponse(_ response: SIPMessage, now: MonotonicTime) -> [SIPRegistrationAction] {
        guard let code = response.statusCode, let p = pending, isForPending(response, p) else { return [] }
        guard code >= 200 else { return [] }
        if code == 401 || code == 407 { return handleChallenge(response, code: code, now: now) }
        if p.isUnregister {
            pending = nil
            return finishUnregister(statusCode: code, reason: code < 300 ? nil : Self.statusText(response))
        }
        if code < 300 { return handleSuccess(response, now: now) }
        if code == 423 { return handleIntervalTooBrief(response, now: now) }
        return fail(now: now, statusCode: code, reason: Self.statusText(response),
                    retryAfter: Self.retryAfter(response))
    }

    private func isForPending(_ response: SIPMessage, _ p: Pending) -> Bool {
        guard let cs = try? response.cseq(), cs.sequence == p.cseq, cs.method == .register else { return false }
        return (try? response.callID()) == callID
    }

    private mutating func handleSuccess(_ response: SIPMessage, now: MonotonicTime) -> [SIPRegistrationAction] {
        pending = nil
        authenticator.confirm()
        let granted = grantedExpires(response)
        guard granted > 0 else {
            bindingExpiresAt = nil
            return fail(now: now, statusCode: response.statusCode, reason: "registrar kept no binding (expires 0)",
                        retryAfter: nil)
        }
        failures = 0
        let expiresAt = now + .seconds(Int64(granted))
        bindingExpiresAt = expiresAt
        refreshAt = now + config.timing.refreshDelay(granted: granted)
        return transition(to: .registered(expiresAt: expiresAt), statusCode: response.statusCode)
    }

    private mutating func handleChallenge(_ response: SIPMessage, code: Int, now: MonotonicTime) -> [SIPRegistrationAction] {
        guard let p = pending else { return [] }
        authAttempts += 1
        do throws(SIPDigestError) {
            guard authAttempts <= config.timing.maxAuthAttempts else {
                throw SIPDigestError(.tooManyStaleChallenges, detail: "\(authAttempts - 1) answered", statusCode: code)
            }
            _ = try authenticator.handleChallenge(response, challenging: p.request)
        } catch {
            pending = nil
            if p.isUnregister { return finishUnregister(statusCode: code, reason: error.description) }
            return fail(now: now, statusCode: code, reason: error.description, retryAfter: nil)
        }
        return [sendRegister(unregister: p.isUnregister)]
    }

    /// 423: retry at once asking for Min-Expires (RFC 3261 §10.2.8), a bounded number of times.
    private mutating func handleIntervalTooBrief(_ response: SIPMessage, now: MonotonicTime) -> [SIPRegistrationAction] {
        let minimum = response.firstValue("Min-Expires").flatMap { try? SIPScalar.parseExpires($0) }
        intervalRetries += 1
        guard let minimum, minimum > requestedExpires, intervalRetries <= config.timing.maxIntervalRetries else {
            let why = minimum.map { "Min-Expires \($0) not usable" } ?? "no Min-Expires"
            return fail(now: now, statusCode: 423, reason: "423 Interval Too Brief (\(why))", retryAfter: nil)
        }
        requestedExpires = minimum
        return [sendRegister(unregister: false)]
    }

    /// The lifetime granted for our binding: the `expires` of the Contact matching ours, else
    /// the Expires header, else what we asked for (RFC 3261 §10.2.4).
    func grantedExpires(_ response: SIPMessage) -> UInt32 {
        let contacts = (try? response.contacts()) ?? []
        for c in contacts {
            guard let a = c.address, Self.sameBinding(a.uri, config.contact) else { continue }
            if let e = c.expires { return e }
        }
        if let e = try? response.expires() { return e }
        return requestedExpires
    }

    /// Contact URI comparison, loose enough for registrars that re-serialize: scheme, user,
    /// host (case-insensitive), port with defaults, transport with UDP as default.
    static func sameBinding(_ a: SIPURI, _ b: SIPURI) -> Bool {
        func transport(_ u: SIPURI) -> String { (u.transport ?? "udp").lowercased() }
        return a.scheme == b.scheme && a.user == b.user && a.host.lowercased() == b.host.lowercased()
            && a.portOrDefault == b.portOrDefault && transport(a) == transport(b)
    }

    /// `Retry-After: delta-seconds [comment] *(;param)` (RFC 3261 §20.33): the leading number.
    static func retryAfter(_ response: SIPMessage) -> Duration? {
        guard let v = response.firstValue("Retry-After") else { return nil }
        let digits = v.drop { $0 == " " || $0 == "\t" }.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 10, let n = Int64(digits) else { return nil }
        return .seconds(n)
    }

    /// "403 Forbidden": the code with the registrar's own reason phrase.
    static func statusText(_ response: SIPMessage) -> String {
        let code = response.statusCode ?? 0
        let phrase = response.reasonPhrase ?? ""
        return phrase.isEmpty ? "\(code)" : "\(code) \(phrase)"
    }
}
