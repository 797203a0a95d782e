import Wire

/// The instance's audio controls (sip-audio's `audio.set`): one set shared by all calls of the instance.
extension SIPClient {
    /// Mutes or unmutes the microphone (the peer hears silence); calls stay up.
    @discardableResult
    public func setMute(_ muted: Bool) async throws(SIPClientError) -> AudioControls {
        AudioControls(try await core.request(muted ? "mute" : "unmute"))
    }

    /// Sets the loudspeaker and/or microphone gain in dB (-40 to 40; 0 is unchanged level). A nil leaves that
    /// gain as it is.
    @discardableResult
    public func setVolume(outputGainDB: Double? = nil, inputGainDB: Double? = nil) async throws(SIPClientError) -> AudioControls {
        var args: [String: JSONValue] = [:]
        for (key, value) in [("output_gain_db", outputGainDB), ("input_gain_db", inputGainDB)] {
            guard let value else { continue }
            guard value.isFinite, (-40...40).contains(value) else {
                throw .invalidConfiguration(setting: key, problem: "\(value) dB is outside -40 to 40 dB", fix: "use a gain from -40 to 40 dB, e.g. -6")
            }
            args[key] = .number(value)
        }
        return AudioControls(try await core.request("audio", args))
    }

    /// Switches voice processing on the microphone; nil leaves a setting as it is.
    @discardableResult
    public func setVoiceProcessing(echoCancellation: Bool? = nil, noiseSuppression: Bool? = nil,
                                   gainControl: Bool? = nil) async throws(SIPClientError) -> AudioControls {
        var args: [String: JSONValue] = [:]
        if let echoCancellation { args["echo_cancellation"] = .bool(echoCancellation) }
        if let noiseSuppression { args["noise_suppression"] = .bool(noiseSuppression) }
        if let gainControl { args["gain_control"] = .bool(gainControl) }
        return AudioControls(try await core.request("audio", args))
    }

    /// The current audio controls.
    public func audioControls() async throws(SIPClientError) -> AudioControls {
        let state = try await core.request("audio_state")
        return AudioControls(state["controls"] ?? .object([:]))
    }
}
