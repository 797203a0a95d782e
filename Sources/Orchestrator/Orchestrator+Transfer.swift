import Wire

/// Call transfer (RFC 3515, RFC 5589): as transferor orch forwards `transfer` to sig (REFER); as transferee it places
/// the call a peer's REFER asks for and reports its progress back to sig, which NOTIFYs the peer.
extension Orchestrator {
    /// `transfer {"call"?,"target"?,"attended"?}`: blind to `target`, or attended to the peer of our call `attended`.
    func transferCall(_ args: [String: JSONValue]) async -> Reply {
        let callID: String
        switch targetCall(args, command: "transfer") {
        case .success(let c): callID = c
        case .failure(let e): return Reply(id: "", error: e)
        }
        var forward: [String: JSONValue] = ["call": .string(callID)]
        if let other = args["attended"]?.stringValue {
            guard calls.active[other] != nil else { return Reply(id: "", error: WireError(.notFound, "no call '\(other)' to transfer to")) }
            forward["replaces"] = .string(other)
        } else if let target = args["target"]?.stringValue, !target.isEmpty {
            forward["target"] = .string(target)
        } else {
            return Reply(id: "", error: WireError(.badArgs, "transfer needs args.target (a SIP URI) or args.attended (our other call)"))
        }
        // The peer has 32 s (64*T1) to answer the REFER.
        return await requestSig("call.transfer", forward, timeout: .seconds(40))
    }

    /// A peer asked us (REFER) to call `target`: place that call, with Replaces for an attended transfer, unless
    /// `calls.accept_transfer` is off (the peer then hears 603 Decline).
    func followReferral(_ data: [String: JSONValue]) async {
        guard let original = data["call"]?.stringValue, let target = data["target"]?.stringValue else { return }
        guard config.calls.acceptTransfer else {
            _ = await requestSig("call.refer_notify", ["call": .string(original), "code": 603, "reason": "Decline"], timeout: .seconds(3))
            return
        }
        var headers: [String: JSONValue] = [:]
        if let replaces = data["replaces"] { headers["Replaces"] = replaces }
        if let by = data["referred_by"] { headers["Referred-By"] = by }
        var args: [String: JSONValue] = ["to": .string(target), "call": .string(Self.newCallID())]
        if !headers.isEmpty { args["headers"] = .object(headers) }
        if let from = calls.active[original]?.local { args["from"] = .string(from) }
        referrals[args["call"]!.stringValue!] = original
        let reply = await placeCall(args)
        if case .failure(let e) = reply.outcome {
            referrals[args["call"]!.stringValue!] = nil
            logger.warning("could not place the call a REFER asked for", metadata: ["call": "\(original)", "error": "\(e)"])
            _ = await requestSig("call.refer_notify", ["call": .string(original), "code": 503, "reason": "Service Unavailable"], timeout: .seconds(3))
        } else {
            events?.publish("call.transferred", ["call": .string(original), "new_call": args["call"]!, "target": .string(target),
                                                  "attended": .bool(data["replaces"] != nil)])
        }
    }

    /// The call placed for a REFER is answered or failed: the referring peer hears of it (after the initial 100
    /// Trying, only the final status is sent; RFC 3515 leaves provisional ones optional).
    func reportReferral(_ record: CallRecord) {
        guard let original = referrals[record.id] else { return }
        let code: Int
        switch record.state {
        case "connected": code = 200
        case "terminated": code = max(record.sipStatus.map { $0 >= 300 ? $0 : 487 } ?? 487, 300)
        default: return
        }
        referrals[record.id] = nil
        Task { _ = await self.requestSig("call.refer_notify", ["call": .string(original), "code": .init(code)], timeout: .seconds(3)) }
    }
}
