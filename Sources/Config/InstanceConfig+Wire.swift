import Wire

extension InstanceConfig {
    /// The configuration as JSON, as orch sends it to components in `configure` (keys as in the YAML file).
    public var json: [String: JSONValue] {
        [
            "sip": ["listen": .string(sip.listen.description), "trace": .bool(sip.trace)],
            "rtp": ["ports": .string(rtp.ports.description), "workers": .init(rtp.workers)],
            "audio": ["backend": .string(audio.backend.description)],
            "calls": ["auto_answer": .bool(calls.autoAnswer)],
            "supervision": [
                "heartbeat_interval_ms": .init(supervision.heartbeatIntervalMs),
                "heartbeat_liveness": .init(supervision.heartbeatLiveness),
                "restart_backoff_initial_ms": .init(supervision.restartBackoffInitialMs),
                "restart_backoff_max_ms": .init(supervision.restartBackoffMaxMs),
                "stable_after_s": .init(supervision.stableAfterS),
                "orch_timeout_s": .init(supervision.orchTimeoutS),
                "start_timeout_s": .init(supervision.startTimeoutS),
            ],
            "log": ["level": .string(log.level)],
        ]
    }
}
