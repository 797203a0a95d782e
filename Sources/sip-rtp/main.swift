import ArgumentParser
import Bus
import ComponentRuntime
import Config
import Foundation
import MediaWorker
import Wire

/// sip-rtp: a media worker of the process group. Started by sip-orch, or by itself: a container sharing the run
/// directory (`--name auto`, with `remote.accept_workers`), or on another host (`--orch tcp://…`, CurveZMQ).
@main
struct SipRtp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sip-rtp", abstract: "Media worker (started by sip-orch, or joining one: docs/DEPLOY.md).")

    @Option var instance: String = "default"
    @Option(help: "The instance's run directory (default for a remote worker: a private directory for its tap sockets).")
    var runDir: String?
    @Option(help: "Component name; 'auto' is rtp-<host name>.") var name: String = "rtp"
    @Option var logLevel: String = "info"
    @Flag(help: "Start as a warm standby: idle until orch asks it to take over a worker that died (component.assume).")
    var standby = false
    @Option(help: "orch's remote.listen endpoint, tcp://HOST:PORT: join an instance on another host.") var orch: String?
    @Option(help: "sip-audio's remote.audio_listen endpoint (default: the --orch host, port + 1).") var audio: String?
    @Option(help: "The instance's public key file (instance.pub), which orch and sip-audio must prove.") var orchKey: String?
    @Option(help: "This worker's secret key file (sipc keys generate NAME).") var keyFile: String?
    @Option(help: "The address the peer should send RTP to (this host's, in the SDP).") var mediaAddress: String?
    @Option(help: "RTP ports of this worker, LOW-HIGH (default: the instance's rtp.ports).") var rtpPorts: String?

    func validate() throws {
        if orch != nil, (orchKey == nil) != (keyFile == nil) {
            throw ValidationError("give both --orch-key and --key-file (CurveZMQ), or neither (plain text, loopback only)")
        }
        if orch == nil, runDir == nil { throw ValidationError("give --run-dir (the instance's), or --orch for a worker on another host") }
        if let o = orch, !o.hasPrefix("tcp://") { throw ValidationError("--orch is orch's remote.listen, tcp://HOST:PORT") }
        if let ports = rtpPorts, PortRange.parse(ports) == nil {
            throw ValidationError("--rtp-ports is LOW-HIGH with 1024 <= LOW < HIGH <= 65535, e.g. 20000-20999")
        }
    }

    func run() async throws {
        let workerName = name == "auto" ? "rtp-\(ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host")" : name
        var options = ComponentOptions(instance: instance, runDirectory: try runDirectory(for: workerName), name: workerName, logLevel: logLevel)
        var remoteAudio: MediaAudioLink.RemoteAudio?
        if let orch {
            let security = try remoteSecurity()
            options.control = orch
            options.security = security
            let audioEndpoint = audio ?? InstanceEndpoints.nextPort(orch)
            remoteAudio = MediaAudioLink.RemoteAudio(playback: audioEndpoint, capture: InstanceEndpoints.nextPort(audioEndpoint), security: security)
        }
        var bootstrap = true
        if standby {
            // Idle, but with the runtime loaded and the bus connected: taking over costs a reconnect, not a process start.
            let (agent, logger) = options.makeAgent(role: "rtp")
            let reason = await agent.run(assumable: true)
            guard case .assume(let newName) = reason else {
                if case .orchGone = reason { throw ExitCode(3) }
                return
            }
            logger.notice("taking over", metadata: ["as": "\(newName)"])
            options.name = newName
            options.redirectLog()
            bootstrap = false
        }
        try await runWorker(options, remoteAudio: remoteAudio, bootstrapLogging: bootstrap)
    }

    private func runWorker(_ options: ComponentOptions, remoteAudio: MediaAudioLink.RemoteAudio?, bootstrapLogging: Bool) async throws {
        let (agent, logger) = options.makeAgent(role: "rtp", bootstrapLogging: bootstrapLogging)
        let audio: MediaAudioLink?
        do { audio = try MediaAudioLink(runDirectory: options.runDirectory, worker: options.name, remote: remoteAudio) } catch {
            logger.error("no PCM bus (frames will not reach sip-audio or taps): \(error)")
            audio = nil
        }
        let engine = MediaEngine(audio: audio) { event in agent.emit(event) }
        let pump = audio?.attach(to: engine)
        engine.start()
        let media = MediaSessionService(name: options.name, engine: engine)
        let loadTask = Task {
            while !Task.isCancelled {
                await media.refreshLoad()
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
        let overrides = localOverrides()
        let reason = await agent.run(onConfigure: { configure in
                                         var settings = configure.settings
                                         overrides(&settings)
                                         let worker: ConfigureContent.Worker?
                                         do { worker = try configure.content().worker } catch {
                                             logger.error("configure: \(error); taking all of rtp.ports as the only worker")
                                             worker = nil
                                         }
                                         media.configure(settings, worker: worker)
                                     },
                                     stats: {
                                         var stats = media.stats()
                                         if let audio { stats.pcmInRejected = audio.rejectedFrames }
                                         return stats.jsonObject
                                     },
                                     requests: { await media.handle($0) })
        loadTask.cancel()
        pump?.cancel()
        await engine.shutdown()
        audio?.shutdown()
        if case .orchGone = reason { throw ExitCode(3) }
    }

    /// This host's own settings over the instance's: its media address and port range.
    /// The worker takes its media host from `sip.listen` (only the host is used).
    private func localOverrides() -> @Sendable (inout InstanceConfig) -> Void {
        let ports = rtpPorts.flatMap(PortRange.parse), address = mediaAddress
        return { settings in
            if let ports { settings.rtp.ports = ports }
            if let address { settings.sip.listen.host = address }
        }
    }

    private func remoteSecurity() throws -> SocketSecurity {
        guard let orchKey, let keyFile else { return .none }
        do {
            let server = try KeyFiles.readPublicKey(orchKey)
            let own = try KeyFiles.readKeyPair(keyFile)
            return .curveClient(serverKey: server, publicKey: own.publicKey, secretKey: own.secretKey)
        } catch {
            FileHandle.standardError.write(Data("sip-rtp: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    /// The instance's run directory, or for a remote worker a private one (its tap and inject sockets, its log).
    private func runDirectory(for worker: String) throws -> String {
        if let runDir { return runDir }
        let base = ProcessInfo.processInfo.environment["XDG_RUNTIME_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        let dir = "\(base)/sip-client/remote-\(worker)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return dir
    }
}
