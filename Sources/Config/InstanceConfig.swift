import Wire

/// Every setting of an instance. Loaded from a YAML file (`docs/CONFIG.md`), overridden by command-line flags,
/// validated before anything starts.
public struct InstanceConfig: Sendable, Equatable {
    public var sip = SIPSettings()
    public var rtp = RTPSettings()
    public var audio = AudioSettings()
    public var calls = CallSettings()
    public var supervision = SupervisionSettings()
    public var remote = RemoteSettings()
    public var log = LogSettings()

    public init() {}
}

public struct SIPSettings: Sendable, Equatable {
    /// Address and port `sip-sig` listens on (UDP and TCP).
    public var listen = HostPort(host: "0.0.0.0", port: 5060)
    /// Log every SIP message in and out.
    public var trace = false
    /// Transports to listen on: "udp", "tcp" (both by default).
    public var transports = ["udp", "tcp"]
    /// RFC 3261 timer T1 (round-trip estimate), T2 (maximum retransmit interval), T4 (network lifetime), in ms.
    public var t1Ms = 500
    public var t2Ms = 4000
    public var t4Ms = 5000
    /// Live SIP transactions at most; a new request beyond it is answered 503 with Retry-After.
    public var maxTransactions = 20_000
    /// Calls at most; an INVITE beyond it is answered 503 with Retry-After.
    public var maxCalls = 500
    /// RFC 4028 session timer we ask for on our calls (seconds; 0: none), and the shortest we accept (Min-SE).
    public var sessionExpires = 1800
    public var minSE = 90
    /// Codecs offered and accepted, in order of preference.
    public var codecs = ["PCMU", "PCMA"]
}

public struct RTPSettings: Sendable, Equatable {
    /// Local UDP ports media workers allocate from (RTP on even ports, RTCP on the next odd one).
    public var ports = PortRange(low: 20000, high: 20999)
    /// Number of `sip-rtp` worker processes.
    public var workers = 2
    /// Warm standby workers: started and idle, each ready to take over a crashed worker's calls at once (its name,
    /// ports and RTP state), which saves the start of a new process from the audio gap.
    public var standby = 1
    /// Bounds of the adaptive jitter buffer's playout delay.
    public var jitterMinMs = 20
    public var jitterMaxMs = 300
}

public struct AudioSettings: Sendable, Equatable {
    public var backend: AudioBackend = .null
    /// ALSA device names per direction, overriding the backend's device (e.g. a USB headset's mic with the
    /// laptop's speaker). Only with the alsa backend.
    public var captureDevice: String?
    public var playbackDevice: String?
    /// What sip-audio asks an ALSA device for; calls run at 8 kHz mono and are resampled to this.
    public var deviceRate = 48000
    public var channels = 1
    public var periodMs = 20
    public var echoCancellation = true
    /// The longest echo path the canceller models (loudspeaker to microphone, including device buffering).
    public var echoTailMs = 200
    public var noiseSuppression = true
    public var gainControl = false
    public var inputGainDB = 0.0
    public var outputGainDB = 0.0
    /// Start with the microphone muted.
    public var mute = false
    /// Publish `audio.level` (capture and playback RMS/peak) at 10 Hz while a call has the devices.
    public var levelEvents = true
}

public struct CallSettings: Sendable, Equatable {
    /// Answer every incoming call without asking.
    public var autoAnswer = false
    /// A WAV file (8000 Hz, 16-bit PCM) the media worker sends while we hold a call; empty: silence.
    public var holdMusic = ""
    /// Follow a peer's REFER (place the call it asks for); off: REFERs are declined (603).
    public var acceptTransfer = true
    /// Codecs to fall back along (in order) when a call suffers sustained loss; empty: no fallback.
    public var codecFallback: [String] = []
    /// Loss (percent, per second) that counts as sustained after `fallbackAfterS` seconds in a row.
    public var fallbackLossPct = 10.0
    public var fallbackAfterS = 5
}

/// How `sip-orch` watches and restarts components (the zguide's Paranoid Pirate numbers by default).
public struct SupervisionSettings: Sendable, Equatable {
    public var heartbeatIntervalMs = 1000
    /// Missed heartbeats before a component is declared hung and killed.
    public var heartbeatLiveness = 3
    public var restartBackoffInitialMs = 0
    public var restartBackoffMaxMs = 10_000
    /// A component that stays up this long gets its backoff reset.
    public var stableAfterS = 30
    /// A component exits by itself when it has heard nothing from orch for this long.
    public var orchTimeoutS = 5
    /// Longest wait for a spawned component's hello before it is killed and restarted.
    public var startTimeoutS = 10
    /// Roles orch does not start but waits for: they connect by themselves (containers started by a compose engine,
    /// which also restarts them). "sig" and/or "audio".
    public var external: [String] = []
}

/// Media workers that are not orch's children: on this host (a container sharing the run directory) or on other
/// hosts over `tcp://` with CurveZMQ (docs/DEPLOY.md).
public struct RemoteSettings: Sendable, Equatable {
    /// Accept media workers that join by themselves (`sip-rtp --name auto`, or over `listen`).
    public var acceptWorkers = false
    /// orch's endpoint for workers on other hosts, `tcp://IP:PORT`; empty: none.
    public var listen = ""
    /// The address other hosts reach this host at (orch and sip-audio); needed when `listen` is on 0.0.0.0.
    public var advertise = ""
    /// sip-audio's PCM endpoint for remote workers, `tcp://IP:PORT` (frames to play on PORT, captured ones on PORT+1).
    public var audioListen = ""
    /// The instance's secret key file (`sipc keys generate instance`): orch and sip-audio prove themselves with it.
    public var keyFile = ""
    /// Public keys of the workers allowed in: a directory of `*.pub` files or a file with one key per line.
    public var authorizedKeys = ""
    /// Plain text on `listen`/`audio_listen`, only accepted for loopback addresses (tests, one-host trials).
    public var allowPlaintext = false

    public init() {}

    /// What is wrong with this combination, naming the fix; nil when usable.
    public func problem() -> (key: String, value: String, problem: String, fix: String)? {
        for (key, value) in [("remote.listen", listen), ("remote.audio_listen", audioListen)] where !value.isEmpty {
            guard let hp = RemoteSettings.tcpEndpoint(value) else {
                return (key, value, "not a tcp://IP:PORT endpoint", "write it as tcp://0.0.0.0:5600 (all addresses) or tcp://10.0.0.2:5600")
            }
            if keyFile.isEmpty {
                guard allowPlaintext else {
                    return (key, value, "a plain-text tcp endpoint is refused", "set remote.key_file and remote.authorized_keys (sipc keys generate; docs/DEPLOY.md), or for a loopback-only trial remote.allow_plaintext: true")
                }
                guard RemoteSettings.isLoopback(hp.host) else {
                    return (key, value, "plain text is only allowed on loopback (127.0.0.1, ::1)", "set remote.key_file and remote.authorized_keys to use CurveZMQ")
                }
            } else if authorizedKeys.isEmpty {
                return ("remote.authorized_keys", "", "no worker could connect: no authorised keys", "point it at a directory of the workers' .pub files")
            }
        }
        if !listen.isEmpty && !acceptWorkers {
            return ("remote.accept_workers", "false", "remote.listen is set but joining workers are refused", "set remote.accept_workers: true")
        }
        if !listen.isEmpty && audioListen.isEmpty {
            return ("remote.audio_listen", "", "remote workers need sip-audio's PCM endpoint", "set it, e.g. tcp://0.0.0.0:5601")
        }
        if !listen.isEmpty, let hp = RemoteSettings.tcpEndpoint(listen), hp.host == "0.0.0.0" || hp.host == "::", advertise.isEmpty {
            return ("remote.advertise", "", "workers must be told an address they can reach", "set it to this host's address, e.g. 10.0.0.2")
        }
        return nil
    }

    public static func tcpEndpoint(_ text: String) -> HostPort? {
        guard text.hasPrefix("tcp://") else { return nil }
        return HostPort.parse(String(text.dropFirst(6)))
    }

    public static func isLoopback(_ host: String) -> Bool { host == "::1" || host.hasPrefix("127.") }
}

public struct LogSettings: Sendable, Equatable {
    public var level = "info"
}

public struct HostPort: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT` or `[IPv6]:PORT`.
    public static func parse(_ text: String) -> HostPort? {
        let host: Substring, portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(portText), (0...65535).contains(port) else { return nil }
        return HostPort(host: String(host), port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

public struct PortRange: Sendable, Equatable, CustomStringConvertible {
    public var low: Int
    public var high: Int

    public init(low: Int, high: Int) {
        self.low = low
        self.high = high
    }

    /// Parses `LOW-HIGH`: 1024 <= LOW < HIGH <= 65535, at least two ports (one RTP/RTCP pair).
    public static func parse(_ text: String) -> PortRange? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let low = Int(parts[0]), let high = Int(parts[1]),
              low >= 1024, high <= 65535, high > low else { return nil }
        return PortRange(low: low, high: high)
    }

    public var description: String { "\(low)-\(high)" }
}

/// Where audio comes from and goes to.
public enum AudioBackend: Sendable, Equatable, CustomStringConvertible {
    /// Silence in, nothing out.
    case null
    /// `input` is the microphone (played into calls); `output`, if set, records what calls bring back.
    case file(input: String, output: String?)
    /// A sound device by ALSA name.
    case alsa(device: String)
    /// `alsa` if ALSA knows a `default` device, else `null`: decided by sip-audio when it reads its configuration,
    /// so that clients (SIPClient, sipc) need not link ALSA to choose.
    case automatic

    /// Parses `null`, `file:IN.wav[,OUT.wav]`, `alsa[:DEVICE]` or `auto`.
    public static func parse(_ text: String) -> AudioBackend? {
        if text == "null" { return .null }
        if text == "auto" { return .automatic }
        if text == "alsa" { return .alsa(device: "default") }
        if text.hasPrefix("alsa:") {
            let device = String(text.dropFirst(5))
            return device.isEmpty ? nil : .alsa(device: device)
        }
        if text.hasPrefix("file:") {
            let files = text.dropFirst(5).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard (1...2).contains(files.count), !files[0].isEmpty else { return nil }
            if files.count == 2 {
                guard !files[1].isEmpty else { return nil }
                return .file(input: files[0], output: files[1])
            }
            return .file(input: files[0], output: nil)
        }
        return nil
    }

    public var description: String {
        switch self {
        case .null: "null"
        case .file(let input, let output): "file:\(input)" + (output.map { ",\($0)" } ?? "")
        case .alsa(let device): "alsa:\(device)"
        case .automatic: "auto"
        }
    }
}
