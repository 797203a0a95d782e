import SIPCore
import Timebase

/// The UAS core's 2xx retransmission for an INVITE (RFC 3261 §13.3.1.4).
///
/// Why outside the transaction: a 2xx ends the INVITE server transaction at once, so the UAS
/// core keeps resending the 2xx itself until the ACK (which the layer delivers as `deliverAck`)
/// arrives: first after T1, doubling up to T2. After 64*T1 without ACK it gives up and reports
/// `gaveUp`; the dialog is then confirmed but the session should be ended with BYE.
/// Reliable transports are not exempt: the RFC has the UAS retransmit regardless, since a
/// downstream hop may be UDP.
///
/// Use: send the 2xx through `sendResponse`, create this with the same `now`, then
/// `advance(to:)` at `nextDeadline` and `acknowledge()` when the ACK arrives.
public struct SIPTwoXXRetransmitter: Sendable {
    public enum Action: Sendable, Hashable {
        /// Send the 2xx again (to the same destination as the first one).
        case retransmit(SIPMessage)
        /// 64*T1 passed without an ACK: the TU should send BYE.
        case gaveUp
    }

    public enum State: Sendable, Hashable { case retransmitting, acknowledged, gaveUp }

    public let response: SIPMessage
    public let timers: SIPTimerSettings
    public private(set) var state: State = .retransmitting

    private var nextRetransmit: MonotonicTime?
    private var interval: Duration
    private var giveUpAt: MonotonicTime?

    /// - Parameter now: when the 2xx was first sent.
    public init(response: SIPMessage, now: MonotonicTime, timers: SIPTimerSettings = .default) {
        self.response = response
        self.timers = timers
        self.interval = timers.t1
        self.nextRetransmit = now + timers.t1
        self.giveUpAt = now + timers.timerH   // 64*T1 (shares the override with B/F/H/J)
    }

    public var nextDeadline: MonotonicTime? { [nextRetransmit, giveUpAt].compactMap { $0 }.min() }

    /// Fires what is due at or before `now`. A retransmission due at the give-up instant is
    /// not sent: the give-up wins.
    public mutating func advance(to now: MonotonicTime) -> [Action] {
        var out: [Action] = []
        while state == .retransmitting, let due = nextDeadline, due <= now {
            if let g = giveUpAt, g == due {
                state = .gaveUp
                nextRetransmit = nil
                giveUpAt = nil
                out.append(.gaveUp)
            } else if let r = nextRetransmit, r == due {
                interval = min(interval * 2, timers.t2)
                nextRetransmit = r + interval
                out.append(.retransmit(response))
            }
        }
        return out
    }

    /// The ACK for this 2xx arrived: stop.
    public mutating func acknowledge() {
        guard state == .retransmitting else { return }
        state = .acknowledged
        nextRetransmit = nil
        giveUpAt = nil
    }
}
