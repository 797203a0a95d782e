import Wire

/// A call's media quality: its report when the media ends (`call.quality`, from the worker's `media.stopped`), and
/// graceful degradation under sustained packet loss: orch follows each call's per-second `media.stats`, and after
/// `calls.fallback_after_s` seconds in a row at or above `calls.fallback_loss_pct` it reports `call.quality.degraded`
/// (with what to check) and, when `calls.codec_fallback` names a codec after the call's current one, re-offers the
/// call that codec (sig `call.reoffer`, a re-INVITE), once per codec. A peer that refuses keeps its codec.
extension CallCoordinator {
    /// A re-offer of the next codec, waiting for the peer's answer.
    struct CodecFallback: Sendable {
        var call: CallID
        var from: String
        var to: String
    }

    mutating func followQuality(_ stats: MediaStats) {
        guard let record = calls.active[stats.call], record.state == .connected else { return }
        var watch = lossWatch[stats.call] ?? LossWatch()
        let (lost, received) = (stats.packetsLost, stats.packetsReceived)
        let expected = (received - watch.received) + (lost - watch.lost)
        let lossPct = expected > 0 ? Double(max(0, lost - watch.lost)) * 100 / Double(expected) : 0
        (watch.lost, watch.received) = (lost, received)
        guard expected > 0, lossPct >= settings.fallbackLossPct else {
            watch.lossySeconds = 0
            lossWatch[stats.call] = watch
            return
        }
        watch.lossySeconds += 1
        guard watch.lossySeconds == settings.fallbackAfterS else {
            lossWatch[stats.call] = watch
            return
        }
        let codec = (stats.codec?.rawValue ?? record.codec?.rawValue ?? "").uppercased()
        publish(CallQualityDegradedEvent(call: stats.call, lossPct: (lossPct * 10).rounded() / 10, seconds: watch.lossySeconds, codec: codec,
            message: "sustained packet loss (\(Int(lossPct.rounded())) % for \(watch.lossySeconds) s): check the network path to the peer (Wi-Fi, VPN, uplink saturation)"))
        let chain = settings.codecFallback
        guard let index = chain.firstIndex(of: codec), index + 1 < chain.count, !watch.fellBackFrom.contains(codec) else {
            lossWatch[stats.call] = watch
            return
        }
        let next = chain[index + 1]
        watch.fellBackFrom.insert(codec)
        lossWatch[stats.call] = watch
        requestSig(SigAPI.CallReoffer(call: stats.call, codecs: [CodecName(next)]), timeout: .seconds(40),
                   then: .fallback(CodecFallback(call: stats.call, from: codec, to: next)))
    }

    mutating func fellBack(_ flow: CodecFallback, _ reply: Reply) {
        var event = CallCodecFallbackEvent(call: flow.call, from: flow.from, to: flow.to, accepted: true)
        if case .failure(let error) = reply.typed(SigAPI.CallReoffer.Result.self) {
            event.accepted = false
            event.message = error.message
        }
        publish(event)
    }

    /// The call's quality report: the final figures of its media, under one name clients can wait for.
    mutating func reportQuality(_ stats: MediaStats) {
        guard !stats.call.rawValue.hasPrefix("slot-") else { return }  // answer slots are no calls
        var report = CallQualityEvent(call: stats.call, mos: stats.mos, rFactor: stats.rFactor, jitterMs: stats.jitterMs,
                                      lossPct: stats.lossPct, packetsSent: Int(clamping: stats.packetsSent),
                                      packetsReceived: stats.packetsReceived, packetsLost: stats.packetsLost, rttMs: stats.rttMs,
                                      concealedMs: stats.concealedMs, codec: stats.codec?.rawValue, remoteLossPct: stats.remoteLossPct,
                                      remoteJitterMs: stats.remoteJitterMs)
        if let record = calls[stats.call] {
            report.durationS = record.duration(at: context.date)
            report.remote = record.remote
        }
        publish(report)
    }
}
