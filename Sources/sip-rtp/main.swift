import ArgumentParser
import ComponentRuntime
import Foundation
import MediaWorker

/// sip-rtp: a media worker of the process group, supervised by sip-orch. Carries the RTP of many calls.
@main
struct SipRtp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sip-rtp", abstract: "Media worker (started by sip-orch).")

    @Option var instance: String
    @Option var runDir: String
    @Option var name: String = "rtp"
    @Option var logLevel: String = "info"
    @Flag(help: "Start as a warm standby: idle until orch asks it to take over a worker that died (component.assume).")
    var standby = false

    func run() async throws {
        var options = ComponentOptions(instance: instance, runDirectory: runDir, name: name, logLevel: logLevel)
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
        try await runWorker(options, bootstrapLogging: bootstrap)
    }

    private func runWorker(_ options: ComponentOptions, bootstrapLogging: Bool) async throws {
        let (agent, logger) = options.makeAgent(role: "rtp", bootstrapLogging: bootstrapLogging)
        let audio: MediaAudioLink?
        do { audio = try MediaAudioLink(runDirectory: options.runDirectory, worker: options.name) } catch {
            logger.error("no PCM bus (frames will not reach sip-audio or taps): \(error)")
            audio = nil
        }
        let engine = MediaEngine(audio: audio) { type, data in agent.emit(type, data) }
        let pump = audio?.attach(to: engine)
        engine.start()
        let media = MediaSessionService(name: options.name, engine: engine)
        let loadTask = Task {
            while !Task.isCancelled {
                await media.refreshLoad()
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
        let reason = await agent.run(onConfigure: { media.configure($0.config) },
                                     stats: {
                                         var stats = media.stats()
                                         if let audio { stats["pcm_in_rejected"] = .init(audio.rejectedFrames) }
                                         return stats
                                     },
                                     requests: { await media.handle($0) })
        loadTask.cancel()
        pump?.cancel()
        await engine.shutdown()
        audio?.shutdown()
        if case .orchGone = reason { throw ExitCode(3) }
    }
}
