import SIPCore
import SIPDialog
import SIPTransaction
import Timebase
import Wire

/// Session timers (RFC 4028) and reliable provisional responses (RFC 3262, 100rel/PRACK).
///
/// Session timer: the side named refresher re-INVITEs at half the interval; the other side ends a call that was not
/// refreshed by the interval minus min(32 s, interval/3) with a BYE (§10). Any re-INVITE or UPDATE refreshes.
/// 100rel: we PRACK a peer's reliable provisional responses, and when a caller requires 100rel our 180 is sent
/// reliably (RSeq, retransmitted at T1, 2T1, ... until its PRACK).
extension SignalingService {
    /// Option tags we support (Supported in our requests and OPTIONS answers; an INVITE may Require them).
    static let supportedOptions = ["100rel", "timer", "replaces"]

    // MARK: headers

    /// Session-Expires and Min-SE for an INVITE we send (an initial one, or a refresh while a timer runs).
    func sessionTimerHeaders(for call: CallSession?) -> [SIPHeaderField] {
        var fields = [SIPHeaderField(.supported, Self.supportedOptions.joined(separator: ", "))]
        let interval = call?.sessionTimer?.interval ?? settings.sessionExpires
        guard interval > 0 else { return fields }
        let refresher = call?.sessionTimer.map { $0.weRefresh ? ";refresher=uac" : ";refresher=uas" } ?? ""
        fields.append(SIPHeaderField("Session-Expires", "\(interval)\(refresher)"))
        fields.append(SIPHeaderField("Min-SE", String(settings.minSE)))
        return fields
    }

    /// `Session-Expires: 1800;refresher=uac` → (1800, "uac").
    static func sessionExpires(_ message: SIPMessage) -> (seconds: Int, refresher: String?)? {
        guard let value = message.firstValue(SIPHeaderName("Session-Expires")) else { return nil }
        let parts = value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let first = parts.first, let seconds = Int(first), seconds > 0 else { return nil }
        let refresher = parts.dropFirst().first { $0.lowercased().hasPrefix("refresher=") }.map { String($0.dropFirst("refresher=".count)).lowercased() }
        return (seconds, refresher)
    }

    // MARK: as the UAS of an INVITE (initial or re-INVITE / UPDATE)

    /// Checks a peer's Session-Expires against our Min-SE: a 422 response to send when it is too short.
    func sessionIntervalTooSmall(_ request: SIPMessage, toTag: String?) -> SIPMessage? {
        guard let asked = Self.sessionExpires(request), asked.seconds < settings.minSE else { return nil }
        var r = SIPResponseBuilder.response(to: request, status: 422, toTag: toTag)
        r.set("Min-SE", String(settings.minSE))
        return r
    }

    /// Decides the session timer for an INVITE/UPDATE we answer with 2xx, adds its headers to the response and
    /// (re)starts the call's timer. Without Session-Expires in the request, we add one only when the peer supports
    /// timer and we ask for timers (§9).
    func applySessionTimer(request: SIPMessage, response: inout SIPMessage, call: inout CallSession) {
        let peerSupports = ((try? request.supported()) ?? []).contains("timer") || ((try? request.require()) ?? []).contains("timer")
        let interval: Int
        var refresher: String
        if let asked = Self.sessionExpires(request) {
            interval = max(asked.seconds, settings.minSE)
            refresher = asked.refresher ?? (peerSupports ? "uac" : "uas")
        } else if peerSupports, settings.sessionExpires > 0 {
            interval = max(settings.sessionExpires, settings.minSE)
            refresher = "uac"
        } else {
            call.sessionTimer = nil
            return
        }
        if !peerSupports { refresher = "uas" }  // a peer without timer cannot refresh: we do (§9)
        response.set("Session-Expires", "\(interval);refresher=\(refresher)")
        if peerSupports { response.set(.require, "timer") }
        startSessionTimer(&call, interval: interval, weRefresh: refresher == "uas")
    }

    // MARK: as the UAC

    /// A 2xx to our INVITE or re-INVITE: the session timer it grants (none without Session-Expires, §7.2).
    func sessionTimerFromAnswer(_ response: SIPMessage, call: inout CallSession) {
        guard let granted = Self.sessionExpires(response) else {
            if call.sessionTimer != nil, let timer = call.sessionTimer { startSessionTimer(&call, interval: timer.interval, weRefresh: timer.weRefresh) }
            return
        }
        startSessionTimer(&call, interval: granted.seconds, weRefresh: granted.refresher != "uas")
    }

    func startSessionTimer(_ call: inout CallSession, interval: Int, weRefresh: Bool) {
        let due = weRefresh ? Duration.seconds(interval) / 2 : .seconds(interval - min(32, interval / 3))
        call.sessionTimer = SessionTimer(interval: interval, weRefresh: weRefresh, deadline: now + due)
    }

    /// Called every tick: refreshes the sessions we refresh, ends the ones the peer let expire.
    func tickSessionTimers(now t: MonotonicTime) {
        for (id, call) in calls where call.isAnswered {
            guard let timer = call.sessionTimer, t >= timer.deadline else { continue }
            if timer.weRefresh {
                if call.reinvite != nil || call.twoXX != nil {  // an offer/answer is under way: it refreshes
                    calls[id]?.sessionTimer?.deadline = t + .seconds(1)
                    continue
                }
                calls[id]?.sessionTimer?.deadline = t + .seconds(max(1, timer.interval / 2))
                if let failure = sendReinvite(id, hold: call.localHold, direction: call.holdDirection) {
                    log("session refresh failed: \(failure)", cause: "session-refresh", call: id)
                }
            } else {
                log("the peer did not refresh the session within \(timer.interval) s", cause: "session-expired", call: id)
                hangup(callID: id, reason: "session timer expired (RFC 4028)", normal: false)
            }
        }
    }

    // MARK: 100rel

    /// A reliable provisional response to our INVITE (Require: 100rel with RSeq): PRACK it once (§7.2).
    func prackIfReliable(_ response: SIPMessage, callID id: String) {
        guard ((try? response.require()) ?? []).contains("100rel"), let rseqText = response.firstValue(SIPHeaderName("RSeq")),
              let rseq = UInt32(rseqText.trimmingCharacters(in: .whitespaces)), let cseq = try? response.cseq(),
              var call = calls[id], call.dialog != nil else { return }
        if let last = call.lastRSeq, rseq <= last { return }  // a retransmission: our PRACK's transaction handles it
        call.lastRSeq = rseq
        calls[id] = call
        if case .success(let sent) = sendInDialog(id, method: .prack, headers: [SIPHeaderField("RAck", "\(rseq) \(cseq.sequence) INVITE")]) {
            notifyTransactions.insert(sent.transaction)  // its 200 needs nothing from us
        }
    }

    /// Our 180 to an INVITE that requires 100rel: RSeq and Require: 100rel, retransmitted until PRACKed.
    func makeReliable(_ ringing: inout SIPMessage, call: inout CallSession) {
        let rseq = UInt32.random(in: 1...1_000_000)
        ringing.set(.require, "100rel")
        ringing.set("RSeq", String(rseq))
        call.reliableProvisional = ReliableProvisional(response: ringing, rseq: rseq, interval: timers.t1,
                                                        next: now + timers.t1, giveUpAt: now + timers.t1 * 64)
    }

    /// Retransmits unacknowledged reliable provisionals; after 64*T1 without PRACK the call fails with 504 (§3).
    func tickReliableProvisionals(now t: MonotonicTime) {
        for (id, call) in calls {
            guard var pending = call.reliableProvisional, t >= pending.next, let transaction = call.serverTransaction else { continue }
            if t >= pending.giveUpAt {
                calls[id]?.reliableProvisional = nil
                log("no PRACK for our reliable 180", cause: "prack-timeout", call: id)
                if !call.isAnswered { _ = reject(callID: id, code: 504, reason: "No PRACK") }
                continue
            }
            respond(pending.response, transaction: transaction)
            pending.interval = min(pending.interval * 2, timers.t2)
            pending.next = t + pending.interval
            calls[id]?.reliableProvisional = pending
        }
    }

    /// A PRACK in one of our (early) dialogs: 200 when it acknowledges our reliable provisional, 481 otherwise (§3).
    func handlePrack(_ request: SIPMessage, callID id: String, transaction: SIPServerTransactionID) {
        let rack = request.firstValue(SIPHeaderName("RAck"))?.split(separator: " ").first.flatMap { UInt32($0) }
        guard let pending = calls[id]?.reliableProvisional, rack == pending.rseq else {
            respond(SIPResponseBuilder.response(to: request, status: 481, toTag: nil), transaction: transaction)
            return
        }
        calls[id]?.reliableProvisional = nil
        respond(SIPResponseBuilder.response(to: request, status: 200, toTag: nil), transaction: transaction)
    }
}

/// A running session timer: when we next refresh (`weRefresh`) or when the session expires for lack of refresh.
struct SessionTimer: Sendable, Equatable {
    var interval: Int
    var weRefresh: Bool
    var deadline: MonotonicTime
}

/// Our reliable 180 waiting for its PRACK.
struct ReliableProvisional: Sendable {
    var response: SIPMessage
    var rseq: UInt32
    var interval: Duration
    var next: MonotonicTime
    var giveUpAt: MonotonicTime
}
