import SDP
import SIPCore
import Wire

/// orch's commands to sig (docs/PROTOCOL.md §4, "sig").
extension SignalingService {
    public func handle(_ request: Request) async -> Reply? {
        let args = request.args
        let reply: Reply
        switch request.command {
        case "account.add":
            reply = await addAccount(.object(args))
        case "account.remove":
            guard let aor = args["aor"]?.stringValue else { return Self.bad(request, "account.remove needs args.aor") }
            reply = await removeAccount(aor)
        case "call.dial":
            guard let call = args["call"]?.stringValue, let to = args["to"]?.stringValue else {
                return Self.bad(request, "call.dial needs args.call and args.to")
            }
            guard let address = args["media"]?["address"]?.stringValue, let port = args["media"]?["port"]?.intValue,
                  let p = UInt16(exactly: port) else {
                return Self.bad(request, "call.dial needs args.media.address and args.media.port")
            }
            let preferences: MediaPreferences?
            switch MediaPreferences.parse(args) {
            case .success(let p): preferences = p
            case .failure(let e): return Reply(id: request.id, error: e)
            }
            var headers: [SIPHeaderField] = []
            for (name, value) in args["headers"]?.objectValue ?? [:] {
                guard Self.dialHeaders.contains(name), let text = value.stringValue, text.utf8.count <= 1024,
                      !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                    return Self.bad(request, "call.dial headers: only \(Self.dialHeaders.sorted().joined(separator: ", ")) with one-line values up to 1024 bytes")
                }
                headers.append(SIPHeaderField(SIPHeaderName(name), text))
            }
            reply = dial(callID: call, to: to, from: args["from"]?.stringValue, address: address, port: p,
                         authUser: args["auth_user"]?.stringValue, password: args["password"]?.stringValue, preferences: preferences,
                         headers: headers.sorted { $0.name.canonical < $1.name.canonical })
        case "call.answer":
            guard let call = args["call"]?.stringValue, let address = args["media"]?["address"]?.stringValue,
                  let port = args["media"]?["port"]?.intValue, let p = UInt16(exactly: port) else {
                return Self.bad(request, "call.answer needs args.call, args.media.address and args.media.port")
            }
            switch MediaPreferences.parse(args) {
            case .success(let preferences): reply = answer(callID: call, address: address, port: p, preferences: preferences)
            case .failure(let e): return Reply(id: request.id, error: e)
            }
        case "call.answer_slots":
            switch setAnswerSlots(args) {
            case .success(let count): reply = Reply(id: "", result: ["slots": .init(count)])
            case .failure(let e): return Reply(id: request.id, error: e)
            }
        case "call.reject":
            guard let call = args["call"]?.stringValue else { return Self.bad(request, "call.reject needs args.call") }
            reply = reject(callID: call, code: args["code"]?.intValue ?? 486, reason: args["reason"]?.stringValue)
        case "call.hangup":
            guard let call = args["call"]?.stringValue else { return Self.bad(request, "call.hangup needs args.call") }
            reply = hangup(callID: call)
        case "call.hold", "call.resume":
            guard let call = args["call"]?.stringValue else { return Self.bad(request, "\(request.command) needs args.call") }
            let mode = args["direction"]?.stringValue ?? "sendonly"
            guard let direction = MediaDirection(rawValue: mode), direction == .sendonly || direction == .inactive else {
                return Self.bad(request, "call.hold: direction must be sendonly (the default) or inactive")
            }
            reply = await setHold(callID: call, hold: request.command == "call.hold", direction: direction)
        case "call.transfer":
            guard let call = args["call"]?.stringValue, args["target"] != nil || args["replaces"] != nil else {
                return Self.bad(request, "call.transfer needs args.call and args.target (blind) or args.replaces (attended: our other call)")
            }
            reply = await transfer(callID: call, target: args["target"]?.stringValue, replacing: args["replaces"]?.stringValue)
        case "call.refer_notify":
            guard let call = args["call"]?.stringValue, let code = args["code"]?.intValue else {
                return Self.bad(request, "call.refer_notify needs args.call and args.code")
            }
            reply = referNotify(callID: call, code: code, reason: args["reason"]?.stringValue)
        case "call.reoffer":
            let codecs = args["codecs"]?.arrayValue?.compactMap(\.stringValue)
            let media = args["media"]?["address"]?.stringValue.flatMap { address in
                args["media"]?["port"]?.intValue.flatMap(UInt16.init(exactly:)).map { (address: address, port: $0) }
            }
            guard let call = args["call"]?.stringValue, codecs != nil || media != nil else {
                return Self.bad(request, "call.reoffer needs args.call and args.codecs or args.media {address, port}")
            }
            reply = await reoffer(callID: call, codecs: codecs, media: media)
        case "call.dtmf_info":
            guard let call = args["call"]?.stringValue, let digits = args["digits"]?.stringValue else {
                return Self.bad(request, "call.dtmf_info needs args.call and args.digits")
            }
            reply = sendInfoDTMF(callID: call, digits: digits, durationMs: args["duration_ms"]?.intValue ?? 100)
        case "call.restore":
            guard let call = args["call"]?.stringValue, let snapshot = args["signaling"] else {
                return Self.bad(request, "call.restore needs args.call and args.signaling (from call.state)")
            }
            reply = restore(callID: call, snapshot: snapshot)
        case "calls":
            reply = Reply(id: "", result: ["calls": callsJSON()])
        case "call.describe":
            guard let call = args["call"]?.stringValue, let session = calls[call] else {
                return Reply(id: request.id, error: WireError(.notFound, "no call '\(args["call"]?.stringValue ?? "")'"))
            }
            reply = Reply(id: "", result: .object(stateData(session)))
        default:
            return nil
        }
        return Reply(id: request.id, outcome: reply.outcome)
    }

    /// Headers a `call.dial` may add to its INVITE (the ones a transfer needs, RFC 3891 and RFC 3892).
    static let dialHeaders: Set<String> = ["Replaces", "Referred-By"]

    static func bad(_ request: Request, _ message: String) -> Reply {
        Reply(id: request.id, error: WireError(.badArgs, message))
    }

    /// Takes back an answered call a previous sip-sig had (orch keeps its snapshot): in-dialog requests from the
    /// peer match it again and a hangup sends a proper BYE. A call already known is left as it is.
    func restore(callID: String, snapshot: JSONValue) -> Reply {
        if calls[callID] != nil { return Reply(id: "", result: ["call": .string(callID), "restored": false]) }
        if snapshot["pending_invite"] != nil {
            switch CallSession.restorePending(id: callID, snapshot: snapshot) {
            case .failure(let e):
                return Reply(id: "", error: e)
            case .success(let (call, invite, destination)):
                calls[callID] = call
                callByDialogKey[call.dialogKey] = callID
                // The same INVITE (same branch): to the peer a retransmission, so its answer comes to this transaction.
                // Sent at once only when no provisional answer had come: otherwise the peer has it and is answering.
                guard let transaction = startTransaction(invite, to: destination, sendNow: call.state == .dialing) else {
                    calls[callID] = nil
                    callByDialogKey[call.dialogKey] = nil
                    return Reply(id: "", error: WireError(.internal, "could not restart the INVITE transaction"))
                }
                calls[callID]?.inviteTransaction = transaction
                callByClientTransaction[transaction] = callID
                logger.notice("resumed a call being set up", metadata: ["call": "\(callID)", "sip_call_id": "\(call.sipCallID)"])
                return Reply(id: "", result: ["call": .string(callID), "restored": true])
            }
        }
        switch CallSession.restore(id: callID, snapshot: snapshot) {
        case .failure(let e):
            return Reply(id: "", error: e)
        case .success(var call):
            // A restored session timer starts again from now: we refresh at once if we are the refresher (the previous
            // sig may have died just before its refresh), or give the peer a whole interval.
            if let t = call.sessionTimer { startSessionTimer(&call, interval: t.interval, weRefresh: t.weRefresh) }
            if call.sessionTimer?.weRefresh == true { call.sessionTimer?.deadline = now }
            calls[callID] = call
            callByDialogKey[call.dialogKey] = callID
            logger.notice("restored a call", metadata: ["call": "\(callID)", "sip_call_id": "\(call.sipCallID)"])
            return Reply(id: "", result: ["call": .string(callID), "restored": true])
        }
    }
}
