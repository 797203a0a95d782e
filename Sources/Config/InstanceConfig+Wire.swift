import Wire

extension InstanceConfig {
    /// The configuration as JSON, as orch sends it to components in `configure` (keys as in the YAML file).
    public var json: [String: JSONValue] {
        [
            "sip": ["listen": .string(sip.listen.description), "trace": .bool(sip.trace),
                    "transports": .string(sip.transports.joined(separator: ",")),
                    "t1_ms": .init(sip.t1Ms), "t2_ms": .init(sip.t2Ms), "t4_ms": .init(sip.t4Ms),
                    "max_transactions": .init(sip.maxTransactions), "max_calls": .init(sip.maxCalls),
                    "session_expires": .init(sip.sessionExpires), "min_se": .init(sip.minSE),
                    "codecs": .string(sip.codecs.joined(separator: ","))],
            "rtp": ["ports": .string(rtp.ports.description), "workers": .init(rtp.workers), "standby": .init(rtp.standby),
                    "jitter_min_ms": .init(rtp.jitterMinMs), "jitter_max_ms": .init(rtp.jitterMaxMs)],
            "audio": .object(audioJSON),
            "calls": ["auto_answer": .bool(calls.autoAnswer), "hold_music": .string(calls.holdMusic), "accept_transfer": .bool(calls.acceptTransfer),
                      "codec_fallback": .string(calls.codecFallback.joined(separator: ",")), "fallback_loss_pct": .number(calls.fallbackLossPct),
                      "fallback_after_s": .init(calls.fallbackAfterS)],
            "supervision": [
                "heartbeat_interval_ms": .init(supervision.heartbeatIntervalMs),
                "heartbeat_liveness": .init(supervision.heartbeatLiveness),
                "restart_backoff_initial_ms": .init(supervision.restartBackoffInitialMs),
                "restart_backoff_max_ms": .init(supervision.restartBackoffMaxMs),
                "stable_after_s": .init(supervision.stableAfterS),
                "orch_timeout_s": .init(supervision.orchTimeoutS),
                "start_timeout_s": .init(supervision.startTimeoutS),
                "external": .string(supervision.external.joined(separator: ",")),
            ],
            "remote": ["accept_workers": .bool(remote.acceptWorkers), "listen": .string(remote.listen), "advertise": .string(remote.advertise),
                       "audio_listen": .string(remote.audioListen), "key_file": .string(remote.keyFile),
                       "authorized_keys": .string(remote.authorizedKeys), "allow_plaintext": .bool(remote.allowPlaintext)],
            "log": ["level": .string(log.level)],
        ]
    }

    private var audioJSON: [String: JSONValue] {
        var json: [String: JSONValue] = [
            "backend": .string(audio.backend.description), "device_rate": .init(audio.deviceRate), "channels": .init(audio.channels),
            "period_ms": .init(audio.periodMs), "echo_cancellation": .bool(audio.echoCancellation), "echo_tail_ms": .init(audio.echoTailMs),
            "noise_suppression": .bool(audio.noiseSuppression), "gain_control": .bool(audio.gainControl),
            "input_gain_db": .number(audio.inputGainDB), "output_gain_db": .number(audio.outputGainDB), "mute": .bool(audio.mute),
            "level_events": .bool(audio.levelEvents),
        ]
        if let d = audio.captureDevice { json["capture_device"] = .string(d) }
        if let d = audio.playbackDevice { json["playback_device"] = .string(d) }
        return json
    }
}
