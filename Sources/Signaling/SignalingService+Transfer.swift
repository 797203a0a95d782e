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
extension SignalingService {
    static let sipfrag = SIPMediaType(type: "message", subtype: "sipfrag", parameters: [SIPParameter(name: "version", value: "2.0")])

    // MARK: transferor

    /// Sends REFER on `id`; `replacing` names our other call whose peer is the target (attended transfer). Answers once
    /// the peer accepted (202) or refused the REFER.
    func transfer(callID id: String, target: String?, replacing other: String?) async -> Result<SigAPI.CallTransfer.Result, WireError> {
        guard let call = calls[id], call.isAnswered, let dialog = call.dialog else {
            return .failure(WireError(calls[id] == nil ? .notFound : .failed,
                                      calls[id] == nil ? "no call '\(id)'" : "call '\(id)' is not answered; only an answered call can be transferred"))
        }
        guard call.referOut == nil, transferWaiters[id] == nil else {
            return .failure(WireError(.unavailable, "a transfer of call '\(id)' is in progress"))
        }
        let referTo: String
        if let other {
            guard other != id, let otherCall = calls[other], otherCall.isAnswered, let otherDialog = otherCall.dialog else {
                return .failure(WireError(.badArgs, "attended transfer needs another answered call; '\(other)' is not one"))
            }
            referTo = Self.referTo(replacing: otherDialog)
        } else {
            guard let target, let uri = try? SIPURI.parse(target.hasPrefix("sip") ? target : "sip:" + target), uri.isSIP else {
                return .failure(WireError(.badArgs, "transfer target '\(target ?? "")' is not a SIP URI, e.g. sip:carol@127.0.0.1:5064"))
            }
            referTo = "<\(uri)>"
        }
        let headers = [SIPHeaderField("Refer-To", referTo), SIPHeaderField("Referred-By", "<\(dialog.localURI)>")]
        switch sendInDialog(id, method: .refer, headers: headers) {
        case .failure(let error):
            return .failure(error)
        case .success(let sent):
            calls[id]?.referOut = PendingRefer(transaction: sent.transaction, referTo: referTo, replacing: other)
            return await withCheckedContinuation { continuation in transferWaiters[id] = continuation }
        }
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

    /// The final response to our REFER.
    func referResponse(_ response: SIPMessage, transaction: SIPClientTransactionID, callID id: String) -> Bool {
        guard var call = calls[id], let refer = call.referOut, refer.transaction == transaction else { return false }
        guard let code = response.statusCode, code >= 200 else { return true }
        if (200...299).contains(code) {
            call.referOut?.accepted = true
            calls[id] = call
            emit(CallTransferEvent(call: CallID(id), code: code, reason: "REFER accepted", final: false))
            transferWaiters.removeValue(forKey: id)?.resume(returning: .success(.init(call: CallID(id))))
        } else {
            call.referOut = nil
            calls[id] = call
            let reason = "\(code) \(response.reasonPhrase ?? "")".trimmingCharacters(in: .whitespaces)
            emit(CallTransferEvent(call: CallID(id), code: code, reason: reason, final: true, success: false))
            transferWaiters.removeValue(forKey: id)?.resume(returning: .failure(WireError(.failed, "the peer refused the transfer: \(reason)")))
        }
        return !(code == 481 || code == 408)
    }

    /// A NOTIFY in one of our dialogs: the progress of the REFER we sent (RFC 3515 §2.4.4), as `call.transfer`. A final
    /// 2xx in the sipfrag ends our call with the transferee (RFC 5589 §6); a failure leaves it up (it can be resumed).
    func handleNotify(_ request: SIPMessage, callID id: String, transaction: SIPServerTransactionID) {
        let event = request.firstValue("Event")?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard event == "refer", let refer = calls[id]?.referOut else {
            var r = SIPResponseBuilder.response(to: request, status: event == "refer" ? 481 : 489, toTag: nil)
            if event != "refer" { r.set("Allow-Events", "refer") }
            respond(r, transaction: transaction)
            return
        }
        let subscription = request.firstValue("Subscription-State")?.lowercased() ?? ""
        let status = Self.sipfragStatus(request.body)
        respond(SIPResponseBuilder.response(to: request, status: 200, toTag: nil), transaction: transaction)
        guard let status else { return }
        let final = status.code >= 200 || subscription.hasPrefix("terminated")
        emit(CallTransferEvent(call: CallID(id), code: status.code, reason: status.reason, final: final,
                               success: final ? (200...299).contains(status.code) : nil))
        guard final else { return }
        calls[id]?.referOut = nil
        if (200...299).contains(status.code) {
            hangup(callID: id, reason: "transferred")
            if let other = refer.replacing, calls[other] != nil { hangup(callID: other, reason: "transferred") }
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
    func handleRefer(_ request: SIPMessage, callID id: String, transaction: SIPServerTransactionID) {
        let values = (try? request.values(SIPHeaderName("Refer-To"))) ?? []
        guard values.count == 1, let address = try? SIPAddress.parse(values[0], header: "Refer-To"), address.uri.isSIP else {
            var r = SIPResponseBuilder.response(to: request, status: 400, reason: "Bad Refer-To", toTag: nil)
            r.set("Warning", "399 sip-client \"REFER needs exactly one Refer-To with a SIP URI\"")
            respond(r, transaction: transaction)
            return
        }
        guard calls[id]?.referIn == nil else {
            var r = SIPResponseBuilder.response(to: request, status: 491, toTag: nil)
            r.set("Retry-After", "2")
            respond(r, transaction: transaction)
            return
        }
        var target = address.uri
        let replaces = target.headers.first { $0.name.lowercased() == "replaces" }.map { $0.value.removingPercentEncoding ?? $0.value }
        target.headers = []
        target.parameters.remove("method")
        var ok = SIPResponseBuilder.response(to: request, status: 202, toTag: nil)
        RequestFactory.decorate(&ok, contact: calls[id]?.dialog?.localContact)
        respond(ok, transaction: transaction)
        calls[id]?.referIn = ReferIn()
        sendReferNotify(id, code: 100, reason: "Trying")
        emit(CallReferredEvent(call: CallID(id), target: target.description, replaces: replaces, referredBy: request.firstValue("Referred-By")))
    }

    /// orch's word on the call it placed for a peer's REFER: a NOTIFY with that status; a final one ends the implicit
    /// subscription (Subscription-State: terminated).
    func referNotify(callID id: String, code: Int, reason: String?) -> Result<SigAPI.CallReferNotify.Result, WireError> {
        guard calls[id]?.referIn != nil else { return .failure(WireError(.notFound, "call '\(id)' has no REFER from its peer in progress")) }
        guard (100...699).contains(code) else { return .failure(WireError(.badArgs, "code must be a SIP status (100-699)")) }
        sendReferNotify(id, code: code, reason: reason ?? Self.defaultReason(code))
        return .success(.init(call: CallID(id), code: code))
    }

    private func sendReferNotify(_ id: String, code: Int, reason: String) {
        let final = code >= 200
        let body = Array("SIP/2.0 \(code) \(reason)\r\n".utf8)
        let headers = [SIPHeaderField("Event", "refer"),
                       SIPHeaderField("Subscription-State", final ? "terminated;reason=noresource" : "active;expires=60")]
        if case .success(let sent) = sendInDialog(id, method: .notify, body: body, contentType: Self.sipfrag, headers: headers) {
            notifyTransactions.insert(sent.transaction)  // its answer does not concern the call (RFC 5057)
        }
        if final { calls[id]?.referIn = nil }
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
    var transaction: SIPClientTransactionID
    var referTo: String
    /// Our other call, for an attended transfer: it ends too once the transfer succeeded.
    var replacing: String?
    var accepted = false
}

/// The peer's REFER we are acting on (we owe it NOTIFYs until a final one).
struct ReferIn: Sendable {}
