import SIPCore
import Timebase

/// Non-INVITE server transaction, RFC 3261 §17.2.2 (Figure 8).
///
/// ```
///                   |Request received: pass to TU
///                   V
///             +-----------+  request retransmission: absorbed
///             |  Trying   |-------------+
///             +-----------+             |
///      1xx from TU: send |              | 200-699 from TU: send
///                        V              |
///             +-----------+ 1xx from TU: send; request: resend last 1xx
///             |Proceeding |-------------+
///             +-----------+             | 200-699 from TU: send
///                                       V
///             +-----------+  request: resend final
///             | Completed |  Timer J (0 on reliable) / Transport Err
///             +-----------+-------------> Terminated
/// ```
/// A non-INVITE server transaction never sends a provisional on its own (RFC 4320 advice is
/// left to the TU).
public struct SIPServerNonInviteTransaction: Sendable {
    public enum State: Sendable, Hashable { case trying, proceeding, completed, terminated }

    public private(set) var state: State = .trying
    public let request: SIPMessage
    public let isReliable: Bool
    public let timers: SIPTimerSettings
    public private(set) var lastResponse: SIPMessage?

    private var timerJ: MonotonicTime?

    public init(request: SIPMessage, reliable: Bool, timers: SIPTimerSettings = .default) {
        self.request = request
        self.isReliable = reliable
        self.timers = timers
    }

    public var nextDeadline: MonotonicTime? { timerJ }

    public var isAwaitingFinalResponse: Bool { state == .trying || state == .proceeding }

    public mutating func send(response: SIPMessage, now: MonotonicTime) -> [SIPTransactionEffect] {
        guard isAwaitingFinalResponse, let code = response.statusCode else { return [] }
        lastResponse = response
        if code < 200 {
            state = .proceeding
            return [.send(response)]
        }
        state = .completed
        let j = timers.timerJ(reliable: isReliable)
        if j == .zero { return [.send(response)] + terminate() }
        timerJ = now + j
        return [.send(response)]
    }

    public mutating func receiveRetransmission(now: MonotonicTime) -> [SIPTransactionEffect] {
        switch state {
        case .trying, .terminated: return []
        case .proceeding, .completed: return lastResponse.map { [.send($0)] } ?? []
        }
    }

    public mutating func advance(to now: MonotonicTime) -> [SIPTransactionEffect] {
        guard state != .terminated, let j = timerJ, j <= now else { return [] }
        return terminate()
    }

    public mutating func transportFailed() -> [SIPTransactionEffect] {
        guard state != .terminated else { return [] }
        return [.transportError] + terminate()
    }

    private mutating func terminate() -> [SIPTransactionEffect] {
        state = .terminated
        timerJ = nil
        return [.terminated]
    }
}
