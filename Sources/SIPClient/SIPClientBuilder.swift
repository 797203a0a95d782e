/// Describes a client step by step, then checks everything at once in `build()`.
///
///     let configuration = try SIPClientBuilder(identity: "sip:alice@example.com")
///         .sipListen("127.0.0.1:5070")
///         .credentials(user: "alice", password: "secret")
///         .audioBackend(.null)
///         .codecs([.pcma, .pcmu])
///         .autoAnswer(true)
///         .build()
///     let client = try await SIPClient(configuration: configuration)
///
/// A value type: each method returns a changed copy, so a preset can be shared and refined. Settings of the
/// process group (listen address, audio, codecs, jitter buffer, ...) apply when the client starts the group; a
/// client that attaches to a running instance uses that instance's settings.
public struct SIPClientBuilder: Sendable, Equatable {
    /// The transport towards the registrar and outbound proxy of the account.
    public enum Transport: String, Sendable, Hashable {
        /// Datagrams: the default of most registrars.
        case udp
        /// A connection: for providers that require it, and for messages too large for one datagram.
        case tcp
    }

    /// Where the instance's audio comes from and goes to.
    public enum AudioBackend: Sendable, Hashable {
        /// The sound card if ALSA knows a `default` device, else `null`: decided by sip-audio when it starts
        /// (`audio.backend: auto`).
        case automatic
        /// Silence in, nothing out: for servers, tests and calls driven through `Call.audioStream()`.
        case null
        /// `input` (a 16-bit PCM WAV) is the microphone; `output`, if given, records what calls bring back.
        case file(input: String, output: String?)
        /// An ALSA device (`default`, `plughw:1`, ...).
        case alsa(device: String)
    }

    /// Everything set so far; nil means "not set: use the instance's default".
    struct Settings: Sendable, Equatable {
        var identity: String?
        var instance: String?
        var runtimeDirectory: String?
        var attachIfRunning = true
        var sipListen: String?
        var rtpPorts: ClosedRange<Int>?
        var rtpWorkers: Int?
        var registrar: String?
        var outboundProxy: String?
        var user: String?
        var password: String?
        var transport: Transport?
        var expires = 3600
        var audio: AudioBackend = .automatic
        var captureDevice: String?
        var playbackDevice: String?
        var echoCancellation: Bool?
        var noiseSuppression: Bool?
        var gainControl: Bool?
        var codecs: [Codec]?
        var jitterMin: Int?
        var jitterMax: Int?
        var autoAnswer = false
        var sipTrace = false
        var logLevel: String?
        var configFile: String?
        var extra: [KeyValue] = []
        var startTimeout: Duration = .seconds(20)
    }
    struct KeyValue: Sendable, Equatable {
        var key: String
        var value: String
    }
    private(set) var settings = Settings()

    /// An empty description; set at least `identity(_:)` before `build()`.
    public init() {}

    /// Starts a description with the client's SIP identity.
    public init(identity: String) { settings.identity = identity }

    private func with(_ change: (inout Settings) -> Void) -> SIPClientBuilder {
        var copy = self
        change(&copy.settings)
        return copy
    }

    /// The client's SIP address of record, `sip:user@host`: the account registered with credentials, and the
    /// `from` of calls once registered.
    public func identity(_ uri: String) -> SIPClientBuilder { with { $0.identity = uri } }
    /// The instance (process group) to attach to or start; default `$SIPC_INSTANCE`, else `default`.
    public func instance(_ name: String) -> SIPClientBuilder { with { $0.instance = name } }
    /// Base directory for run directories, used like `$XDG_RUNTIME_DIR` (tests and sandboxes use a private one).
    public func runtimeDirectory(_ path: String) -> SIPClientBuilder { with { $0.runtimeDirectory = path } }
    /// Whether to attach to the instance if it already runs (default true); false fails instead.
    public func attachIfRunning(_ attach: Bool) -> SIPClientBuilder { with { $0.attachIfRunning = attach } }
    /// Where sip-sig listens, `HOST:PORT` (UDP and TCP); default 0.0.0.0:5060.
    public func sipListen(_ hostPort: String) -> SIPClientBuilder { with { $0.sipListen = hostPort } }
    /// UDP ports the media workers use (RTP on even ports, RTCP on the next).
    public func rtpPorts(_ range: ClosedRange<Int>) -> SIPClientBuilder { with { $0.rtpPorts = range } }
    /// Number of media worker processes (default 2).
    public func rtpWorkers(_ count: Int) -> SIPClientBuilder { with { $0.rtpWorkers = count } }
    /// Registrar URI, when it is not the identity's host (e.g. `sip:pbx.example.com`). Implies registration.
    public func registrar(_ uri: String) -> SIPClientBuilder { with { $0.registrar = uri } }
    /// A proxy every request of the account goes through (e.g. `sip:proxy.example.com;transport=tcp`).
    public func outboundProxy(_ uri: String) -> SIPClientBuilder { with { $0.outboundProxy = uri } }
    /// Digest credentials: the client registers its identity with them.
    public func credentials(user: String, password: String) -> SIPClientBuilder {
        with {
            $0.user = user
            $0.password = password
        }
    }
    /// Transport towards the registrar and proxy (default UDP).
    public func transport(_ transport: Transport) -> SIPClientBuilder { with { $0.transport = transport } }
    /// Requested registration lifetime in seconds (default 3600).
    public func registrationExpires(seconds: Int) -> SIPClientBuilder { with { $0.expires = seconds } }
    /// Where audio comes from and goes to (default `.automatic`).
    public func audioBackend(_ backend: AudioBackend) -> SIPClientBuilder { with { $0.audio = backend } }
    /// The microphone, when it is not the backend's device (ALSA only).
    public func captureDevice(_ name: String) -> SIPClientBuilder { with { $0.captureDevice = name } }
    /// The loudspeaker, when it is not the backend's device (ALSA only).
    public func playbackDevice(_ name: String) -> SIPClientBuilder { with { $0.playbackDevice = name } }
    /// Acoustic echo cancellation on the microphone (default on): needed with loudspeakers, not with headsets.
    public func echoCancellation(_ on: Bool) -> SIPClientBuilder { with { $0.echoCancellation = on } }
    /// Noise suppression on the microphone (default on).
    public func noiseSuppression(_ on: Bool) -> SIPClientBuilder { with { $0.noiseSuppression = on } }
    /// Automatic gain control on the microphone (default off).
    public func gainControl(_ on: Bool) -> SIPClientBuilder { with { $0.gainControl = on } }
    /// Codecs offered and accepted, in order of preference (config `sip.codecs`).
    public func codecs(_ codecs: [Codec]) -> SIPClientBuilder { with { $0.codecs = codecs } }
    /// Bounds of the adaptive jitter buffer's delay (config `rtp.jitter_min_ms` / `rtp.jitter_max_ms`): a higher
    /// minimum rides out bursty networks, a lower maximum keeps the delay short.
    public func jitterBuffer(minMilliseconds: Int, maxMilliseconds: Int) -> SIPClientBuilder {
        with {
            $0.jitterMin = minMilliseconds
            $0.jitterMax = maxMilliseconds
        }
    }
    /// Answer every incoming call (config `calls.auto_answer`).
    public func autoAnswer(_ on: Bool) -> SIPClientBuilder { with { $0.autoAnswer = on } }
    /// Log every SIP message to the instance's `sig.log`.
    public func sipTrace(_ on: Bool) -> SIPClientBuilder { with { $0.sipTrace = on } }
    /// Log level of the group's processes (trace ... critical).
    public func logLevel(_ level: String) -> SIPClientBuilder { with { $0.logLevel = level } }
    /// A YAML configuration file (docs/CONFIG.md); the builder's settings override it.
    public func configFile(_ path: String) -> SIPClientBuilder { with { $0.configFile = path } }
    /// Any configuration key (docs/CONFIG.md), as `sipc up --set KEY=VALUE` would set it.
    public func set(_ key: String, _ value: String) -> SIPClientBuilder { with { $0.extra.append(KeyValue(key: key, value: value)) } }
    /// How long starting the group may take (default 20 s).
    public func startTimeout(_ timeout: Duration) -> SIPClientBuilder { with { $0.startTimeout = timeout } }
}
