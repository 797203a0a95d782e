import Testing
import SIPCore
@testable import SIPTransaction
import Timebase

/// Shared fixtures: addresses, message builders and a virtual-clock driver.
/// No test sleeps; time only moves when a test says so.

let udpPeer = SIPTransportAddress(transport: .udp, host: "192.0.2.10", port: 5060)
let tcpPeer = SIPTransportAddress(transport: .tcp, host: "192.0.2.10", port: 5060)
let localVia = "SIP/2.0/UDP 192.0.2.1:5060"

/// Seconds (with millisecond precision) as virtual time.
func at(_ seconds: Double) -> MonotonicTime { .milliseconds(Int64((seconds * 1000).rounded())) }

func uri(_ text: String = "sip:bob@example.com") -> SIPURI {
    (try? SIPURI.parse(text)) ?? SIPURI(host: "example.com")
}

/// A request as a UAC would send it or a UAS would receive it.
func makeRequest(_ method: SIPMethod = .invite, branch: String = "z9hG4bKinv1",
                 via: String = "SIP/2.0/UDP 192.0.2.10:5060", extraVias: [String] = [],
                 fromTag: String = "ft1", toTag: String? = nil, callID: String = "call-1",
                 cseq: UInt32 = 1, cseqMethod: SIPMethod? = nil, routes: [String] = [],
                 requestURI: String = "sip:bob@example.com") -> SIPMessage {
    var headers: [SIPHeaderField] = [SIPHeaderField(.via, via + (branch.isEmpty ? "" : ";branch=" + branch))]
    headers += extraVias.map { SIPHeaderField(.via, $0) }
    headers += routes.map { SIPHeaderField(.route, $0) }
    headers.append(SIPHeaderField(.maxForwards, "70"))
    headers.append(SIPHeaderField(.from, "\"Alice\" <sip:alice@example.com>;tag=" + fromTag))
    headers.append(SIPHeaderField(.to, "<sip:bob@example.com>" + (toTag.map { ";tag=" + $0 } ?? "")))
    headers.append(SIPHeaderField(.callID, callID))
    headers.append(SIPHeaderField(.cseq, "\(cseq) \(cseqMethod ?? method)"))
    headers.append(SIPHeaderField(.contact, "<sip:alice@192.0.2.10:5060>"))
    return .request(method, uri: uri(requestURI), headers: headers)
}

/// An outgoing request carrying our own Via.
func makeOutgoing(_ method: SIPMethod = .invite, branch: String = "z9hG4bKout1",
                  routes: [String] = []) -> SIPMessage {
    makeRequest(method, branch: branch, via: localVia, routes: routes)
}

/// The response a peer would send to `request`.
func makeResponse(_ status: Int, to request: SIPMessage, toTag: String? = "tt1") -> SIPMessage {
    SIPResponseBuilder.response(to: request, status: status, toTag: toTag)
}

/// One action observed at a virtual instant.
struct Timed {
    var time: MonotonicTime
    var action: SIPTransactionAction
}

/// Fires the layer's timers one deadline at a time up to `end`, recording when each action happened.
func runTimers(_ layer: inout SIPTransactionLayer, until end: MonotonicTime) -> [Timed] {
    var out: [Timed] = []
    while let deadline = layer.nextDeadline, deadline <= end {
        out += layer.advance(to: deadline).map { Timed(time: deadline, action: $0) }
    }
    return out
}

extension SIPTransactionAction {
    /// The message of a `.send`, nil otherwise.
    var sentMessage: SIPMessage? {
        if case .send(let m, _) = self { return m }
        return nil
    }

    var sentTo: SIPTransportAddress? {
        if case .send(_, let to) = self { return to }
        return nil
    }

    var deliveredRequest: (SIPMessage, SIPServerTransactionID)? {
        if case .deliverRequest(let m, _, let id) = self { return (m, id) }
        return nil
    }

    var isTerminated: Bool {
        if case .terminated = self { return true }
        return false
    }
}

extension Array where Element == SIPTransactionAction {
    var sent: [SIPMessage] { compactMap(\.sentMessage) }
    var deliveredRequests: [(SIPMessage, SIPServerTransactionID)] { compactMap(\.deliveredRequest) }
}

extension Array where Element == Timed {
    /// Times (seconds) of every `.send`.
    var sendTimes: [Double] { filter { $0.action.sentMessage != nil }.map(\.time.seconds) }
    var actions: [SIPTransactionAction] { map(\.action) }
}

extension MonotonicTime {
    var seconds: Double { Double(nanoseconds) / 1e9 }
}

/// Receives a request and returns the server transaction it created.
func deliver(_ request: SIPMessage, into layer: inout SIPTransactionLayer, from: SIPTransportAddress = udpPeer,
             now: MonotonicTime = .zero) throws -> (SIPMessage, SIPServerTransactionID) {
    let actions = layer.receive(request, from: from, now: now)
    return try #require(actions.deliveredRequests.first)
}
