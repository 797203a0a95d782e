import Foundation
import SIPCore
import SIPTransaction
import Timebase

/// Session timers (RFC 4028): the side named refresher re-INVITEs at half the interval; the other side ends a call
/// that was not refreshed by the interval minus min(32 s, interval/3) with a BYE (§10). Any re-INVITE or UPDATE
/// refreshes.
extension InviteSession {
    // MARK: headers

    /// Supported, Session-Expires and Min-SE for an INVITE we send (an initial one, or a refresh while a timer runs).
    func sessionTimerHeaders(_ settings: SessionSettings) -> [SIPHeaderField] {
        var fields = [SIPHeaderField(.supported, UASResponses.supportedOptions.joined(separator: ", "))]
        let interval = sessionTimer?.interval ?? settings.sessionExpires
        guard interval > 0 else { return fields }
        let refresher = sessionTimer.map { $0.weRefresh ? ";refresher=uac" : ";refresher=uas" } ?? ""
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

    /// A peer's Session-Expires against our Min-SE: the 422 response to send when it is too short.
    static func sessionIntervalTooSmall(_ request: SIPMessage, toTag: String?, _ settings: SessionSettings) -> SIPMessage? {
        guard let asked = sessionExpires(request), asked.seconds < settings.minSE else { return nil }
        var r = SIPResponseBuilder.response(to: request, status: 422, toTag: toTag)
        r.set("Min-SE", String(settings.minSE))
        return r
    }

    /// Decides the session timer for an INVITE/UPDATE we answer with 2xx, adds its headers to the response and
    /// (re)starts the timer. Without Session-Expires in the request, we add one only when the peer supports timer
    /// and we ask for timers (§9).
    mutating func applySessionTimer(request: SIPMessage, response: inout SIPMessage, _ step: inout SessionStep) {
        let settings = step.settings
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
            if sessionTimer != nil {
                sessionTimer = nil
                step.add(.disarm(.sessionTimer))
            }
            return
        }
        if !peerSupports { refresher = "uas" }  // a peer without timer cannot refresh: we do (§9)
        response.set("Session-Expires", "\(interval);refresher=\(refresher)")
        if peerSupports { response.set(.require, "timer") }
        startSessionTimer(interval: interval, weRefresh: refresher == "uas", &step)
    }

    // MARK: as the UAC

    /// A 2xx to our INVITE or re-INVITE: the session timer it grants (none without Session-Expires, §7.2; a running
    /// one starts over).
    mutating func sessionTimerFromAnswer(_ response: SIPMessage, _ step: inout SessionStep) {
        guard let granted = Self.sessionExpires(response) else {
            if let timer = sessionTimer { startSessionTimer(interval: timer.interval, weRefresh: timer.weRefresh, &step) }
            return
        }
        startSessionTimer(interval: granted.seconds, weRefresh: granted.refresher != "uas", &step)
    }

    mutating func startSessionTimer(interval: Int, weRefresh: Bool, at due: MonotonicTime? = nil, _ step: inout SessionStep) {
        let wait = weRefresh ? Duration.seconds(interval) / 2 : .seconds(interval - min(32, interval / 3))
        let deadline = due ?? step.now + wait
        sessionTimer = SessionExpiry(interval: interval, weRefresh: weRefresh, deadline: deadline)
        step.add(.arm(.sessionTimer, at: deadline))
    }

    /// The timer is due: we refresh (unless an exchange is under way: it refreshes; we look again in a second), or the
    /// peer let the session expire and we end it.
    mutating func sessionTimerDue(_ step: inout SessionStep) {
        guard let timer = sessionTimer, step.now >= timer.deadline else { return }
        guard isAnswered else {  // not yet answered: looked at again shortly
            step.add(.arm(.sessionTimer, at: step.now + .milliseconds(100)))
            return
        }
        if timer.weRefresh {
            if offerInProgress {
                moveSessionTimer(to: step.now + .seconds(1), &step)
                return
            }
            moveSessionTimer(to: step.now + .seconds(max(1, timer.interval / 2)), &step)
            if let failure = sendReinvite(hold: localHold, direction: holdDirection, &step) {
                step.log("session refresh failed: \(failure)", cause: "session-refresh", call: id)
            }
        } else {
            step.log("the peer did not refresh the session within \(timer.interval) s", cause: "session-expired", call: id)
            _ = hangup(reason: "session timer expired (RFC 4028)", normal: false, &step)
        }
    }

    private mutating func moveSessionTimer(to deadline: MonotonicTime, _ step: inout SessionStep) {
        sessionTimer?.deadline = deadline
        step.add(.arm(.sessionTimer, at: deadline))
    }
}

/// A running session timer: when we next refresh (`weRefresh`) or when the session expires for lack of refresh.
struct SessionExpiry: Sendable, Equatable {
    var interval: Int
    var weRefresh: Bool
    var deadline: MonotonicTime
}
