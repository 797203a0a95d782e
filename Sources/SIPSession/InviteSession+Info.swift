import Foundation
import SIPCore
import SIPTransaction
import Wire

/// DTMF by SIP INFO (the legacy `application/dtmf-relay` and `application/dtmf` bodies most PBXs use where RFC 4733
/// is not negotiated): sending digits one INFO at a time, and reporting digits that arrive that way.
extension InviteSession {
    static let dtmfDigits = Set("0123456789*#ABCD")
    static let maxQueuedInfoDigits = 64

    /// Queues `digits` as INFO requests, one after the other (the next one once the previous one got its final
    /// response, so they arrive in order).
    mutating func sendInfoDTMF(digits: String, durationMs: Int, _ step: inout SessionStep) -> Result<SigAPI.CallDTMFInfo.Result, WireError> {
        guard isAnswered, dialog != nil else {
            return .failure(WireError(.failed, "call '\(id)' is \(state.rawValue): DTMF needs an answered call"))
        }
        let upper = digits.uppercased()
        guard !upper.isEmpty, upper.allSatisfy(Self.dtmfDigits.contains) else {
            return .failure(WireError(.badArgs, "digits must be 0-9, *, #, A-D (got '\(digits)')"))
        }
        guard (40...5000).contains(durationMs) else {
            return .failure(WireError(.badArgs, "duration_ms must be 40-5000 (got \(durationMs))"))
        }
        var queue = infoQueue ?? InfoDTMFQueue()
        guard queue.digits.count + upper.count <= Self.maxQueuedInfoDigits else {
            return .failure(WireError(.unavailable, "more than \(Self.maxQueuedInfoDigits) digits queued on call '\(id)'; wait for them to go out"))
        }
        queue.digits += upper.map { ($0, durationMs) }
        infoQueue = queue
        sendNextInfoDigit(&step)
        return .success(.init(call: CallID(id), queued: upper.count))
    }

    /// Sends the next queued digit unless one is still in flight.
    mutating func sendNextInfoDigit(_ step: inout SessionStep) {
        guard var queue = infoQueue, !queue.inFlight else { return }
        guard !queue.digits.isEmpty, dialog != nil else {
            infoQueue = nil
            return
        }
        let (digit, duration) = queue.digits.removeFirst()
        let body = Array("Signal=\(digit)\r\nDuration=\(duration)\r\n".utf8)
        guard case .success = sendInDialog(.info, purpose: .info, body: body, contentType: SIPMediaType(type: "application", subtype: "dtmf-relay"),
                                           &step) else {
            infoQueue = nil
            return
        }
        queue.inFlight = true
        infoQueue = queue
    }

    /// A final response to our INFO: the next digit goes out (a refused digit is logged, not retried); false when the
    /// dialog is gone (481, 408), for the usual handling to end the call.
    mutating func infoResponse(_ response: SIPMessage, _ step: inout SessionStep) -> Bool {
        guard let code = response.statusCode, code >= 200 else { return true }
        if code >= 300 { step.log("the peer refused a DTMF INFO with \(code)", cause: "info-refused:\(code)", call: id) }
        infoQueue?.inFlight = false
        sendNextInfoDigit(&step)
        return !(code == 481 || code == 408)
    }

    /// An INFO in our dialog: a DTMF body is reported as `dtmf.received`; an INFO without a body (a keep-alive) is
    /// accepted; other bodies get 415 with what we accept (RFC 6086 §4.2.2 for legacy INFO usage).
    mutating func handleInfo(_ request: SIPMessage, transaction: SIPServerTransactionID, _ step: inout SessionStep) {
        let type = request.firstValue(.contentType)?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard !request.body.isEmpty, let type else {
            step.respond(SIPResponseBuilder.response(to: request, status: 200, toTag: nil), on: transaction)
            return
        }
        guard type == "application/dtmf-relay" || type == "application/dtmf" else {
            var r = SIPResponseBuilder.response(to: request, status: 415, toTag: nil)
            r.set(.accept, "application/dtmf-relay, application/dtmf")
            step.respond(r, on: transaction)
            return
        }
        guard let event = InfoDTMF.parse(request.body, relay: type == "application/dtmf-relay") else {
            var r = SIPResponseBuilder.response(to: request, status: 400, reason: "Bad DTMF Body", toTag: nil)
            r.set("Warning", "399 sip-client \"expected Signal=<0-9*#A-D> and Duration=<ms> lines\"")
            step.respond(r, on: transaction)
            return
        }
        step.respond(SIPResponseBuilder.response(to: request, status: 200, toTag: nil), on: transaction)
        step.emit(.dtmf(DTMFReceivedEvent(call: CallID(id), digit: String(event.digit), method: .info, durationMs: event.durationMs)))
    }
}

/// Digits waiting to go out as INFO on one call.
struct InfoDTMFQueue: Sendable {
    var digits: [(Character, Int)] = []
    var inFlight = false
}

/// The bodies of DTMF INFO requests: `application/dtmf-relay` (`Signal=5` and `Duration=160` lines) and
/// `application/dtmf` (the digit alone). Signal 10 and 11 are the numeric forms of `*` and `#` some phones send.
enum InfoDTMF {
    static func parse(_ body: [UInt8], relay: Bool) -> (digit: Character, durationMs: Int?)? {
        guard body.count <= 1024 else { return nil }
        let text = String(decoding: body, as: UTF8.self)
        guard relay else { return digit(text.trimmingCharacters(in: .whitespacesAndNewlines)).map { ($0, nil) } }
        var signal: Character?, duration: Int?
        for line in text.split(whereSeparator: \.isNewline) {  // "\r\n" is one Character: isNewline, not == "\n"
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            switch parts[0].lowercased() {
            case "signal": signal = digit(parts[1])
            case "duration": duration = Int(parts[1]).flatMap { (0...60_000).contains($0) ? $0 : nil }
            default: break
            }
        }
        return signal.map { ($0, duration) }
    }

    private static func digit(_ text: String) -> Character? {
        switch text.uppercased() {
        case "10": "*"
        case "11": "#"
        case let s where s.count == 1 && InviteSession.dtmfDigits.contains(s.first!): s.first!
        default: nil
        }
    }
}
