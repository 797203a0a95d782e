import Foundation
import SIPCore
@testable import SIPSession
import SIPTransaction
import Testing
import Timebase
import Wire

/// SIP text as a peer would send it: `\n` becomes CRLF and Content-Length is filled in; parsed with SIPCore's parser.
func sip(_ text: String, body: String = "") -> SIPMessage {
    let crlfBody = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
    let head = text.trimmingCharacters(in: .newlines).replacingOccurrences(of: "\n", with: "\r\n")
    let whole = head + "\r\nContent-Length: \(crlfBody.utf8.count)\r\n\r\n" + crlfBody
    do { return try SIPMessageParser().parseDatagram(Array(whole.utf8)) } catch {
        Issue.record("fixture does not parse: \(error)\n\(whole)")
        return .request(.options, uri: SIPURI(host: "invalid"))
    }
}

/// The peer's SDP: PCMU and telephone-event on 127.0.0.1:40000, in `direction`.
func peerSDP(_ direction: String = "sendrecv", port: Int = 40000) -> String {
    """
    v=0
    o=peer 7 7 IN IP4 127.0.0.1
    s=-
    c=IN IP4 127.0.0.1
    t=0 0
    m=audio \(port) RTP/AVP 0 101
    a=rtpmap:0 PCMU/8000
    a=rtpmap:101 telephone-event/8000
    a=\(direction)

    """
}

/// The peer's response to a request of ours: its tag and Contact, optionally an SDP body and more headers.
func response(to request: SIPMessage, _ status: Int, tag: String? = "peer", extra: [(String, String)] = [], sdp: String? = nil) -> SIPMessage {
    var r = SIPResponseBuilder.response(to: request, status: status, toTag: tag)
    if status > 100 { r.set(.contact, "<sip:bob@127.0.0.1:5062>") }
    for (name, value) in extra { r.append(SIPHeaderName(name), value) }
    if let sdp {
        let body = Array(sdp.replacingOccurrences(of: "\n", with: "\r\n").utf8)
        r.set(.contentType, "application/sdp")
        r.body = body
        r.set(.contentLength, String(body.count))
    }
    return r
}

/// A request from the peer in the call's dialog.
func peerRequest(_ method: String, callID: String, ourTag: String, peerTag: String = "peer", cseq: Int, extra: String = "",
                 body: String = "", contentType: String? = nil) -> SIPMessage {
    let type = contentType ?? (body.isEmpty ? nil : "application/sdp")
    return sip("""
    \(method) sip:alice@127.0.0.1:5060 SIP/2.0
    Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK\(method.lowercased())\(cseq);rport=5062;received=127.0.0.1
    Max-Forwards: 70
    From: <sip:bob@127.0.0.1:5062>;tag=\(peerTag)
    To: <sip:alice@127.0.0.1:5060>;tag=\(ourTag)
    Call-ID: \(callID)
    CSeq: \(cseq) \(method)
    Contact: <sip:bob@127.0.0.1:5062>
    \(extra)\(type.map { "Content-Type: \($0)\n" } ?? "")
    """, body: body)
}

/// A session under test: a virtual clock, the shared context (seeded randomness, a fixed local address), the timers
/// it armed, and every action it asked for.
struct Harness {
    var context = SessionContext(settings: SessionSettings(timers: .default, sessionExpires: 1800, minSE: 90, retryAfter: 5),
                                 media: MediaNegotiation(codecNames: ["PCMU", "PCMA"], sessionID: 42), random: .seeded(7),
                                 localAddress: .fixed(host: "127.0.0.1", port: 5060))
    var now = MonotonicTime.seconds(1000)
    var session: InviteSession!
    var timers: [SessionTimerName: MonotonicTime] = [:]
    var ended = false
    var nextTransaction: UInt64 = 100

    var callID: String { session.sipCallID }
    var ourTag: String { session.localTag }

    @discardableResult
    mutating func record(_ actions: [SessionAction]) -> [SessionAction] {
        for action in actions {
            switch action {
            case .arm(let timer, let at): timers[timer] = at
            case .disarm(let timer): timers[timer] = nil
            case .ended: ended = true
            default: break
            }
        }
        return actions
    }

    mutating func newServerTransaction() -> SIPServerTransactionID {
        nextTransaction += 1
        return SIPServerTransactionID(rawValue: nextTransaction)
    }

    // MARK: driving

    mutating func receive(_ response: SIPMessage, _ purpose: RequestPurpose) -> [SessionAction] {
        record(session.receive(response: response, purpose: purpose, now: now, context: &context))
    }

    mutating func receive(request: SIPMessage) -> [SessionAction] {
        let destination = SIPTransportAddress(transport: .udp, host: "127.0.0.1", port: 5062)
        return record(session.receive(request: request, transaction: newServerTransaction(), responseDestination: destination, now: now,
                                      context: &context))
    }

    mutating func ack(_ ack: SIPMessage) -> [SessionAction] { record(session.receive(ack: ack, now: now, context: &context)) }

    mutating func command(_ command: SessionCommand, token: UInt64 = 1) -> [SessionAction] {
        record(session.handle(command, reply: ReplyToken(token), now: now, context: &context))
    }

    /// Moves the clock to `t`, firing every timer due on the way, in order.
    mutating func advance(to t: MonotonicTime) -> [SessionAction] {
        var out: [SessionAction] = []
        while let (timer, due) = timers.filter({ $0.value <= t }).min(by: { $0.value < $1.value }) {
            timers[timer] = nil
            now = due
            out += record(session.timerFired(timer, now: now, context: &context))
        }
        now = t
        return out
    }

    mutating func advance(by d: Duration) -> [SessionAction] { advance(to: now + d) }

    // MARK: calls set up

    /// An outgoing call to bob, answered with `answer` (default: 200 with SDP); returns the INVITE.
    @discardableResult
    mutating func connectOutgoing(answerExtra: [(String, String)] = []) -> SIPMessage {
        let dial = SigAPI.CallDial(call: CallID("a1"), to: "sip:bob@127.0.0.1:5062", media: MediaEndpoint(address: "127.0.0.1", port: 30000))
        let (created, actions) = InviteSession.dial(dial, preferences: nil, account: nil, reply: ReplyToken(1), now: now, context: &context)
        session = created
        record(actions)
        let invite = actions.requests.first!.request
        _ = receive(response(to: invite, 180), .invite)
        _ = receive(response(to: invite, 200, extra: answerExtra, sdp: peerSDP()), .invite)
        #expect(session.wireState == .connected)
        return invite
    }

    /// The peer's INVITE (with an SDP offer unless `offer` is nil), alerted.
    @discardableResult
    mutating func incoming(extra: String = "", offer: String? = peerSDP(), slot: AnswerSlot? = nil) -> (SIPMessage, [SessionAction]) {
        let invite = sip("""
        INVITE sip:alice@127.0.0.1:5060 SIP/2.0
        Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bKinvite1;rport=5062;received=127.0.0.1
        Max-Forwards: 70
        From: <sip:bob@127.0.0.1:5062>;tag=peer
        To: <sip:alice@127.0.0.1:5060>
        Call-ID: incoming-1@127.0.0.1
        CSeq: 1 INVITE
        Contact: <sip:bob@127.0.0.1:5062>
        \(extra)\(offer == nil ? "" : "Content-Type: application/sdp\n")
        """, body: offer ?? "")
        let destination = SIPTransportAddress(transport: .udp, host: "127.0.0.1", port: 5062)
        let input = IncomingInvite(request: invite, transaction: SIPServerTransactionID(rawValue: 1), from: destination,
                                   responseDestination: destination, localTag: "ours", replaces: nil)
        let (created, screening) = InviteSession.incoming(input, now: now, context: &context)
        session = created
        record(screening)
        guard session != nil else { return (invite, screening) }
        return (invite, screening + record(session.alert(answeringWith: slot, now: now, context: &context)))
    }

    /// An incoming call answered by orch, and the caller's ACK for our 200.
    @discardableResult
    mutating func connectIncoming(extra: String = "") -> [SessionAction] {
        incoming(extra: extra)
        let answered = command(.answer(media: MediaEndpoint(address: "127.0.0.1", port: 30000), preferences: nil))
        #expect(session.wireState == .connected)
        _ = ack(peerRequest("ACK", callID: callID, ourTag: ourTag, cseq: 1))
        return answered
    }
}

// MARK: reading the actions

extension Array where Element == SessionAction {
    var requests: [(request: SIPMessage, purpose: RequestPurpose)] {
        compactMap { if case .startTransaction(let m, _, let p, _) = $0 { (m, p) } else { nil } }
    }
    var responses: [SIPMessage] { compactMap { if case .respond(let m, _, _) = $0 { m } else { nil } } }
    var sent: [SIPMessage] { compactMap { if case .send(let m, _) = $0 { m } else { nil } } }
    var events: [SessionEvent] { compactMap { if case .emit(let e) = $0 { e } else { nil } } }
    var states: [CallStateEvent] { events.compactMap { if case .state(let e) = $0 { e } else { nil } } }
    var replies: [Result<CommandReply, WireError>] { compactMap { if case .reply(_, let r) = $0 { r } else { nil } } }
    var logs: [SessionLog] { compactMap { if case .log(let l) = $0 { l } else { nil } } }
    var statuses: [Int] { responses.compactMap(\.statusCode) }
    var ended: Bool { contains { if case .ended = $0 { true } else { false } } }
}

extension SIPMessage {
    var text: String { String(decoding: body, as: UTF8.self) }
    var cseqNumber: UInt32? { (try? cseq())?.sequence }
}
