import SIPCore
import Timebase

/// Non-INVITE client transaction, RFC 3261 §17.1.2 (Figure 6).
///
/// ```
///                    |Request from TU, request sent
///  Timer E: send,    V
///  E = min(2E,T2) +-----------+  Timer F / Transport Err: inform TU
///       +---------|  Trying   |-----------------------------------+
///       |         +-----------+                                   |
///       |   200-699 |    | 1xx: resp. to TU                       |
///       |           |    V                                        |
///       |           | +-----------+ Timer E: send, E = T2         |
///       |           | |Proceeding |--------- Timer F / Transport --+
///       |           | +-----------+ 1xx: resp. to TU              |
///       |  200-699: resp. to TU                                   |
///       |           V                                             |
///       |    +-----------+ Timer K (0 on reliable)                |
///       |    | Completed |-------------------------------------+  |
///       |    +-----------+                                     V  V
///       +------------------------------------------------> Terminated
/// ```
/// Timer E note: a 1xx does not reschedule the pending E; when that E fires in Proceeding the
/// request is resent and E restarts at T2 (§17.1.2.2), so from then on retransmissions are T2
/// apart. Timer F keeps running in Proceeding.
public struct SIPClientNonInviteTransaction: Sendable {
    public enum State: Sendable, Hashable { case trying, proceeding, completed, terminated }

    public private(set) var state: State = .trying
    public let request: SIPMessage
    public let isReliable: Bool
    public let timers: SIPTimerSettings
    public private(set) var hasReceivedProvisional = false

    private var timerE: MonotonicTime?
    private var intervalE: Duration
    private var timerF: MonotonicTime?
    private var timerK: MonotonicTime?

    public init(request: SIPMessage, reliable: Bool, timers: SIPTimerSettings = .default) {
        self.request = request
        self.isReliable = reliable
        self.timers = timers
        self.intervalE = timers.initialRetransmitInterval
    }

    /// Sends the request and arms timers E (unreliable only) and F.
    public mutating func start(now: MonotonicTime) -> [SIPTransactionEffect] {
        guard state == .trying, timerF == nil else { return [] }
        if !isReliable { timerE = now + intervalE }
        timerF = now + timers.timerF
        return [.send(request)]
    }

    public var nextDeadline: MonotonicTime? { [timerE, timerF, timerK].compactMap { $0 }.min() }

    public mutating func receive(response: SIPMessage, now: MonotonicTime) -> [SIPTransactionEffect] {
        guard let code = response.statusCode else { return [] }
        switch (state, code) {
        case (.trying, 100..<200), (.proceeding, 100..<200):
            state = .proceeding
            hasReceivedProvisional = true
            return [.deliver(response)]
        case (.trying, 200...699), (.proceeding, 200...699):
            state = .completed
            timerE = nil
            timerF = nil
            let k = timers.timerK(reliable: isReliable)
            if k == .zero { return [.deliver(response)] + terminate() }
            timerK = now + k
            return [.deliver(response)]
        default:
            // Completed absorbs retransmitted finals; nothing reaches the TU twice.
            return []
        }
    }

    public mutating func advance(to now: MonotonicTime) -> [SIPTransactionEffect] {
        var out: [SIPTransactionEffect] = []
        while state != .terminated, let due = nextDeadline, due <= now {
            if let k = timerK, k == due {
                out += terminate()
            } else if let f = timerF, f == due {
                out += [.timeout] + terminate()
            } else if let e = timerE, e == due {
                intervalE = state == .proceeding ? timers.t2 : min(intervalE * 2, timers.t2)
                timerE = e + intervalE
                out.append(.send(request))
            }
        }
        return out
    }

    public mutating func transportFailed() -> [SIPTransactionEffect] {
        guard state != .terminated else { return [] }
        return [.transportError] + terminate()
    }

    private mutating func terminate() -> [SIPTransactionEffect] {
        state = .terminated
        timerE = nil
        timerF = nil
        timerK = nil
        return [.terminated]
    }
}
