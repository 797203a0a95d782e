import Foundation
import SIPCore
import SIPDialog
import SIPTransaction
import Wire

/// Call transfer by REFER (RFC 3515, RFC 5589), in both roles:
/// - transferor: we send REFER (blind: Refer-To the target; attended: Refer-To the other call's peer with a Replaces
///   header, RFC 3891), follow the peer's NOTIFYs (message/sipfrag) as `call.transfer` events, and hang up the call
///   once the transfer succeeded;
/// - transferee: a peer's REFER is accepted (202) and reported as `call.referred`; orch places the new call and tells
///   us its progress (`call.refer_notify`), which goes back to the peer as NOTIFYs.
extension InviteSession {
    static let sipfrag = SIPMediaType(type: "message", subtype: "sipfrag", parameters: [SIPParameter(name: "version", value: "2.0")])

    // MARK: transferor

    /// The Refer-To that names this call's peer for an attended transfer made on another call; nil unless answered.
    public var referToReplacingThis: String? {
        guard isAnswered, let dialog else { return nil }
        return Self.referTo(replacing: dialog)
    }

    /// Sends REFER; `other` names our other call whose peer is the target (attended transfer). Answers (nil here:
    /// later) once the peer accepted (202) or refused the REFER.
    mutating func transfer(target: String?, replacing other: String?, partner: TransferPartner?, reply: ReplyToken?,
                           _ step: inout SessionStep) -> Result<CommandReply, WireError>? {
        guard isAnswered, let dialog else {
            return .failure(WireError(.failed, "call '\(id)' is not answered; only an answered call can be transferred"))
        }
        guard referOut == nil, transferReply == nil else { return .failure(WireError(.unavailable, "a transfer of call '\(id)' is in progress")) }
        let referTo: String
        if let other {
            guard other != id, let partner, partner.call == other, let value = partner.referTo else {
                return .failure(WireError(.badArgs, "attended transfer needs another answered call; '\(other)' is not one"))
            }
            referTo = value
        } else {
            guard let target, let uri = try? SIPURI.parse(target.hasPrefix("sip") ? target : "sip:" + target), uri.isSIP else {
                return .failure(WireError(.badArgs, "transfer target '\(target ?? "")' is not a SIP URI, e.g. sip:carol@127.0.0.1:5064"))
            }
            referTo = "<\(uri)>"
        }
        let headers = [SIPHeaderField("Refer-To", referTo), SIPHeaderField("Referred-By", "<\(dialog.localURI)>")]
        if case .failure(let error) = sendInDialog(.refer, purpose: .refer, headers: headers, &step) { return .failure(error) }
        referOut = PendingRefer(referTo: referTo, replacing: other)
        transferReply = reply
        return nil
    }

    /// Refer-To for an attended transfer: the other call's peer, with Replaces naming that dialog as its peer sees
    /// it (RFC 3891 §3: to-tag is the peer's tag, from-tag ours), escaped as a URI header.
    static func referTo(replacing dialog: SIPDialog) -> String {
        let replaces = "\(dialog.id.callID);to-tag=\(dialog.id.remoteTag);from-tag=\(dialog.id.localTag)"
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_.!~*'()[]/?:+$"))
        let escaped = replaces.addingPercentEncoding(withAllowedCharacters: allowed) ?? replaces
        var target = dialog.remoteTarget
        target.headers = []
        return "<\(target)?Replaces=\(escaped)>"
    }

    /// The final response to our REFER; false when the dialog is gone at the peer (481, 408), for the usual handling.
    mutating func referResponse(_ response: SIPMessage, _ step: inout SessionStep) -> Bool {
        guard let code = response.statusCode, code >= 200 else { return true }
        let reply = transferReply
        transferReply = nil
        if (200...299).contains(code) {
            referOut?.accepted = true
            step.emit(.transfer(CallTransferEvent(call: CallID(id), code: code, reason: "REFER accepted", final: false)))
            if let reply { step.add(.reply(reply, .success(.transfer(.init(call: CallID(id)))))) }
        } else {
            referOut = nil
            let reason = "\(code) \(response.reasonPhrase ?? "")".trimmingCharacters(in: .whitespaces)
            step.emit(.transfer(CallTransferEvent(call: CallID(id), code: code, reason: reason, final: true, success: false)))
            if let reply { step.add(.reply(reply, .failure(WireError(.failed, "the peer refused the transfer: \(reason)")))) }
        }
        return !(code == 481 || code == 408)
    }

    /// A NOTIFY in our dialog: the progress of the REFER we sent (RFC 3515 §2.4.4), as `call.transfer`. A final 2xx in
    /// the sipfrag ends our call with the transferee (RFC 5589 §6); a failure leaves it up (it can be resumed).
    mutating func handleNotify(_ request: SIPMessage, transaction: SIPServerTransactionID, _ step: inout SessionStep) {
        let event = request.firstValue("Event")?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard event == "refer", let refer = referOut else {
            var r = SIPResponseBuilder.response(to: request, status: event == "refer" ? 481 : 489, toTag: nil)
            if event != "refer" { r.set("Allow-Events", "refer") }
            step.respond(r, on: transaction)
            return
        }
        let subscription = request.firstValue("Subscription-State")?.lowercased() ?? ""
        let status = Self.sipfragStatus(request.body)
        step.respond(SIPResponseBuilder.response(to: request, status: 200, toTag: nil), on: transaction)
        guard let status else { return }
        let final = status.code >= 200 || subscription.hasPrefix("terminated")
        step.emit(.transfer(CallTransferEvent(call: CallID(id), code: status.code, reason: status.reason, final: final,
                                              success: final ? (200...299).contains(status.code) : nil)))
        guard final else { return }
        referOut = nil
        if (200...299).contains(status.code) {
            _ = hangup(reason: "transferred", normal: true, &step)
            if let other = refer.replacing { step.add(.hangUp(call: other, reason: "transferred")) }
        }
    }

    /// The status line of a message/sipfrag body ("SIP/2.0 200 OK").
    static func sipfragStatus(_ body: [UInt8]) -> (code: Int, reason: String)? {
        guard body.count <= 4096 else { return nil }
        let line = String(decoding: body, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let parts = line.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("SIP/"), let code = Int(parts[1]), (100...699).contains(code) else { return nil }
        return (code, parts.count > 2 ? String(parts[2]) : "")
    }

    // MARK: transferee

    /// A peer's REFER (RFC 3515 §2.4.2): 202 and an initial NOTIFY (100 Trying), then orch decides and dials.
    mutating func handleRefer(_ request: SIPMessage, transaction: SIPServerTransactionID, _ step: inout SessionStep) {
        let values = (try? request.values(SIPHeaderName("Refer-To"))) ?? []
        guard values.count == 1, let address = try? SIPAddress.parse(values[0], header: "Refer-To"), address.uri.isSIP else {
            var r = SIPResponseBuilder.response(to: request, status: 400, reason: "Bad Refer-To", toTag: nil)
            r.set("Warning", "399 sip-client \"REFER needs exactly one Refer-To with a SIP URI\"")
            step.respond(r, on: transaction)
            return
        }
        guard !referIn else {
            var r = SIPResponseBuilder.response(to: request, status: 491, toTag: nil)
            r.set("Retry-After", "2")
            step.respond(r, on: transaction)
            return
        }
        var target = address.uri
        let replaces = target.headers.first { $0.name.lowercased() == "replaces" }.map { $0.value.removingPercentEncoding ?? $0.value }
        target.headers = []
        target.parameters.remove("method")
        var ok = SIPResponseBuilder.response(to: request, status: 202, toTag: nil)
        RequestFactory.decorate(&ok, contact: dialog?.localContact)
        step.respond(ok, on: transaction)
        referIn = true
        sendReferNotify(code: 100, reason: "Trying", &step)
        step.emit(.referred(CallReferredEvent(call: CallID(id), target: target.description, replaces: replaces,
                                              referredBy: request.firstValue("Referred-By"))))
    }

    /// orch's word on the call it placed for a peer's REFER: a NOTIFY with that status; a final one ends the implicit
    /// subscription (Subscription-State: terminated).
    mutating func referNotify(code: Int, reason: String?, _ step: inout SessionStep) -> Result<SigAPI.CallReferNotify.Result, WireError> {
        guard referIn else { return .failure(WireError(.notFound, "call '\(id)' has no REFER from its peer in progress")) }
        guard (100...699).contains(code) else { return .failure(WireError(.badArgs, "code must be a SIP status (100-699)")) }
        sendReferNotify(code: code, reason: reason ?? Self.defaultReason(code), &step)
        return .success(.init(call: CallID(id), code: code))
    }

    private mutating func sendReferNotify(code: Int, reason: String, _ step: inout SessionStep) {
        let final = code >= 200
        let body = Array("SIP/2.0 \(code) \(reason)\r\n".utf8)
        let headers = [SIPHeaderField("Event", "refer"),
                       SIPHeaderField("Subscription-State", final ? "terminated;reason=noresource" : "active;expires=60")]
        sendInDialog(.notify, purpose: .notify, body: body, contentType: Self.sipfrag, headers: headers, &step)
        if final { referIn = false }
    }

    static func defaultReason(_ code: Int) -> String {
        switch code {
        case 100: "Trying"
        case 180: "Ringing"
        case 183: "Session Progress"
        case 200: "OK"
        case 486: "Busy Here"
        case 487: "Request Terminated"
        case 603: "Decline"
        default: code < 300 ? "OK" : "Failed"
        }
    }
}

/// A REFER we sent and whether the peer accepted it.
struct PendingRefer: Sendable {
    var referTo: String
    /// Our other call, for an attended transfer: it ends too once the transfer succeeded.
    var replacing: String?
    var accepted = false
}

/// A Replaces header value (RFC 3891 §6.1): `call-id;to-tag=...;from-tag=...`, tags as the sender of the INVITE sees
/// the dialog (to-tag is ours, from-tag the peer's).
public struct ReplacesHeader: Sendable, Hashable {
    public var callID: String
    public var toTag: String
    public var fromTag: String

    public init?(_ value: String) {
        let parts = value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let callID = parts.first, !callID.isEmpty else { return nil }
        var params: [String: String] = [:]
        for p in parts.dropFirst() {
            let kv = p.split(separator: "=", maxSplits: 1).map(String.init)
            if kv.count == 2 { params[kv[0].lowercased()] = kv[1] }
        }
        guard let toTag = params["to-tag"], let fromTag = params["from-tag"] else { return nil }
        self.callID = callID
        self.toTag = toTag
        self.fromTag = fromTag
    }
}
