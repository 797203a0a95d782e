import SIPCore
import Timebase

/// INVITE client transaction, RFC 3261 §17.1.1 (Figure 5).
///
/// ```
///                  |INVITE from TU
///  Timer A fires   |INVITE sent          Timer B fires / Transport Err.
///  Reset A,        V                     -> inform TU, Terminated
///  INVITE sent +-----------+
///       +------|  Calling  |----2xx: 2xx to TU ------------------+
///       |      +-----------+                                     |
///       |  300-699 |    | 1xx: 1xx to TU                         |
///       |          |    V                                        |
///       |          | +-----------+ 1xx: 1xx to TU                |
///       |          | |Proceeding |----2xx: 2xx to TU ------------+
///       |          | +-----------+                               |
///       |  300-699: ACK sent, response to TU                     |
///       |          V                                             |
///       |   +-----------+ 300-699: ACK sent                      |
///       |   | Completed |                                        |
///       |   +-----------+ Timer D fires (0 on reliable)          |
///       |          V                                             V
///       |   +-------------------------------------------------------+
///       +-->|                      Terminated                       |
///           +-------------------------------------------------------+
/// ```
/// Why a value: the layer owns many of these; each event is a `mutating func` returning
/// effects, so the whole figure is testable with a virtual clock.
/// Not implemented: RFC 6026's Accepted state; a 2xx terminates as RFC 3261 says, and later
/// 2xx copies reach the layer as stray responses for the dialog layer to ACK.
public struct SIPClientInviteTransaction: Sendable {
    public enum State: Sendable, Hashable { case calling, proceeding, completed, terminated }

    public private(set) var state: State = .calling
    /// The INVITE as sent (retransmitted verbatim, and the source of ACK and CANCEL headers).
    public let request: SIPMessage
    public let isReliable: Bool
    public let timers: SIPTimerSettings
    /// True once any 1xx arrived: the precondition for sending a CANCEL (§9.1).
    public private(set) var hasReceivedProvisional = false

    private var timerA: MonotonicTime?
    private var intervalA: Duration
    private var timerB: MonotonicTime?
    private var timerD: MonotonicTime?
    /// The ACK built for the non-2xx final response, resent on its retransmissions.
    private var ack: SIPMessage?

    public init(request: SIPMessage, reliable: Bool, timers: SIPTimerSettings = .default) {
        self.request = request
        self.isReliable = reliable
        self.timers = timers
        self.intervalA = timers.initialRetransmitInterval
    }

    /// Sends the INVITE and arms timers A (unreliable only) and B.
    public mutating func start(now: MonotonicTime) -> [SIPTransactionEffect] {
        guard state == .calling, timerB == nil else { return [] }
        if !isReliable { timerA = now + intervalA }
        timerB = now + timers.timerB
        return [.send(request)]
    }

    public var nextDeadline: MonotonicTime? { [timerA, timerB, timerD].compactMap { $0 }.min() }

    /// A response whose branch and CSeq method matched this transaction.
    public mutating func receive(response: SIPMessage, now: MonotonicTime) -> [SIPTransactionEffect] {
        guard let code = response.statusCode else { return [] }
        switch (state, code) {
        case (.calling, 100..<200), (.proceeding, 100..<200):
            state = .proceeding
            hasReceivedProvisional = true
            timerA = nil
            timerB = nil
            return [.deliver(response)]
        case (.calling, 200..<300), (.proceeding, 200..<300):
            return [.deliver(response)] + terminate()
        case (.calling, 300...699), (.proceeding, 300...699):
            state = .completed
            timerA = nil
            timerB = nil
            let ack = Self.makeAck(for: request, response: response)
            self.ack = ack
            var out: [SIPTransactionEffect] = [.deliver(response), .send(ack)]
            let d = timers.timerD(reliable: isReliable)
            if d == .zero { out += terminate() } else { timerD = now + d }
            return out
        case (.completed, 300...699):
            // A retransmitted final response: our ACK was lost. The TU already has it.
            return ack.map { [.send($0)] } ?? []
        default:
            return []
        }
    }

    /// Fires every timer due at or before `now`, earliest first.
    public mutating func advance(to now: MonotonicTime) -> [SIPTransactionEffect] {
        var out: [SIPTransactionEffect] = []
        while state != .terminated, let due = nextDeadline, due <= now {
            if let d = timerD, d == due {
                out += terminate()
            } else if let b = timerB, b == due {
                out += [.timeout] + terminate()
            } else if let a = timerA, a == due {
                // Timer A doubles without a cap (§17.1.1.2); B ends it.
                intervalA = intervalA * 2
                timerA = a + intervalA
                out.append(.send(request))
            }
        }
        return out
    }

    /// The transport could not send (the INVITE or an ACK).
    public mutating func transportFailed() -> [SIPTransactionEffect] {
        guard state != .terminated else { return [] }
        return [.transportError] + terminate()
    }

    private mutating func terminate() -> [SIPTransactionEffect] {
        state = .terminated
        timerA = nil
        timerB = nil
        timerD = nil
        return [.terminated]
    }

    /// The ACK for a 300-699 response (§17.1.1.3): the INVITE's Request-URI, Call-ID, From,
    /// CSeq number and single top Via; To from the response (it carries the UAS tag); the
    /// INVITE's Route headers; no body.
    public static func makeAck(for request: SIPMessage, response: SIPMessage) -> SIPMessage {
        let uri = request.requestURI ?? SIPURI()
        var headers: [SIPHeaderField] = []
        if let via = topViaValue(of: request) { headers.append(SIPHeaderField(.via, via)) }
        headers.append(SIPHeaderField(.maxForwards, request.firstValue(.maxForwards) ?? "70"))
        if let from = request.firstValue(.from) { headers.append(SIPHeaderField(.from, from)) }
        if let to = response.firstValue(.to) ?? request.firstValue(.to) { headers.append(SIPHeaderField(.to, to)) }
        if let callID = request.firstValue(.callID) { headers.append(SIPHeaderField(.callID, callID)) }
        if let cseq = try? request.cseq() {
            headers.append(SIPHeaderField(.cseq, SIPCSeq(sequence: cseq.sequence, method: .ack).description))
        }
        headers += request.fields(.route).map { SIPHeaderField(.route, $0.value) }
        headers.append(SIPHeaderField(.contentLength, "0"))
        return .request(.ack, uri: uri, headers: headers)
    }

    /// The first value of the first Via field, verbatim (a field may hold several values).
    static func topViaValue(of message: SIPMessage) -> String? {
        guard let field = message.firstValue(.via) else { return nil }
        return (try? SIPHeaderSplitter.split(field, header: "Via"))?.first ?? field
    }
}
