// swift-tools-version:6.0
// sip-client: a SIP softphone built as a group of cooperating processes on a ZeroMQ bus.
import PackageDescription

let swift6: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "sip-client",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sip-orch", targets: ["sip-orch"]),
        .executable(name: "sip-sig", targets: ["sip-sig"]),
        .executable(name: "sip-rtp", targets: ["sip-rtp"]),
        .executable(name: "sip-audio", targets: ["sip-audio"]),
        .executable(name: "sipc", targets: ["sipc"]),
        .executable(name: "sip-bench", targets: ["sip-bench"]),
        .library(name: "GroupControl", targets: ["GroupControl"]),
        .library(name: "SIPClient", targets: ["SIPClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.65.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
    ],
    targets: [
        // C shims: module maps only.
        .systemLibrary(name: "CZeroMQ", pkgConfig: "libzmq", providers: [.apt(["libzmq3-dev"])]),
        .systemLibrary(name: "CALSA", pkgConfig: "alsa", providers: [.apt(["libasound2-dev"])]),
        .systemLibrary(name: "CPosix"),
        .systemLibrary(name: "CSpeexDSP", pkgConfig: "speexdsp", providers: [.apt(["libspeexdsp-dev"])]),

        // Cores.
        /// One monotonic time type for every module, and the only reader of the clock (`MonotonicClock`).
        .target(name: "Timebase", swiftSettings: swift6),
        /// The contract between processes: control messages, events and PCM frames; no I/O.
        .target(name: "Wire", swiftSettings: swift6),
        /// ZeroMQ adapter: socket-owning threads bridged to Swift concurrency.
        .target(name: "Bus", dependencies: ["CZeroMQ", "Wire"], swiftSettings: swift6),
        /// Process plumbing: signals, spawning, run directories, logging bootstrap.
        .target(name: "ProcessSupport", dependencies: ["CPosix", .product(name: "Logging", package: "swift-log")],
                swiftSettings: swift6),
        /// SIP messages with no I/O: parser, serializer, URIs, header values, stream framing, validation (RFC 3261).
        .target(name: "SIPCore", swiftSettings: swift6),
        /// SIP dialogs (RFC 3261 §12): creation, route sets, in-dialog requests, target refresh, forks; no I/O.
        .target(name: "SIPDialog", dependencies: ["SIPCore"], swiftSettings: swift6),
        /// SIP transactions (RFC 3261 §17) with virtual-clock timers, matching, merged-request and limit handling; no I/O.
        .target(name: "SIPTransaction", dependencies: ["SIPCore", "Timebase"], swiftSettings: swift6),
        /// HTTP-style digest authentication for SIP (RFC 2617, RFC 7616, RFC 3261 §22): client and verifier.
        .target(name: "SIPDigest", dependencies: ["SIPCore", .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: swift6),
        /// Client registration state machine (RFC 3261 §10): refresh, 401/407, 423, backoff, unregister; no I/O.
        .target(name: "SIPRegistration", dependencies: ["SIPCore", "SIPDigest", "Timebase"], swiftSettings: swift6),
        /// SIP over the network on SwiftNIO: UDP and TCP listeners, outbound connections, stream framing.
        .target(name: "SIPTransport",
                dependencies: ["SIPCore", "Timebase", .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "NIOPosix", package: "swift-nio")],
                swiftSettings: swift6),
        /// SDP (RFC 4566) parse/serialize and RFC 3264 offer/answer for audio; no I/O.
        .target(name: "SDP", swiftSettings: swift6),
        /// Media protocol logic with no I/O: G.711, RTP/RTCP packets, receive statistics, RFC 4733 events.
        .target(name: "MediaCore", swiftSettings: swift6),
        /// Settings of an instance: YAML file plus overrides, validated with messages that name the fix.
        .target(name: "Config", dependencies: ["Wire", .product(name: "Yams", package: "Yams")],
                swiftSettings: swift6),

        /// Voice processing on libspeexdsp: echo cancellation, noise suppression, gain control, resampling.
        .target(name: "AudioDSP", dependencies: ["CSpeexDSP"], swiftSettings: swift6),

        // Component modules.
        /// Sound without a sound card: the device abstraction, the null and WAV file backends, WAV files (read whole,
        /// or written as they grow) for sip-audio, media workers (hold music, recordings) and sipc.
        .target(name: "AudioIO", swiftSettings: swift6),
        /// The ALSA backend of sip-audio: capture and playback devices, the device list.
        .target(name: "ALSAAudio", dependencies: ["CALSA", "AudioIO"], swiftSettings: swift6),
        /// sip-audio's engine: device pacing, voice processing, mixing, device loss and the calls' PCM streams.
        .target(name: "AudioService", dependencies: ["AudioIO", "ALSAAudio", "AudioDSP", "Bus", "Wire", "Config", "MediaQuality", "Timebase"], swiftSettings: swift6),
        /// sip-orch: supervision of the process group (pure state machine plus the adapter that runs it), calls and
        /// registrations coordinated between sig, the media workers and audio, remote workers.
        .target(name: "Orchestrator",
                dependencies: ["Wire", "Bus", "Config", "ProcessSupport", "CPosix", "Timebase", .product(name: "Logging", package: "swift-log")],
                swiftSettings: swift6),
        /// What every supervised component shares: hello, heartbeats, configuration, orch liveness.
        .target(name: "ComponentRuntime",
                dependencies: ["Config", "Wire", "Bus", "ProcessSupport", "Timebase", .product(name: "Logging", package: "swift-log")],
                swiftSettings: swift6),
        /// Client side of an instance: locate, start, stop, query and follow a process group.
        .target(name: "GroupControl",
                dependencies: ["Wire", "Bus", "ProcessSupport", "Timebase"],
                swiftSettings: swift6),

        /// Command-line pieces shared by sipc and sip-orch: the instance and configuration flags.
        .target(name: "CLISupport",
                dependencies: ["Config", "ProcessSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
                swiftSettings: swift6),

        /// INVITE sessions as values (RFC 3261 §13-15, 3262, 3311, 3515, 4028): one call's offer/answer, re-INVITE and
        /// UPDATE, PRACK, session timer, REFER/NOTIFY and INFO take messages, commands and timers with `now:` and return
        /// actions; no I/O, no clock.
        .target(name: "SIPSession", dependencies: ["SIPCore", "SIPDialog", "SIPTransaction", "SIPDigest", "SDP", "Wire", "Timebase"],
                swiftSettings: swift6),
        /// sip-sig's user agent: the adapter that runs the sessions over SIPTransport and the transaction layer, with the
        /// call table, registrations, throttle and answer slots, driven by orch.
        .target(name: "Signaling",
                dependencies: ["SIPCore", "SIPTransport", "SIPTransaction", "SIPSession", "SIPRegistration", "Wire", "Config", "Timebase",
                               .product(name: "Logging", package: "swift-log")],
                swiftSettings: swift6),
        /// Adaptive jitter buffer with G.711 Appendix I style packet loss concealment; no I/O.
        .target(name: "JitterBuffer", dependencies: ["Timebase"], swiftSettings: swift6),
        /// RTCP session logic (RFC 3550 intervals, SR/RR, RTT, BYE, rtcp-mux) and the ITU-T G.107 E-model; no I/O.
        .target(name: "MediaQuality", dependencies: ["MediaCore"], swiftSettings: swift6),
        /// sip-rtp's engine: RTP/RTCP sockets per call, the 20 ms tick, jitter buffers, PCM to and from sip-audio, taps,
        /// DTMF, hold music and recordings (WAV through AudioIO).
        .target(name: "MediaWorker",
                dependencies: ["Wire", "Bus", "Config", "MediaCore", "MediaQuality", "JitterBuffer", "AudioIO", "Timebase", .product(name: "NIOCore", package: "swift-nio"),
                               .product(name: "NIOPosix", package: "swift-nio")],
                swiftSettings: swift6),

        /// The client library: simple, builder and advanced APIs over an instance's bus, typed events, call audio.
        .target(name: "SIPClient",
                dependencies: ["GroupControl", "Bus", "Wire", "ProcessSupport", "Config", "Timebase"],
                swiftSettings: swift6),

        // Examples (built in CI): the library in use.
        .executableTarget(name: "SimpleSoftphone", dependencies: ["SIPClient"], path: "examples/SimpleSoftphone",
                          swiftSettings: swift6),
        .executableTarget(name: "CallCentreAgent", dependencies: ["SIPClient"], path: "examples/CallCentreAgent",
                          swiftSettings: swift6),
        .executableTarget(name: "AudioProcessor", dependencies: ["SIPClient"], path: "examples/AudioProcessor",
                          swiftSettings: swift6),

        // Executables: arguments and wiring only.
        .executableTarget(name: "sip-orch",
                          dependencies: ["Orchestrator", "Config", "ProcessSupport", "CLISupport", .product(name: "Logging", package: "swift-log"),
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: swift6),
        .executableTarget(name: "sip-sig",
                          dependencies: ["ComponentRuntime", "Signaling", "Wire", .product(name: "Logging", package: "swift-log"), .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: swift6),
        .executableTarget(name: "sip-rtp",
                          dependencies: ["ComponentRuntime", "MediaWorker", "Bus", "Wire", "Config", .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: swift6),
        .executableTarget(name: "sip-audio",
                          dependencies: ["ComponentRuntime", "ALSAAudio", "AudioService", "Wire",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: swift6),
        // sipc lists devices through orch (sip-audio's audio.devices), so it links no ALSA; AudioIO is for WAV files and
        // AudioDSP only for the speex resampler of `sipc call --play` (a WAV at any rate to 8 kHz).
        .executableTarget(name: "sipc",
                          dependencies: ["GroupControl", "CLISupport", "ProcessSupport", "Wire", "Bus", "AudioIO", "AudioDSP", "Timebase", .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: swift6),
        /// libFuzzer target over the network parsers; built by scripts/fuzz with --sanitize=fuzzer.
        .executableTarget(name: "sip-fuzz", dependencies: ["SIPCore", "SDP", "MediaCore", "Wire", "Config"], swiftSettings: swift6),
        .executableTarget(name: "sip-bench",
                          dependencies: ["Bus", "Wire", "ProcessSupport", "SIPCore", "MediaCore", "MediaWorker", "JitterBuffer", "AudioIO", "GroupControl", "Timebase",
                                         .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: swift6),

        // Tests.
        .testTarget(name: "MediaCoreTests", dependencies: ["MediaCore"], resources: [.copy("Fixtures")],
                    swiftSettings: swift6),
        .testTarget(name: "SIPCoreTests", dependencies: ["SIPCore"], resources: [.copy("Fixtures")],
                    swiftSettings: swift6),
        .testTarget(name: "SIPTransportTests", dependencies: ["SIPTransport", "SIPCore"], swiftSettings: swift6),
        .testTarget(name: "SIPDialogTests", dependencies: ["SIPDialog", "SIPCore"], swiftSettings: swift6),
        .testTarget(name: "SIPTransactionTests", dependencies: ["SIPTransaction", "SIPCore", "Timebase"], swiftSettings: swift6),
        .testTarget(name: "SIPDigestTests", dependencies: ["SIPDigest", "SIPCore"], swiftSettings: swift6),
        .testTarget(name: "SignalingTests", dependencies: ["SIPSession", "Signaling", "SIPCore", "SIPDialog", "SIPTransaction", "SDP", "Wire", "Timebase"],
                    swiftSettings: swift6),
        .testTarget(name: "SIPRegistrationTests", dependencies: ["SIPRegistration", "SIPDigest", "SIPCore", "Timebase"], swiftSettings: swift6),
        .testTarget(name: "JitterBufferTests", dependencies: ["JitterBuffer", "Timebase"], swiftSettings: swift6),
        .testTarget(name: "MediaQualityTests", dependencies: ["MediaQuality", "MediaCore"], swiftSettings: swift6),
        /// The media session core driven with no sockets and a virtual clock.
        .testTarget(name: "MediaWorkerTests", dependencies: ["MediaWorker", "MediaCore", "JitterBuffer", "Wire", "Timebase"],
                    swiftSettings: swift6),
        .testTarget(name: "AudioIOTests", dependencies: ["AudioIO"], swiftSettings: swift6),
        .testTarget(name: "ALSAAudioTests", dependencies: ["ALSAAudio", "AudioIO"], swiftSettings: swift6),
        .testTarget(name: "AudioDSPTests", dependencies: ["AudioDSP"], swiftSettings: swift6),
        .testTarget(name: "AudioServiceTests", dependencies: ["AudioService", "AudioIO", "AudioDSP", "Wire", "Config"], swiftSettings: swift6),
        .testTarget(name: "SDPTests", dependencies: ["SDP"], swiftSettings: swift6),
        .testTarget(name: "SIPClientTests",
                    dependencies: ["SIPClient", "Bus", "Wire", "ProcessSupport", "GroupControl", "Timebase"],
                    swiftSettings: swift6),
        .testTarget(name: "FuzzRegressionTests", dependencies: ["SIPCore", "SDP", "MediaCore", "Wire", "Config"],
                    path: "Tests/Fuzz", exclude: ["corpus", "regressions"], swiftSettings: swift6),
        .testTarget(name: "TimebaseTests", dependencies: ["Timebase"], swiftSettings: swift6),
        .testTarget(name: "WireTests", dependencies: ["Wire"], exclude: ["Fixtures"], swiftSettings: swift6),
        .testTarget(name: "BusTests", dependencies: ["Bus", "Wire", "ProcessSupport", "Timebase"], swiftSettings: swift6),
        .testTarget(name: "ConfigTests", dependencies: ["Config"], swiftSettings: swift6),
        .testTarget(name: "OrchestratorTests", dependencies: ["Orchestrator", "Wire", "Config", "ProcessSupport", "Timebase"], swiftSettings: swift6),
        .testTarget(name: "IntegrationTests", dependencies: ["GroupControl", "Bus", "Wire", "ProcessSupport", "SIPTransport", "SIPCore", "AudioIO", "Timebase"],
                    swiftSettings: swift6),
    ]
)
