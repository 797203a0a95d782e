import SIPCore
import SIPTransaction
import Timebase

/// Reliable provisional responses (RFC 3262, 100rel), both ways: we PRACK a peer's reliable 1xx once, and when a
/// caller requires 100rel our 180 carries RSeq and is resent at T1, 2T1 ... T2 until its PRACK; after 64*T1 without
/// one the call fails with 504 (§3).
extension InviteSession {
    /// A reliable provisional response to our INVITE (Require: 100rel with RSeq): PRACK it once (§7.2).
    mutating func prackIfReliable(_ response: SIPMessage, _ step: inout SessionStep) {
        guard ((try? response.require()) ?? []).contains("100rel"), let rseqText = response.firstValue(SIPHeaderName("RSeq")),
              let rseq = UInt32(rseqText.trimmingCharacters(in: .whitespaces)), let cseq = try? response.cseq(), dialog != nil else { return }
        if let last = lastRSeq, rseq <= last { return }  // a retransmission: our PRACK's transaction handles it
        lastRSeq = rseq
        sendInDialog(.prack, purpose: .prack, headers: [SIPHeaderField("RAck", "\(rseq) \(cseq.sequence) INVITE")], &step)
    }

    /// Our 180 to an INVITE that requires 100rel: RSeq and Require: 100rel, retransmitted until PRACKed.
    mutating func makeReliable(_ ringing: inout SIPMessage, _ step: inout SessionStep) {
        let rseq = UInt32.random(in: 1...1_000_000, using: &step.context.random)
        ringing.set(.require, "100rel")
        ringing.set("RSeq", String(rseq))
        let t1 = step.timers.t1
        reliableProvisional = ReliableProvisional(response: ringing, rseq: rseq, interval: t1, next: step.now + t1, giveUpAt: step.now + t1 * 64)
        step.add(.arm(.reliableProvisional, at: step.now + t1))
    }

    /// Resends the unacknowledged reliable provisional, or gives up after 64*T1.
    mutating func retransmitReliableProvisional(_ step: inout SessionStep) {
        guard var pending = reliableProvisional, let transaction = serverTransaction else { return }
        if step.now >= pending.giveUpAt {
            reliableProvisional = nil
            step.log("no PRACK for our reliable 180", cause: "prack-timeout", call: id)
            if !isAnswered { _ = reject(code: 504, reason: "No PRACK", &step) }
            return
        }
        step.respond(pending.response, on: transaction)
        pending.interval = min(pending.interval * 2, step.timers.t2)
        pending.next = step.now + pending.interval
        reliableProvisional = pending
        step.add(.arm(.reliableProvisional, at: pending.next))
    }

    mutating func stopReliableProvisional(_ step: inout SessionStep) {
        guard reliableProvisional != nil else { return }
        reliableProvisional = nil
        step.add(.disarm(.reliableProvisional))
    }

    /// A PRACK in one of our (early) dialogs: 200 when it acknowledges our reliable provisional, 481 otherwise (§3).
    mutating func handlePrack(_ request: SIPMessage, transaction: SIPServerTransactionID, _ step: inout SessionStep) {
        let rack = request.firstValue(SIPHeaderName("RAck"))?.split(separator: " ").first.flatMap { UInt32($0) }
        guard let pending = reliableProvisional, rack == pending.rseq else {
            step.respond(SIPResponseBuilder.response(to: request, status: 481, toTag: nil), on: transaction)
            return
        }
        stopReliableProvisional(&step)
        step.respond(SIPResponseBuilder.response(to: request, status: 200, toTag: nil), on: transaction)
    }
}

/// Our reliable 180 waiting for its PRACK.
struct ReliableProvisional: Sendable {
    var response: SIPMessage
    var rseq: UInt32
    var interval: Duration
    var next: MonotonicTime
    var giveUpAt: MonotonicTime
}
