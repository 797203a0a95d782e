import Foundation
/// Every configurable key: its dotted name, the flag that overrides it, the expected form, and how to apply a
/// textual value. One table serves the YAML file, the command line and the docs, so they cannot drift apart.
struct Setting: Sendable {
    let key: String
    let flag: String?
    let expected: String
    let apply: @Sendable (inout InstanceConfig, String) -> Bool

    init(_ key: String, flag: String? = nil, expected: String, apply: @escaping @Sendable (inout InstanceConfig, String) -> Bool) {
        self.key = key
        self.flag = flag
        self.expected = expected
        self.apply = apply
    }
}

enum SettingsTable {
    static let all: [Setting] = [
        Setting("sip.listen", flag: "--sip-listen", expected: "IP:PORT with an IP address (not a host name), e.g. 0.0.0.0:5060, 192.168.1.10:5060 or [::1]:5070") {
            guard let v = HostPort.parse($1), isIPAddress(v.host) else { return false }
            $0.sip.listen = v
            return true
        },
        Setting("sip.trace", flag: "--sip-trace", expected: "true or false") { bool($1, into: &$0.sip.trace) },
        Setting("sip.transports", expected: "a comma-separated list of udp and tcp, e.g. udp,tcp") {
            let list = $1.lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !list.isEmpty, list.allSatisfy({ $0 == "udp" || $0 == "tcp" }) else { return false }
            $0.sip.transports = list
            return true
        },
        Setting("sip.t1_ms", expected: "an integer from 10 to 10000 (RFC 3261 T1, default 500)") { int($1, 10...10_000, into: &$0.sip.t1Ms) },
        Setting("sip.t2_ms", expected: "an integer from 100 to 60000 (RFC 3261 T2, default 4000)") { int($1, 100...60_000, into: &$0.sip.t2Ms) },
        Setting("sip.t4_ms", expected: "an integer from 100 to 60000 (RFC 3261 T4, default 5000)") { int($1, 100...60_000, into: &$0.sip.t4Ms) },
        Setting("sip.max_transactions", expected: "an integer from 10 to 1000000") { int($1, 10...1_000_000, into: &$0.sip.maxTransactions) },
        Setting("sip.session_expires", expected: "0 (no session timer) or seconds from 90 to 86400, e.g. 1800") {
            guard let v = Int($1), v == 0 || (90...86_400).contains(v) else { return false }
            $0.sip.sessionExpires = v
            return true
        },
        Setting("sip.min_se", expected: "seconds from 2 to 86400 (RFC 4028 asks for at least 90; lower only for tests)") {
            int($1, 2...86_400, into: &$0.sip.minSE)
        },
        Setting("sip.max_calls", flag: "--max-calls", expected: "an integer from 1 to 100000") { int($1, 1...100_000, into: &$0.sip.maxCalls) },
        Setting("sip.codecs", expected: "a comma-separated list of PCMU and PCMA in order of preference, e.g. PCMA,PCMU") {
            let list = $1.uppercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !list.isEmpty, list.allSatisfy({ $0 == "PCMU" || $0 == "PCMA" }), Set(list).count == list.count else { return false }
            $0.sip.codecs = list
            return true
        },
        Setting("rtp.ports", flag: "--rtp-ports", expected: "LOW-HIGH with 1024 <= LOW < HIGH <= 65535, e.g. 20000-20999") {
            guard let v = PortRange.parse($1) else { return false }
            $0.rtp.ports = v
            return true
        },
        Setting("rtp.workers", flag: "--rtp-workers", expected: "an integer from 0 to 64 (0: only workers that join, remote.accept_workers)") { int($1, 0...64, into: &$0.rtp.workers) },
        Setting("supervision.external", expected: "a comma-separated list of sig and audio, or empty") {
            let list = $1.lowercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard list.allSatisfy({ $0 == "sig" || $0 == "audio" }), Set(list).count == list.count else { return false }
            $0.supervision.external = list
            return true
        },
        Setting("remote.accept_workers", expected: "true or false") { bool($1, into: &$0.remote.acceptWorkers) },
        Setting("remote.listen", expected: "empty or tcp://IP:PORT, e.g. tcp://0.0.0.0:5600") {
            guard $1.isEmpty || RemoteSettings.tcpEndpoint($1) != nil else { return false }
            $0.remote.listen = $1
            return true
        },
        Setting("remote.audio_listen", expected: "empty or tcp://IP:PORT, e.g. tcp://0.0.0.0:5601 (uses PORT and PORT+1)") {
            guard $1.isEmpty || RemoteSettings.tcpEndpoint($1) != nil else { return false }
            $0.remote.audioListen = $1
            return true
        },
        Setting("remote.advertise", expected: "an IP address other hosts reach this one at, e.g. 10.0.0.2") {
            guard isIPAddress($1) else { return false }
            $0.remote.advertise = $1
            return true
        },
        Setting("remote.key_file", expected: "a path to a secret key file (sipc keys generate)") { $0.remote.keyFile = $1; return true },
        Setting("remote.authorized_keys", expected: "a directory of .pub files, or a file of public keys") { $0.remote.authorizedKeys = $1; return true },
        Setting("remote.allow_plaintext", expected: "true or false (loopback endpoints only)") { bool($1, into: &$0.remote.allowPlaintext) },
        Setting("rtp.standby", expected: "an integer from 0 to 4 (warm standby media workers, default 1)") { int($1, 0...4, into: &$0.rtp.standby) },
        Setting("rtp.jitter_min_ms", expected: "an integer from 10 to 200 (smallest jitter buffer delay, default 20)") {
            int($1, 10...200, into: &$0.rtp.jitterMinMs)
        },
        Setting("rtp.jitter_max_ms", expected: "an integer from 60 to 1000 (largest jitter buffer delay, default 300)") {
            int($1, 60...1000, into: &$0.rtp.jitterMaxMs)
        },
        Setting("audio.backend", flag: "--audio", expected: "null, file:IN.wav[,OUT.wav], alsa[:DEVICE] or auto") {
            guard let v = AudioBackend.parse($1) else { return false }
            $0.audio.backend = v
            return true
        },
        Setting("audio.capture_device", expected: "an ALSA PCM name, e.g. plughw:1 (see sip-audio --list-devices)") {
            guard !$1.isEmpty, !$1.contains(where: { $0.isWhitespace }) else { return false }
            $0.audio.captureDevice = $1
            return true
        },
        Setting("audio.playback_device", expected: "an ALSA PCM name, e.g. plughw:1 (see sip-audio --list-devices)") {
            guard !$1.isEmpty, !$1.contains(where: { $0.isWhitespace }) else { return false }
            $0.audio.playbackDevice = $1
            return true
        },
        Setting("audio.device_rate", expected: "a sample rate from 8000 to 48000, e.g. 48000") { int($1, 8000...48_000, into: &$0.audio.deviceRate) },
        Setting("audio.channels", expected: "1 or 2") { int($1, 1...2, into: &$0.audio.channels) },
        Setting("audio.period_ms", expected: "10 or 20") {
            guard $1 == "10" || $1 == "20" else { return false }
            $0.audio.periodMs = Int($1)!
            return true
        },
        Setting("audio.echo_cancellation", flag: "--echo-cancellation", expected: "true or false") { bool($1, into: &$0.audio.echoCancellation) },
        Setting("audio.echo_tail_ms", expected: "an integer from 20 to 500") { int($1, 20...500, into: &$0.audio.echoTailMs) },
        Setting("audio.noise_suppression", flag: "--noise-suppression", expected: "true or false") { bool($1, into: &$0.audio.noiseSuppression) },
        Setting("audio.gain_control", flag: "--gain-control", expected: "true or false") { bool($1, into: &$0.audio.gainControl) },
        Setting("audio.input_gain_db", expected: "a number of dB from -40 to 40, e.g. 6 or -3.5") { double($1, -40...40, into: &$0.audio.inputGainDB) },
        Setting("audio.output_gain_db", expected: "a number of dB from -40 to 40, e.g. 6 or -3.5") { double($1, -40...40, into: &$0.audio.outputGainDB) },
        Setting("audio.mute", expected: "true or false") { bool($1, into: &$0.audio.mute) },
        Setting("audio.level_events", expected: "true or false") { bool($1, into: &$0.audio.levelEvents) },
        Setting("calls.auto_answer", flag: "--auto-answer", expected: "true or false") { bool($1, into: &$0.calls.autoAnswer) },
        Setting("calls.hold_music", flag: "--hold-music", expected: "the path of a WAV file (8000 Hz, 16-bit PCM), or empty for silence") {
            guard !$1.contains("\0"), $1.utf8.count <= 4096 else { return false }
            $0.calls.holdMusic = $1
            return true
        },
        Setting("calls.accept_transfer", expected: "true or false") { bool($1, into: &$0.calls.acceptTransfer) },
        Setting("calls.codec_fallback", expected: "codecs to fall back along under sustained loss, e.g. PCMU,PCMA (empty: none)") {
            let names = $1.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.filter { !$0.isEmpty }
            guard names.allSatisfy({ ["PCMU", "PCMA"].contains($0) }), Set(names).count == names.count else { return false }
            $0.calls.codecFallback = names
            return true
        },
        Setting("calls.fallback_loss_pct", expected: "a loss percentage from 1 to 100, e.g. 10") { double($1, 1...100, into: &$0.calls.fallbackLossPct) },
        Setting("calls.fallback_after_s", expected: "seconds from 2 to 60") { int($1, 2...60, into: &$0.calls.fallbackAfterS) },
        Setting("supervision.heartbeat_interval_ms", expected: "an integer from 50 to 60000") {
            int($1, 50...60_000, into: &$0.supervision.heartbeatIntervalMs)
        },
        Setting("supervision.heartbeat_liveness", expected: "an integer from 2 to 100") {
            int($1, 2...100, into: &$0.supervision.heartbeatLiveness)
        },
        Setting("supervision.restart_backoff_initial_ms", expected: "an integer from 0 to 60000") {
            int($1, 0...60_000, into: &$0.supervision.restartBackoffInitialMs)
        },
        Setting("supervision.restart_backoff_max_ms", expected: "an integer from 100 to 600000") {
            int($1, 100...600_000, into: &$0.supervision.restartBackoffMaxMs)
        },
        Setting("supervision.stable_after_s", expected: "an integer from 1 to 86400") {
            int($1, 1...86_400, into: &$0.supervision.stableAfterS)
        },
        Setting("supervision.orch_timeout_s", expected: "an integer from 1 to 3600") {
            int($1, 1...3600, into: &$0.supervision.orchTimeoutS)
        },
        Setting("supervision.start_timeout_s", expected: "an integer from 1 to 600") {
            int($1, 1...600, into: &$0.supervision.startTimeoutS)
        },
        Setting("log.level", flag: "--log-level", expected: "trace, debug, info, notice, warning, error or critical") {
            let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            guard levels.contains($1.lowercased()) else { return false }
            $0.log.level = $1.lowercased()
            return true
        },
    ]

    static func setting(_ key: String) -> Setting? { all.first { $0.key == key } }
    static func setting(flag: String) -> Setting? { all.first { $0.flag == flag } }

    private static func bool(_ text: String, into target: inout Bool) -> Bool {
        switch text.lowercased() {
        case "true", "yes", "on": target = true
        case "false", "no", "off": target = false
        default: return false
        }
        return true
    }

    /// A literal IPv4 or IPv6 address: sockets bind to it and media ports are probed on it, so a host name
    /// would only fail later, far from the setting.
    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    private static func double(_ text: String, _ range: ClosedRange<Double>, into target: inout Double) -> Bool {
        guard let v = Double(text), v.isFinite, range.contains(v) else { return false }
        target = v
        return true
    }

    private static func int(_ text: String, _ range: ClosedRange<Int>, into target: inout Int) -> Bool {
        guard let v = Int(text), range.contains(v) else { return false }
        target = v
        return true
    }

    /// The known key closest to a misspelt one, if any is close enough to be a likely typo.
    static func suggestion(for key: String) -> String? {
        let scored = all.map { ($0.key, editDistance(key, $0.key)) }.min { $0.1 < $1.1 }
        guard let (best, distance) = scored, distance <= max(2, key.count / 4) else { return nil }
        return best
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
