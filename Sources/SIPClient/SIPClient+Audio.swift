import Wire

/// The instance's audio controls (sip-audio's `audio.set`): one set shared by all calls of the instance.
extension SIPClient {
    /// Mutes or unmutes the microphone (the peer hears silence); calls stay up.
    @discardableResult
    public func setMute(_ muted: Bool) async throws(SIPClientError) -> AudioControls {
        if muted { return AudioControls(try await core.request(OrchAPI.Mute())) }
        return AudioControls(try await core.request(OrchAPI.Unmute()))
    }

    /// Sets the loudspeaker and/or microphone gain in dB (-40 to 40; 0 is unchanged level). A nil leaves that
    /// gain as it is.
    @discardableResult
    public func setVolume(outputGainDB: Double? = nil, inputGainDB: Double? = nil) async throws(SIPClientError) -> AudioControls {
        for (key, value) in [("output_gain_db", outputGainDB), ("input_gain_db", inputGainDB)] {
            if let value, !(value.isFinite && AudioAPI.Controls.gainRange.contains(value)) {
                throw .invalidConfiguration(setting: key, problem: "\(value) dB is outside -40 to 40 dB", fix: "use a gain from -40 to 40 dB, e.g. -6")
            }
        }
        return AudioControls(try await core.request(OrchAPI.Audio(AudioAPI.SetControls(inputGainDB: inputGainDB, outputGainDB: outputGainDB))))
    }

    /// Switches voice processing on the microphone; nil leaves a setting as it is.
    @discardableResult
    public func setVoiceProcessing(echoCancellation: Bool? = nil, noiseSuppression: Bool? = nil,
                                   gainControl: Bool? = nil) async throws(SIPClientError) -> AudioControls {
        let change = AudioAPI.SetControls(echoCancellation: echoCancellation, noiseSuppression: noiseSuppression, gainControl: gainControl)
        return AudioControls(try await core.request(OrchAPI.Audio(change)))
    }

    /// The current audio controls.
    public func audioControls() async throws(SIPClientError) -> AudioControls {
        AudioControls(try await core.request(OrchAPI.AudioState()).controls)
    }
}
