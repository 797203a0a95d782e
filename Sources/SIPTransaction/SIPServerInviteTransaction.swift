import SIPCore
import Timebase

/// INVITE server transaction, RFC 3261 §17.2.1 (Figure 7).
///
/// ```
///                    |INVITE: pass to TU; 100 Trying after 200 ms unless the TU answers
///  INVITE: resend    V
///  last 1xx   +-----------+
///    +--------| Proceeding|---- 2xx from TU: send ------------------+
///    |        +-----------+                                         |
///    |  300-699 from TU |  1xx from TU: send                        |
///    |  send response   V                                           |
///    |        +-----------+  Timer G: resend, G = min(2G, T2)       |
///    |        | Completed |  INVITE: resend final                   |
///    |        +-----------+  Timer H / Transport Err: inform TU ----+
///    |              | ACK                                           |
///    |              V                                               |
///    |        +-----------+                                         |
///    |        | Confirmed |  ACK: absorbed                          |
///    |        +-----------+  Timer I (0 on reliable) ---------------+
///    |                                                              V
///    +----------------------------------------------------------> Terminated
/// ```
/// Why 2xx terminates at once: per RFC 3261 the UAS core retransmits 2xx itself
/// (`SIPTwoXXRetransmitter`) and the ACK for a 2xx is a new transaction. RFC 6026's Accepted
/// state, which would absorb INVITE retransmissions after a 2xx, is not implemented.
public struct SIPServerInviteTransaction: Sendable {
    public enum State: Sendable, Hashable { case proceeding, completed, confirmed, terminated }

    public private(set) var state: State = .proceeding
    /// The INVITE that created the transaction (with `received`/`rport` filled in).
    public let request: SIPMessage
    public let isReliable: Bool
    public let timers: SIPTimerSettings
    /// The last response sent, resent on request retransmissions and by timer G.
    public private(set) var lastResponse: SIPMessage?

    private var timerTrying: MonotonicTime?
    private var timerG: MonotonicTime?
    private var intervalG: Duration
    private var timerH: MonotonicTime?
    private var timerI: MonotonicTime?

    public init(request: SIPMessage, reliable: Bool, timers: SIPTimerSettings = .default) {
        self.request = request
        self.isReliable = reliable
        self.timers = timers
        self.intervalG = timers.initialRetransmitInterval
    }

    /// Arms the 100 Trying timer. The layer delivers the request to the TU.
    public mutating func start(now: MonotonicTime) -> [SIPTransactionEffect] {
        guard state == .proceeding, lastResponse == nil, timerTrying == nil else { return [] }
        if timers.trying100Delay == .zero { return sendTrying() }
        timerTrying = now + timers.trying100Delay
        return []
    }

    public var nextDeadline: MonotonicTime? { [timerTrying, timerG, timerH, timerI].compactMap { $0 }.min() }

    /// True until a final response was sent: the TU may still answer (e.g. 487 after CANCEL).
    public var isAwaitingFinalResponse: Bool { state == .proceeding }

    /// The TU's response. Ignored once a final response was sent.
    public mutating func send(response: SIPMessage, now: MonotonicTime) -> [SIPTransactionEffect] {
        guard state == .proceeding, let code = response.statusCode else { return [] }
        timerTrying = nil
        lastResponse = response
        switch code {
        case 100..<200:
            return [.send(response)]
        case 200..<300:
            return [.send(response)] + terminate()
        default:
            state = .completed
            if !isReliable { timerG = now + intervalG }
            timerH = now + timers.timerH
            return [.send(response)]
        }
    }

    /// A retransmission of the INVITE (matched by the layer).
    public mutating func receiveRetransmission(now: MonotonicTime) -> [SIPTransactionEffect] {
        switch state {
        case .proceeding:
            // The client is still waiting; if nothing was sent yet, 100 Trying now beats waiting.
            if let lastResponse { return [.send(lastResponse)] }
            timerTrying = nil
            return sendTrying()
        case .completed:
            return lastResponse.map { [.send($0)] } ?? []
        case .confirmed, .terminated:
            return []
        }
    }

    /// An ACK matched to this transaction: the ACK for our non-2xx final response.
    public mutating func receiveAck(now: MonotonicTime) -> [SIPTransactionEffect] {
        guard state == .completed else { return [] }   // Confirmed absorbs ACK retransmissions.
        state = .confirmed
        timerG = nil
        timerH = nil
        let i = timers.timerI(reliable: isReliable)
        if i == .zero { return terminate() }
        timerI = now + i
        return []
    }

    public mutating func advance(to now: MonotonicTime) -> [SIPTransactionEffect] {
        var out: [SIPTransactionEffect] = []
        while state != .terminated, let due = nextDeadline, due <= now {
            if let i = timerI, i == due {
                out += terminate()
            } else if let h = timerH, h == due {
                out += [.timeout] + terminate()
            } else if let g = timerG, g == due {
                intervalG = min(intervalG * 2, timers.t2)
                timerG = g + intervalG
                if let lastResponse { out.append(.send(lastResponse)) }
            } else if let t = timerTrying, t == due {
                timerTrying = nil
                out += sendTrying()
            }
        }
        return out
    }

    public mutating func transportFailed() -> [SIPTransactionEffect] {
        guard state != .terminated else { return [] }
        return [.transportError] + terminate()
    }

    private mutating func sendTrying() -> [SIPTransactionEffect] {
        let trying = SIPResponseBuilder.response(to: request, status: 100, toTag: nil)
        lastResponse = trying
        return [.send(trying)]
    }

    private mutating func terminate() -> [SIPTransactionEffect] {
        state = .terminated
        timerTrying = nil
        timerG = nil
        timerH = nil
        timerI = nil
        return [.terminated]
    }
}
