import SDP
import SIPCore
import SIPDialog
import Timebase
import Wire

/// An answered call as sip-sig hands it to orch (`signaling` in `call.state`), and as a restarted sip-sig takes it
/// back (`call.restore`): the dialog (RFC 3261 §12) plus what the session needs to go on (media, codec, transport).
/// Transactions in flight are not carried: a restart loses them, the dialog survives.
extension CallSession {
    var snapshot: JSONValue? {
        if direction == .outgoing, !isAnswered, state != .terminated, let invite, let destination = inviteDestination {
            return pendingSnapshot(invite: invite, destination: destination)
        }
        guard isAnswered, let dialog, dialog.state == .confirmed else { return nil }
        let d = dialog.snapshot
        var dialogJSON: [String: JSONValue] = [
            "call_id": .string(d.callID), "local_tag": .string(d.localTag), "remote_tag": .string(d.remoteTag), "role": .string(d.role),
            "local": .string(d.localAddress), "remote": .string(d.remoteAddress), "remote_target": .string(d.remoteTarget),
            "route_set": .array(d.routeSet.map { .string($0) }), "secure": .bool(d.secure), "local_contact": .string(d.localContact),
            "creating_cseq": .number(Double(d.creatingCSeq)),
        ]
        if let c = d.localCSeq { dialogJSON["local_cseq"] = .number(Double(c)) }
        if let c = d.remoteCSeq { dialogJSON["remote_cseq"] = .number(Double(c)) }
        var o: [String: JSONValue] = ["direction": .string(direction.rawValue), "state": .string(state.rawValue),
                                      "remote": .string(remote), "local": .string(local), "transport": .string(transport.rawValue),
                                      "dialog": .object(dialogJSON)]
        if let media { o["media"] = ["address": .string(media.address), "port": .init(Int(media.port))] }
        if localHold { o["local_hold"] = .string(holdDirection.rawValue) }
        if remoteHold { o["remote_hold"] = true }
        if let t = sessionTimer { o["session_timer"] = ["interval": .init(t.interval), "we_refresh": .bool(t.weRefresh)] }
        if let remoteMedia { o["remote_media"] = remoteMedia }
        if let codec { o["codec"] = .string(codec) }
        if let p = preferences {
            if let codecs = p.codecs { o["codecs"] = .array(codecs.map { .string($0) }) }
            if !p.attributes.isEmpty {
                o["sdp_attributes"] = .array(p.attributes.map { attribute in
                    .string(attribute.value.map { "\(attribute.name):\($0)" } ?? attribute.name)
                })
            }
        }
        return .object(o)
    }

    /// An outgoing call still being set up: the INVITE as sent (same branch), so a restarted sig can retransmit it
    /// as the same transaction and the peer's answer still finds it.
    private func pendingSnapshot(invite: SIPMessage, destination: SIPTransportAddress) -> JSONValue {
        var o: [String: JSONValue] = ["direction": "outgoing", "state": .string(state.rawValue), "remote": .string(remote),
                                      "local": .string(local), "transport": .string(transport.rawValue),
                                      "pending_invite": .string(String(decoding: invite.serialized(), as: UTF8.self)),
                                      "destination": ["transport": .string(destination.transport.rawValue), "host": .string(destination.host),
                                                      "port": .init(Int(destination.port))]]
        if let media { o["media"] = ["address": .string(media.address), "port": .init(Int(media.port))] }
        if let codecs = preferences?.codecs { o["codecs"] = .array(codecs.map { .string($0) }) }
        return .object(o)
    }

    /// An outgoing call being set up, from its pending snapshot: the INVITE to send again and where.
    static func restorePending(id: String, snapshot s: JSONValue) -> Result<(CallSession, SIPMessage, SIPTransportAddress), WireError> {
        func bad(_ why: String) -> Result<(CallSession, SIPMessage, SIPTransportAddress), WireError> { .failure(WireError(.badArgs, "call.restore: \(why)")) }
        guard let text = s["pending_invite"]?.stringValue, let host = s["destination"]?["host"]?.stringValue,
              let port = s["destination"]?["port"]?.intValue, let p = UInt16(exactly: port) else {
            return bad("a pending call needs pending_invite and destination {transport, host, port}")
        }
        guard let invite = try? SIPMessageParser().parseDatagram(Array(text.utf8)), invite.method == .invite,
              let callID = try? invite.callID(), let tag = (try? invite.from())??.tag else {
            return bad("pending_invite is not an INVITE with a Call-ID and a From tag")
        }
        let transport: SIPTransportKind = s["destination"]?["transport"]?.stringValue == "tcp" ? .tcp : .udp
        var call = CallSession(id: id, direction: .outgoing, state: s["state"]?.stringValue == "ringing" ? .ringing : .dialing,
                               sipCallID: callID, localTag: tag, remote: s["remote"]?.stringValue ?? "", local: s["local"]?.stringValue ?? "")
        if let host = s["media"]?["address"]?.stringValue, let mp = s["media"]?["port"]?.intValue, let m = UInt16(exactly: mp) { call.media = (host, m) }
        call.transport = transport
        if case .success(let prefs) = MediaPreferences.parse(s.objectValue ?? [:]) { call.preferences = prefs }
        let destination = SIPTransportAddress(transport: transport, host: host, port: p)
        call.invite = invite
        call.inviteDestination = destination
        return .success((call, invite, destination))
    }

    /// Rebuilds an answered call from its snapshot; nil (with the reason) when it does not describe one.
    static func restore(id: String, snapshot s: JSONValue) -> Result<CallSession, WireError> {
        func bad(_ why: String) -> Result<CallSession, WireError> { .failure(WireError(.badArgs, "call.restore: \(why)")) }
        guard let d = s["dialog"], let callID = d["call_id"]?.stringValue, let localTag = d["local_tag"]?.stringValue,
              let remoteTag = d["remote_tag"]?.stringValue, let role = d["role"]?.stringValue, let local = d["local"]?.stringValue,
              let remote = d["remote"]?.stringValue, let target = d["remote_target"]?.stringValue,
              let contact = d["local_contact"]?.stringValue, let creating = d["creating_cseq"]?.intValue else {
            return bad("signaling.dialog lacks call_id, tags, role, local, remote, remote_target, local_contact or creating_cseq")
        }
        let snapshot = SIPDialogSnapshot(
            callID: callID, localTag: localTag, remoteTag: remoteTag, role: role, localAddress: local, remoteAddress: remote,
            localCSeq: d["local_cseq"]?.intValue.map { UInt32(clamping: $0) }, remoteCSeq: d["remote_cseq"]?.intValue.map { UInt32(clamping: $0) },
            remoteTarget: target, routeSet: d["route_set"]?.arrayValue?.compactMap(\.stringValue) ?? [], secure: d["secure"]?.boolValue ?? false,
            localContact: contact, creatingCSeq: UInt32(clamping: creating))
        let dialog: SIPDialog
        do { dialog = try SIPDialog(restoring: snapshot) } catch { return bad("the dialog does not parse: \(error)") }
        let direction: Direction = s["direction"]?.stringValue == "incoming" ? .incoming : .outgoing
        var call = CallSession(id: id, direction: direction, state: .connected, sipCallID: callID, localTag: localTag,
                               remote: s["remote"]?.stringValue ?? "", local: s["local"]?.stringValue ?? "")
        if let hold = s["local_hold"]?.stringValue.flatMap(MediaDirection.init(rawValue:)) {
            call.localHold = true
            call.holdDirection = hold
        }
        call.remoteHold = s["remote_hold"]?.boolValue ?? false
        if let interval = s["session_timer"]?["interval"]?.intValue, interval > 0 {
            // The deadline is set by the restoring sig (it knows the time): see restore(callID:snapshot:).
            call.sessionTimer = SessionTimer(interval: interval, weRefresh: s["session_timer"]?["we_refresh"]?.boolValue ?? false,
                                             deadline: MonotonicTime(nanoseconds: 0))
        }
        call.refreshHoldState()
        call.dialog = dialog
        if let host = s["media"]?["address"]?.stringValue, let port = s["media"]?["port"]?.intValue, let p = UInt16(exactly: port) {
            call.media = (host, p)
        }
        call.remoteMedia = s["remote_media"]
        call.codec = s["codec"]?.stringValue
        call.transport = s["transport"]?.stringValue == "tcp" ? .tcp : .udp
        if case .success(let p) = MediaPreferences.parse(s.objectValue ?? [:]) { call.preferences = p }
        return .success(call)
    }
}
