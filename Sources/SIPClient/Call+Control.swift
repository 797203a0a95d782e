import Wire

/// Commands on a call, each one orch command (docs/PROTOCOL.md §4).
extension Call {
    /// Answers an incoming call: orch gives it a media worker and sip-sig sends 200 OK with our SDP. Returns once
    /// the answer is sent; the call turns `connected` when the peer's ACK arrives (`waitForAnswer()`).
    /// - Parameter options: codecs and SDP attributes for this call (`from` and credentials do not apply).
    public func answer(options: CallOptions = CallOptions()) async throws(SIPClientError) {
        guard direction == .incoming else {
            throw .invalidConfiguration(setting: "answer()", problem: "call \(id) is outgoing; only incoming calls are answered",
                                        fix: "use waitForAnswer() to wait until the peer answers")
        }
        try options.validate()
        try await ensureActive()
        noteAnswering()
        _ = try await core.request(OrchAPI.Answer(call: callID, codecs: options.wireCodecs, sdpAttributes: options.wireAttributes),
                                   timeout: .seconds(10))
    }

    /// Rejects an incoming call with a SIP status (486 Busy Here by default; 603 Decline, 480 Unavailable, ...).
    public func reject(code: Int = 486) async throws(SIPClientError) {
        guard (400...699).contains(code) else {
            throw .invalidConfiguration(setting: "reject(code:)", problem: "\(code) is not a final error status",
                                        fix: "use a code from 400 to 699, e.g. 486 (busy) or 603 (decline)")
        }
        try await ensureActive()
        _ = try await core.request(OrchAPI.Reject(call: callID, code: code))
    }

    /// Ends the call: CANCEL before it is answered, BYE after (487 for an incoming call not yet answered).
    /// Returns once the request is out; `waitForEnd()` tells when the call is over. Hanging up an ended call
    /// does nothing.
    public func hangup() async throws(SIPClientError) {
        guard await state != .terminated else { return }
        do {
            _ = try await core.request(OrchAPI.Hangup(call: callID))
        } catch {
            // The call may have ended while the request was on its way: that is what the caller wanted.
            if await state == .terminated { return }
            if error.kind == .requestFailed, error.code == "not_found" { return }
            throw error
        }
    }

    /// Sends DTMF digits (0-9, *, #, A-D), `duration` each: as RFC 4733 telephone events 60 ms apart (fails if the
    /// peer did not accept telephone-event in its SDP), or with `method: .info` as SIP INFO requests one after the other.
    public func sendDTMF(_ digits: String, duration: Duration = .milliseconds(100), method: DTMFMethod = .rfc4733) async throws(SIPClientError) {
        let allowed = Set("0123456789*#ABCDabcd")
        guard !digits.isEmpty, digits.allSatisfy(allowed.contains) else { throw .invalidDTMF(digits: digits) }
        let ms = Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
        guard (40...5000).contains(ms) else {
            throw .invalidConfiguration(setting: "sendDTMF(duration:)", problem: "\(ms) ms per digit is outside 40-5000 ms",
                                        fix: "use a duration from 40 ms to 5 s; 100 ms is usual")
        }
        try await ensureActive()
        _ = try await core.request(OrchAPI.DTMF(call: callID, digits: digits.uppercased(), durationMs: ms,
                                                method: DTMFReceivedEvent.Method(rawValue: method.rawValue)))
    }

    /// Puts the call on hold: a re-INVITE offering `a=sendonly` (the peer hears the group's `calls.hold_music`, if
    /// set) or, with `inactive`, `a=inactive`. Returns once the peer accepted; the state is then `held`. Throws
    /// `requestFailed` with the peer's status when it refused (the call goes on as it was).
    public func hold(inactive: Bool = false) async throws(SIPClientError) {
        try await ensureActive()
        await settle(on: try await core.request(OrchAPI.Hold(call: callID, direction: inactive ? .inactive : nil), timeout: .seconds(45)))
    }

    /// Takes the call off hold (re-INVITE offering `a=sendrecv`); the state is then `connected`, or `remoteHeld` if
    /// the peer still holds it.
    public func resume() async throws(SIPClientError) {
        try await ensureActive()
        await settle(on: try await core.request(OrchAPI.Resume(call: callID), timeout: .seconds(45)))
    }

    /// Waits (briefly) until this object shows the state orch's reply names: the reply can overtake the `call.state`
    /// event that carries it, and a caller reading `state` right after `hold()` must see `held`.
    private func settle(on reply: SigAPI.CallHold.Result) async {
        guard let target = CallState(wire: reply.state.rawValue) else { return }
        let states = stateChanges
        _ = await withTimeout(.seconds(2)) { () -> Bool in
            for await state in states where state == target || state == .terminated { return true }
            return false
        }
    }

    /// Blind transfer (RFC 3515): asks the peer to call `target` instead (REFER). Returns once the peer accepted;
    /// progress arrives as `.transfer` events and the call ends by itself when the transfer succeeded.
    public func transfer(to target: String) async throws(SIPClientError) {
        try await ensureActive()
        _ = try await core.request(OrchAPI.Transfer(call: callID, target: target), timeout: .seconds(45))
    }

    /// Attended transfer (RFC 5589 §7, RFC 3891): our peer on this call takes over `other` (another answered call of
    /// ours); both our calls end once it did.
    public func transfer(replacing other: Call) async throws(SIPClientError) {
        try await ensureActive()
        _ = try await core.request(OrchAPI.Transfer(call: callID, attended: other.callID), timeout: .seconds(45))
    }

    /// A three-way conference of this call and `others` (answered calls of ours): every party hears the other two and
    /// our microphone; held calls are resumed. The mix is done by sip-audio. Hanging up one call keeps the others.
    public func conference(_ others: Call...) async throws(SIPClientError) {
        try await ensureActive()
        _ = try await core.request(OrchAPI.Conference(calls: [callID] + others.map(\.callID)), timeout: .seconds(45))
    }

    /// Records the call to a new WAV file at `path` (absolute; written by the call's media worker): 8 kHz, stereo with
    /// what we send on the left and what we hear on the right, or both mixed to mono.
    public func startRecording(to path: String, mixed: Bool = false) async throws(SIPClientError) {
        try await ensureActive()
        guard path.hasPrefix("/") else {
            throw .invalidConfiguration(setting: "startRecording(to:)", problem: "'\(path)' is not an absolute path",
                                        fix: "give the full path of the WAV file to create, e.g. /tmp/call.wav")
        }
        _ = try await core.request(OrchAPI.Record(call: callID, path: path, mode: mixed ? .mixed : .stereo))
    }

    /// Stops the recording and closes the file; returns the seconds recorded.
    @discardableResult
    public func stopRecording() async throws(SIPClientError) -> Double {
        try await ensureActive()
        return try await core.request(OrchAPI.Record(call: callID, stop: true)).seconds ?? 0
    }

    /// The call's media figures now (orch's `call_stats`): loss, jitter, round trip, MOS, packet counts.
    public func statistics() async throws(SIPClientError) -> CallStatistics {
        if let final = resolvedEnd?.statistics { return final }
        try await ensureActive()
        let (stats, raw) = try await core.requestKeepingJSON(OrchAPI.CallStats(call: callID))
        return CallStatistics(stats, raw: raw.objectValue ?? [:])
    }

    /// The call's id as the bus types carry it.
    var callID: CallID { CallID(id) }

    func ensureActive() async throws(SIPClientError) {
        if await state == .terminated { throw .callEnded(callID: id) }
    }
}

extension CallOptions {
    /// `codecs` as orch's `call` and `answer` take them (nil: the instance's list).
    var wireCodecs: [CodecName]? { codecs?.map { CodecName($0.rawValue) } }

    /// `sdp_attributes` as orch's `call` and `answer` take them (left out when there are none).
    var wireAttributes: [String]? { sdpAttributes.isEmpty ? nil : sdpAttributes.map(Self.attributeLine) }
}
