import Wire

/// Graceful degradation under sustained packet loss: orch follows each call's per-second `media.stats`, and after
/// `calls.fallback_after_s` seconds in a row at or above `calls.fallback_loss_pct` it reports `call.quality.degraded`
/// (with what to check) and, when `calls.codec_fallback` names a codec after the call's current one, re-offers the
/// call that codec (sig `call.reoffer`, a re-INVITE). Where the call allows: a peer that refuses keeps its codec.
extension Orchestrator {
    func followQuality(_ data: [String: JSONValue]) {
        guard let callID = data["call"]?.stringValue, let record = calls.active[callID], record.state == "connected",
              let lost = data["packets_lost"]?.intValue, let received = data["packets_received"]?.intValue else { return }
        var watch = lossWatch[callID] ?? LossWatch()
        defer { lossWatch[callID] = watch }
        let expected = (received - watch.received) + (lost - watch.lost)
        let lossPct = expected > 0 ? Double(max(0, lost - watch.lost)) * 100 / Double(expected) : 0
        (watch.lost, watch.received) = (lost, received)
        guard expected > 0, lossPct >= config.calls.fallbackLossPct else { watch.lossySeconds = 0; return }
        watch.lossySeconds += 1
        guard watch.lossySeconds == config.calls.fallbackAfterS else { return }
        let codec = (data["codec"]?.stringValue ?? record.codec ?? "").uppercased()
        events?.publish("call.quality.degraded", ["call": .string(callID), "loss_pct": .number((lossPct * 10).rounded() / 10),
                                                   "seconds": .init(watch.lossySeconds), "codec": .string(codec),
                                                   "message": .string("sustained packet loss (\(Int(lossPct.rounded())) % for \(watch.lossySeconds) s): check the network path to the peer (Wi-Fi, VPN, uplink saturation)")])
        let chain = config.calls.codecFallback
        guard let index = chain.firstIndex(of: codec), index + 1 < chain.count, !watch.fellBackFrom.contains(codec) else { return }
        let next = chain[index + 1]
        watch.fellBackFrom.insert(codec)
        Task {
            let reply = await self.requestSig("call.reoffer", ["call": .string(callID), "codecs": [.string(next)]], timeout: .seconds(40))
            var event: [String: JSONValue] = ["call": .string(callID), "from": .string(codec), "to": .string(next)]
            switch reply.outcome {
            case .success: event["accepted"] = true
            case .failure(let e): event["accepted"] = false; event["message"] = .string(e.message)
            }
            self.events?.publish("call.codec.fallback", event)
        }
    }
}

/// Per-call loss bookkeeping between two `media.stats`.
struct LossWatch: Sendable {
    var lost = 0
    var received = 0
    var lossySeconds = 0
    var fellBackFrom: Set<String> = []
}
