import Config
import Foundation
import ProcessSupport

extension SIPClientBuilder {
    /// Checks every setting and returns the configuration, or throws a `SIPClientError` naming the problem and
    /// the fix. The group settings are checked by the same loader `sip-orch` uses (`docs/CONFIG.md`), so a
    /// configuration that builds also starts.
    public func build() throws(SIPClientError) -> SIPClientConfiguration {
        let s = settings
        let identity = try Self.checkIdentity(s.identity)
        let instance = s.instance ?? ProcessInfo.processInfo.environment["SIPC_INSTANCE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        if let problem = RunDirectory.validate(instance: instance) {
            throw .invalidConfiguration(setting: "instance", problem: problem, fix: "pick a name such as 'alice' or 'agent-7'")
        }
        if let root = s.runtimeDirectory { try Self.checkRuntimeDirectory(root, instance: instance) }
        if let codecs = s.codecs { try Codec.validate(codecs, setting: "codecs") }
        try Self.checkJitter(min: s.jitterMin, max: s.jitterMax)
        let account = try Self.account(s, identity: identity)
        let audio = try Self.resolveAudio(s)
        let overrides = Self.overrides(s, audio: audio)
        try Self.checkWithLoader(configFile: s.configFile, overrides: overrides)
        var arguments: [String] = []
        if let file = s.configFile { arguments += ["--config", file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file] }
        for (flag, value) in overrides {
            if flag == "--auto-answer" || flag == "--sip-trace" { arguments.append(flag) } else { arguments += [flag, value] }
        }
        guard s.startTimeout > .zero else {
            throw .invalidConfiguration(setting: "startTimeout", problem: "\(s.startTimeout) is not a positive time", fix: "use e.g. .seconds(20)")
        }
        return SIPClientConfiguration(identity: identity.text, instanceName: instance, runtimeDirectory: s.runtimeDirectory,
                                      attachIfRunning: s.attachIfRunning, account: account, orchArguments: arguments,
                                      startTimeout: s.startTimeout)
    }

    // MARK: checks of the library's own

    static func checkIdentity(_ identity: String?) throws(SIPClientError) -> (text: String, parts: SIPURIParts) {
        guard let identity, !identity.isEmpty else {
            throw .invalidConfiguration(setting: "identity", problem: "no identity was given",
                                        fix: "call .identity(\"sip:alice@example.com\") on the builder")
        }
        switch SIPURIParts.parse(identity) {
        case .failure(let problem):
            throw .invalidIdentity(identity: identity, problem: problem.message)
        case .success(let parts):
            guard parts.user != nil else { throw .invalidIdentity(identity: identity, problem: "it has no user part (user@host)") }
            return (identity, parts)
        }
    }

    static func checkRuntimeDirectory(_ root: String, instance: String) throws(SIPClientError) {
        guard root.hasPrefix("/") else {
            throw .invalidConfiguration(setting: "runtimeDirectory", problem: "'\(root)' is not an absolute path",
                                        fix: "give an absolute directory, e.g. /tmp/my-app")
        }
        // ipc:// paths must stay under 107 bytes; the longest socket is a media worker's `rtp-NN-taps.sock`.
        let longest = root + "/sip-client/" + instance + "/rtp-64-taps.sock"
        guard longest.utf8.count <= 107 else {
            throw .invalidConfiguration(setting: "runtimeDirectory", problem: "'\(root)' is too long for the instance's ipc sockets (\(longest.utf8.count) of 107 bytes)",
                                        fix: "use a shorter directory, e.g. under /tmp, or a shorter instance name")
        }
    }

    static func checkJitter(min: Int?, max: Int?) throws(SIPClientError) {
        guard let min, let max else { return }
        guard min > 0, max > 0 else {
            throw .invalidConfiguration(setting: "jitterBuffer", problem: "delays must be positive (got \(min) and \(max) ms)",
                                        fix: "use e.g. jitterBuffer(minMilliseconds: 20, maxMilliseconds: 300)")
        }
        guard min <= max else {
            throw .invalidConfiguration(setting: "jitterBuffer", problem: "the minimum (\(min) ms) is above the maximum (\(max) ms)",
                                        fix: "swap them, e.g. jitterBuffer(minMilliseconds: \(max), maxMilliseconds: \(min))")
        }
    }

    static func account(_ s: Settings, identity: (text: String, parts: SIPURIParts)) throws(SIPClientError) -> AccountSettings? {
        guard s.password != nil || s.registrar != nil else {
            if s.outboundProxy != nil {
                throw .invalidConfiguration(setting: "outboundProxy", problem: "an outbound proxy is used by a registered account, and none is configured",
                                            fix: "add credentials(user:password:) or registrar(_:), or remove outboundProxy")
            }
            if s.transport != nil {
                throw .invalidConfiguration(setting: "transport", problem: "the transport applies to the account's registrar and proxy, and no account is configured",
                                            fix: "add credentials(user:password:) or registrar(_:), or remove transport")
            }
            return nil
        }
        if let user = s.user, user.isEmpty || user.contains(where: { $0.isWhitespace || $0 == ":" || $0 == "@" }) {
            throw .invalidConfiguration(setting: "credentials", problem: "user name '\(user)' is empty or has spaces, ':' or '@'",
                                        fix: "give the digest user name alone, e.g. credentials(user: \"alice\", password: ...)")
        }
        if let password = s.password, password.isEmpty {
            throw .invalidConfiguration(setting: "credentials", problem: "the password is empty",
                                        fix: "give the account's password, or drop credentials(user:password:) for an open registrar")
        }
        for (name, value) in [("registrar", s.registrar), ("outboundProxy", s.outboundProxy)] {
            guard let value else { continue }
            if case .failure(let problem) = SIPURIParts.parse(value) {
                throw .invalidConfiguration(setting: name, problem: "'\(value)' is not a SIP URI: \(problem.message)",
                                            fix: "write it as sip:host[:port], e.g. sip:pbx.example.com")
            }
        }
        if s.registrar == nil, identity.parts.isWildcardHost || identity.parts.host == "localhost" {
            throw .invalidConfiguration(setting: "credentials", problem: "there is no registrar to send them to: the identity's host \(identity.parts.host) is not a registrar",
                                        fix: "add registrar(\"sip:pbx.example.com\") or use an identity at the provider's domain")
        }
        guard (60...86_400).contains(s.expires) else {
            throw .invalidConfiguration(setting: "registrationExpires", problem: "\(s.expires) s is outside 60-86400 s",
                                        fix: "use e.g. registrationExpires(seconds: 3600)")
        }
        return AccountSettings(aor: identity.text, user: s.user, password: s.password ?? "", registrar: s.registrar,
                               outboundProxy: s.outboundProxy, transport: s.transport ?? .udp, expires: s.expires)
    }

    /// The audio backend as `--audio` wants it, with files checked. `.automatic` is `auto`: sip-audio decides it when
    /// it starts (it is the process that links ALSA), so the library does not link ALSA to look for a sound card.
    static func resolveAudio(_ s: Settings) throws(SIPClientError) -> String {
        let spec: String
        switch s.audio {
        case .automatic:
            spec = "auto"
        case .null:
            spec = "null"
        case .alsa(let device):
            guard !device.isEmpty, !device.contains(where: { $0.isWhitespace || $0 == "," }) else {
                throw .invalidConfiguration(setting: "audioBackend", problem: "ALSA device name '\(device)' is empty or has spaces",
                                            fix: "use a name from 'aplay -L', e.g. .alsa(device: \"default\") or \"plughw:1\"")
            }
            spec = device == "default" ? "alsa" : "alsa:" + device
        case .file(let input, let output):
            guard FileManager.default.isReadableFile(atPath: input) else {
                throw .invalidConfiguration(setting: "audioBackend", problem: "input file '\(input)' does not exist or cannot be read",
                                            fix: "give a readable 16-bit PCM WAV file as .file(input:output:)")
            }
            if let output {
                let dir = (output as NSString).deletingLastPathComponent
                guard FileManager.default.isWritableFile(atPath: dir.isEmpty ? "." : dir) else {
                    throw .invalidConfiguration(setting: "audioBackend", problem: "cannot write the recording '\(output)': its directory is missing or read-only",
                                                fix: "record into an existing, writable directory")
                }
            }
            guard !input.contains(","), !(output ?? "").contains(",") else {
                throw .invalidConfiguration(setting: "audioBackend", problem: "file names may not contain ','",
                                            fix: "rename the files or move them to a path without ','")
            }
            spec = "file:" + ([input] + (output.map { [$0] } ?? [])).joined(separator: ",")
        }
        if (s.captureDevice != nil || s.playbackDevice != nil), !spec.hasPrefix("alsa"), spec != "auto" {
            throw .invalidConfiguration(setting: "captureDevice/playbackDevice", problem: "device names apply to the ALSA backend only, and the backend is \(spec)",
                                        fix: "use .audioBackend(.alsa(device: ...)) or drop captureDevice/playbackDevice")
        }
        return spec
    }

    /// The settings as (flag, value) pairs in the order `sip-orch` applies them (as `sipc up` builds them).
    static func overrides(_ s: Settings, audio: String) -> [(flag: String, value: String)] {
        var list: [(flag: String, value: String)] = []
        if let v = s.sipListen { list.append(("--sip-listen", v)) }
        if let r = s.rtpPorts { list.append(("--rtp-ports", "\(r.lowerBound)-\(r.upperBound)")) }
        if let n = s.rtpWorkers { list.append(("--rtp-workers", String(n))) }
        list.append(("--audio", audio))
        if let b = s.echoCancellation { list.append(("--echo-cancellation", String(b))) }
        if let b = s.noiseSuppression { list.append(("--noise-suppression", String(b))) }
        if let b = s.gainControl { list.append(("--gain-control", String(b))) }
        if s.autoAnswer { list.append(("--auto-answer", "true")) }
        if s.sipTrace { list.append(("--sip-trace", "true")) }
        if let v = s.logLevel { list.append(("--log-level", v)) }
        if let c = s.codecs { list.append(("--set", "sip.codecs=" + c.map(\.rawValue).joined(separator: ","))) }
        if let v = s.jitterMin { list.append(("--set", "rtp.jitter_min_ms=\(v)")) }
        if let v = s.jitterMax { list.append(("--set", "rtp.jitter_max_ms=\(v)")) }
        if let v = s.captureDevice { list.append(("--set", "audio.capture_device=" + v)) }
        if let v = s.playbackDevice { list.append(("--set", "audio.playback_device=" + v)) }
        for kv in s.extra { list.append(("--set", "\(kv.key)=\(kv.value)")) }
        return list
    }

    /// Runs the flags through the configuration loader sip-orch uses, so unknown keys and bad values are
    /// reported now, with the loader's own fix.
    static func checkWithLoader(configFile: String?, overrides: [(flag: String, value: String)]) throws(SIPClientError) {
        do throws(ConfigError) {
            var config = InstanceConfig()
            if let configFile { config = try ConfigLoader.load(path: configFile) }
            try ConfigLoader.apply(overrides: overrides, to: &config)
        } catch {
            let shown = error.value.isEmpty ? "" : " '\(error.value)'"
            throw .invalidConfiguration(setting: error.key, problem: "\(error.problem)\(shown) (from \(error.source))", fix: error.fix)
        }
    }
}
