import ArgumentParser
import ComponentRuntime
import MediaWorker

/// sip-rtp: media worker component of the process group, supervised by sip-orch.
/// This build allocates media port pairs for calls; the RTP flow arrives with issue 4.
@main
struct SipRtp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sip-rtp", abstract: "Media worker (started by sip-orch).")

    @Option var instance: String
    @Option var runDir: String
    @Option var name: String = "rtp"
    @Option var logLevel: String = "info"

    func run() async throws {
        let options = ComponentOptions(instance: instance, runDirectory: runDir, name: name, logLevel: logLevel)
        let (agent, _) = options.makeAgent(role: "rtp")
        let media = MediaSessionService(name: name)
        let reason = await agent.run(onConfigure: { media.configure($0.config) },
                                     stats: { media.stats() },
                                     requests: { media.handle($0) })
        if case .orchGone = reason { throw ExitCode(3) }
    }
}
