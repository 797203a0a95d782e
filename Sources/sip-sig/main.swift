import ArgumentParser
import ComponentRuntime

/// sip-sig: SIP signalling component of the process group, supervised by sip-orch.
/// This build carries the supervision protocol only; the SIP stack arrives with issue 3.
@main
struct SipSig: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sip-sig", abstract: "SIP signalling (started by sip-orch).")

    @Option var instance: String
    @Option var runDir: String
    @Option var name: String = "sig"
    @Option var logLevel: String = "info"

    func run() async throws {
        let options = ComponentOptions(instance: instance, runDirectory: runDir, name: name, logLevel: logLevel)
        let (agent, _) = options.makeAgent(role: "sig")
        let reason = await agent.run()
        if case .orchGone = reason { throw ExitCode(3) }
    }
}
