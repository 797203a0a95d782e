import ArgumentParser
import Config
import Foundation
import ProcessSupport

/// `--instance NAME`: which process group a command talks to (env `SIPC_INSTANCE`, default `default`).
public struct InstanceOption: ParsableArguments, Sendable {
    @Option(name: .long, help: "Instance name (default: $SIPC_INSTANCE or 'default').")
    public var instance: String?

    public init() {}

    public var name: String {
        instance ?? ProcessInfo.processInfo.environment["SIPC_INSTANCE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
    }

    public func validate() throws {
        if let problem = RunDirectory.validate(instance: name) { throw ValidationError(problem) }
    }

    public var runDirectory: RunDirectory { RunDirectory(instance: name) }
}

/// The settings flags shared by `sipc up` and `sip-orch`; each overrides the config file key of the same name.
public struct ConfigOptions: ParsableArguments, Sendable {
    @Option(name: .long, help: "YAML configuration file (docs/CONFIG.md).")
    public var config: String?

    @Option(name: .long, help: "SIP listen address, HOST:PORT (sip.listen).")
    public var sipListen: String?

    @Option(name: .long, help: "RTP port range, LOW-HIGH (rtp.ports).")
    public var rtpPorts: String?

    @Option(name: .long, help: "Number of media worker processes (rtp.workers).")
    public var rtpWorkers: String?

    @Option(name: .long, help: "Audio backend: null | file:IN.wav[,OUT.wav] | alsa[:DEVICE] | auto (audio.backend).")
    public var audio: String?

    @Option(name: .long, help: "Play this WAV file into every call (the file backend's microphone; same as --audio file:WAV).")
    public var play: String?

    @Option(name: .long, help: "true or false (audio.echo_cancellation).")
    public var echoCancellation: String?

    @Option(name: .long, help: "true or false (audio.noise_suppression).")
    public var noiseSuppression: String?

    @Option(name: .long, help: "true or false (audio.gain_control).")
    public var gainControl: String?

    @Flag(name: .long, help: "Answer every incoming call (calls.auto_answer).")
    public var autoAnswer = false

    @Option(name: .long, help: "WAV file (8000 Hz, 16-bit PCM) sent to the peer while we hold a call (calls.hold_music).")
    public var holdMusic: String?

    @Flag(name: .long, help: "Log every SIP message in and out (sip.trace).")
    public var sipTrace = false

    @Option(name: .long, help: "Calls at most; more INVITEs get 503 (sip.max_calls).")
    public var maxCalls: String?

    @Option(name: .long, help: ArgumentHelp("Any configuration key, e.g. --set audio.mute=true (repeatable; docs/CONFIG.md).", valueName: "KEY=VALUE"))
    public var set: [String] = []

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical (log.level).")
    public var logLevel: String?

    public init() {}

    /// (flag, value) pairs in the order the config loader applies them.
    public var overrides: [(flag: String, value: String)] {
        var list: [(flag: String, value: String)] = []
        if let sipListen { list.append(("--sip-listen", sipListen)) }
        if let rtpPorts { list.append(("--rtp-ports", rtpPorts)) }
        if let rtpWorkers { list.append(("--rtp-workers", rtpWorkers)) }
        if let audio { list.append(("--audio", absoluteFiles(audio))) } else if let play { list.append(("--audio", "file:" + absolutePath(play))) }
        if let echoCancellation { list.append(("--echo-cancellation", echoCancellation)) }
        if let noiseSuppression { list.append(("--noise-suppression", noiseSuppression)) }
        if let gainControl { list.append(("--gain-control", gainControl)) }
        if autoAnswer { list.append(("--auto-answer", "true")) }
        if let holdMusic { list.append(("--hold-music", holdMusic.isEmpty ? "" : absolutePath(holdMusic))) }
        if sipTrace { list.append(("--sip-trace", "true")) }
        if let maxCalls { list.append(("--max-calls", maxCalls)) }
        if let logLevel { list.append(("--log-level", logLevel)) }
        for assignment in set { list.append(("--set", assignment)) }
        return list
    }

    /// The same flags as arguments for another process (the config path made absolute).
    public var arguments: [String] {
        var args: [String] = []
        if let config { args += ["--config", absolutePath(config)] }
        for (flag, value) in overrides {
            if flag == "--auto-answer" || flag == "--sip-trace" { args.append(flag) } else { args += [flag, value] }
        }
        return args
    }

    /// Loads the file (if any), applies the flags and validates everything.
    public func resolve() throws(ConfigError) -> InstanceConfig {
        var config = InstanceConfig()
        if let path = self.config { config = try ConfigLoader.load(path: absolutePath(path)) }
        try ConfigLoader.apply(overrides: overrides, to: &config)
        if config.rtp.workers == 0 && !config.remote.acceptWorkers {
            throw ConfigError(source: self.config ?? "(flags)", key: "rtp.workers", value: "0", problem: "no media worker would carry calls",
                              fix: "start at least one (rtp.workers: 1), or let workers join (remote.accept_workers: true)")
        }
        if let p = config.remote.problem() {
            throw ConfigError(source: self.config ?? "(flags)", key: p.key, value: p.value, problem: p.problem, fix: p.fix)
        }
        return config
    }

    /// `file:IN[,OUT]` with absolute paths, so the setting still means the same files if the group is started from
    /// elsewhere (sipc down/up in another directory, a config file read by a supervisor).
    private func absoluteFiles(_ backend: String) -> String {
        guard backend.hasPrefix("file:") else { return backend }
        let files = backend.dropFirst(5).split(separator: ",", omittingEmptySubsequences: false)
        return "file:" + files.map { $0.isEmpty ? "" : absolutePath(String($0)) }.joined(separator: ",")
    }

    private func absolutePath(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}
