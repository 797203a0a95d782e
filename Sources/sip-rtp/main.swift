import ArgumentParser
import ComponentRuntime

/// sip-rtp: media worker component of the process group, supervised by sip-orch.
/// This build carries the supervision protocol only; RTP media arrives with issue 4.
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
        let reason = await agent.run()
        if case .orchGone = reason { throw ExitCode(3) }
    }
}
