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

    func run() async throws {
        let options = ComponentOptions(instance: instance, runDirectory: runDir, name: name, logLevel: logLevel)
        let (agent, logger) = options.makeAgent(role: "rtp")
        let audio: MediaAudioLink?
        do { audio = try MediaAudioLink(runDirectory: runDir, worker: name) } catch {
            logger.error("no PCM bus (frames will not reach sip-audio or taps): \(error)")
            audio = nil
        }
        let engine = MediaEngine(audio: audio) { type, data in agent.emit(type, data) }
        let pump = audio?.attach(to: engine)
        engine.start()
        let media = MediaSessionService(name: name, engine: engine)
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
