import Wire

/// A live call's media and sound: `media.start` to its worker whenever the SDP settled (answer, early media,
/// re-INVITE), with the hold music while we hold; sip-audio plays and captures the call except while we hold it (the
/// held party is neither heard nor hears the microphone). A call that moves (restart, slot, lost worker) gets its new
/// media address to the peer by a re-INVITE.
extension CallCoordinator {
    /// The `media.start` sent for a call's current SDP.
    struct MediaStart: Sendable {
        /// The call as it was when the start was sent.
        var record: CallRecord
        var remote: RemoteMedia
    }

    static let mediaStates: Set<CallState> = [.connected, .held, .remoteHeld, .early]

    mutating func applyMedia(_ record: CallRecord, remote: RemoteMedia?) {
        guard Self.mediaStates.contains(record.state), let worker = record.worker else { return }
        let music: String? = record.state == .held && !settings.holdMusic.isEmpty ? settings.holdMusic : nil
        if let remote, remote != record.mediaApplied || music != record.holdMusicApplied {
            calls.update(record.id) {
                $0.mediaApplied = remote
                $0.holdMusicApplied = music
            }
            var start = MediaAPI.Start(call: record.id, remote: remote, streams: record.streams, holdMusic: music)
            if let slot = record.answerSlot, let port = record.mediaPort {
                start.slot = slot  // the worker moves the slot's port pair to the call
                start.port = port
            }
            request(start, to: worker, timeout: .seconds(2), then: .mediaStart(MediaStart(record: record, remote: remote)))
        }
        guard let current = calls.active[record.id], current.mediaApplied != nil else { return }
        if record.state == .held { detachAudio(current) } else { attachAudio(current) }
    }

    mutating func mediaStarted(_ flow: MediaStart, _ reply: Reply) {
        let record = flow.record
        switch reply.typed(MediaAPI.Start.Result.self) {
        case .failure(let error):
            // Not applied after all (e.g. a restarted worker that has not taken the call back yet): the next trigger, at
            // the latest orch's audit against sig, starts it again.
            calls.update(record.id) { if $0.mediaApplied == flow.remote { $0.mediaApplied = nil } }
            log(.warning, "media.start failed", ["call": "\(record.id)", "error": "\(error)"])
        case .success(let result):
            if let problem = result.holdMusicError {
                log(.warning, problem, ["call": "\(record.id)"])
                publish(CallWarningEvent(call: record.id, message: problem))
            }
            guard record.answerSlot != nil else { return }
            calls.update(record.id) { $0.answerSlot = nil }
            if let port = result.port, port != record.mediaPort, let address = result.address {
                // The slot's port pair was gone when the call came to take it (its worker restarted and gave it away):
                // the call runs on `port`, which the peer learns from a re-INVITE.
                log(.warning, "a call answered from a slot got another port",
                    ["call": "\(record.id)", "old": "\(record.mediaPort ?? 0)", "new": "\(port)"])
                calls.update(record.id) { $0.mediaPort = port }
                reofferMedia(record.id, MediaEndpoint(address: address, port: port))
            }
        }
    }

    /// `media.start` for a call a worker takes over (restarted, or moved from a lost one): its streams, the RTP stream
    /// continued from the latest `rtp_state`, and the hold music if we hold it. orch's current record wins over `record`.
    func resumeStart(_ record: CallRecord, remote: RemoteMedia) -> MediaAPI.Start {
        let current = calls.active[record.id]
        return MediaAPI.Start(call: record.id, remote: remote, streams: record.streams, rtpState: current?.rtpState ?? record.rtpState,
                              holdMusic: current?.holdMusicApplied)
    }

    /// Gives the peer a call's new media address by a re-INVITE (RFC 3261 §14): the call goes on there. For a call
    /// whose worker could not keep (or give it) the port the peer knows.
    mutating func reofferMedia(_ call: CallID, _ media: MediaEndpoint) {
        requestSig(SigAPI.CallReoffer(call: call, media: media), timeout: .seconds(40), then: .reoffer(call))
    }

    // MARK: the sound devices

    /// sip-audio plays and captures the call (it opens the devices only while some call is attached).
    mutating func attachAudio(_ record: CallRecord) {
        guard !record.audioAttached, let audio = topology.audio else { return }
        calls.update(record.id) { $0.audioAttached = true }
        request(AudioAPI.Attach(call: record.id, streams: record.streams), to: audio, timeout: .seconds(2),
                then: .logFailure(.warning, "audio.attach failed", call: record.id))
    }

    mutating func detachAudio(_ record: CallRecord) {
        guard record.audioAttached || calls.active[record.id]?.audioAttached == true, let audio = topology.audio else { return }
        calls.update(record.id) { $0.audioAttached = false }
        request(AudioAPI.Detach(call: record.id), to: audio, timeout: .seconds(2), then: .none)
    }
}
