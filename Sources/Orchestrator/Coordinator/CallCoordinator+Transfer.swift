import Wire

/// Call transfer (RFC 3515, RFC 5589): as transferor orch forwards `transfer` to sig (REFER); as transferee it places
/// the call a peer's REFER asks for and reports its progress back to sig, which NOTIFYs the peer:
///
///     call.referred ──accept_transfer off──► call.refer_notify 603
///           │
///           ▼
///     place the call (Replaces / Referred-By headers) ──failure──► call.refer_notify 503
///           │ placed: call.transferred
///           ▼
///     its call.state connected / terminated ──► call.refer_notify 200 / the final status
extension CallCoordinator {
    /// The call placed for a peer's REFER.
    struct Referral: Sendable {
        var original: CallID
        var newCall: CallID
        var target: String
        var attended: Bool
    }

    /// `transfer {"call"?,"target"?,"attended"?}`: blind to `target`, or attended to the peer of our call `attended`.
    mutating func transferCommand(_ command: OrchAPI.Transfer, _ client: Client) throws(WireError) {
        let call = try targetCall(command.call, command: OrchAPI.Transfer.name)
        let forward: SigAPI.CallTransfer
        if let other = command.attended {
            guard calls.active[other] != nil else { throw WireError(.notFound, "no call '\(other)' to transfer to") }
            forward = SigAPI.CallTransfer(call: call, replaces: other)
        } else {
            forward = SigAPI.CallTransfer(call: call, target: command.target)
        }
        // The peer has 32 s (64*T1) to answer the REFER.
        forwardToSig(forward, timeout: .seconds(40), client)
    }

    /// A peer asked us (REFER) to call `target`: place that call, with Replaces for an attended transfer, unless
    /// `calls.accept_transfer` is off (the peer then hears 603 Decline).
    mutating func followReferral(_ event: CallReferredEvent) {
        guard settings.acceptTransfer else {
            requestSig(SigAPI.CallReferNotify(call: event.call, code: 603, reason: "Decline"), timeout: .seconds(3), then: .none)
            return
        }
        var headers: [String: String] = [:]
        if let replaces = event.replaces { headers["Replaces"] = replaces }
        if let by = event.referredBy { headers["Referred-By"] = by }
        let newCall = makeCallID()
        referrals[newCall] = event.call
        let referral = Referral(original: event.call, newCall: newCall, target: event.target, attended: event.replaces != nil)
        placeCall(PlaceCall(OrchAPI.Call(to: event.target, from: calls.active[event.call]?.local), call: newCall,
                            headers: headers.isEmpty ? nil : headers, purpose: .referral(referral)))
    }

    mutating func referralPlaced(_ referral: Referral, _ outcome: Result<Void, WireError>) {
        switch outcome {
        case .failure(let error):
            referrals[referral.newCall] = nil
            log(.warning, "could not place the call a REFER asked for", ["call": "\(referral.original)", "error": "\(error)"])
            requestSig(SigAPI.CallReferNotify(call: referral.original, code: 503, reason: "Service Unavailable"), timeout: .seconds(3),
                       then: .none)
        case .success:
            publish(CallTransferredEvent(call: referral.original, newCall: referral.newCall, target: referral.target,
                                         attended: referral.attended))
        }
    }

    /// The call placed for a REFER is answered or failed: the referring peer hears of it (after the initial 100
    /// Trying, only the final status is sent; RFC 3515 leaves provisional ones optional).
    mutating func reportReferral(_ record: CallRecord) {
        guard let original = referrals[record.id] else { return }
        let code: Int
        switch record.state {
        case .connected: code = 200
        case .terminated: code = max(record.sipStatus.map { $0 >= 300 ? $0 : 487 } ?? 487, 300)
        default: return
        }
        referrals[record.id] = nil
        requestSig(SigAPI.CallReferNotify(call: original, code: code), timeout: .seconds(3), then: .none)
    }
}
