import ArgumentParser
import CLISupport
import Config
import Foundation
import Logging
import Orchestrator
import ProcessSupport

/// sip-orch: supervises the process group of one instance and serves its control API.
/// Started without `--supervisor` it is the keeper, which runs and restarts the supervisor.
@main
struct SipOrch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sip-orch",
        abstract: "Supervise an instance's process group (normally started by 'sipc up').")

    @OptionGroup var instance: InstanceOption
    @OptionGroup var settings: ConfigOptions

    @Option(name: .long, help: "Run directory (default: derived from the instance name).")
    var runDir: String?

    @Flag(help: "Run the supervisor itself (the keeper passes this).")
    var supervisor = false

    @Flag(help: "A previous orch died: adopt its running components (the keeper passes this).")
    var adopting = false

    @Option(help: "How often the keeper has restarted orch (shown in status).")
    var orchRestarts = 0

    func run() async throws {
        let config: InstanceConfig
        do {
            config = try settings.resolve()
        } catch {
            FileHandle.standardError.write(Data("sip-orch: \(error)\n".utf8))
            throw ExitCode(2)
        }
        LogSetup.bootstrap(level: LogSetup.level(named: config.log.level))
        let dir = runDir.map { RunDirectory(instance: instance.name, path: $0) } ?? instance.runDirectory
        if !supervisor {
            let logger = Logger(label: "sip-orch-keeper")
            guard let own = Executables.selfDirectory().map({ $0 + "/sip-orch" }) else { throw ExitCode(1) }
            let args = ["--instance", instance.name, "--run-dir", dir.path] + settings.arguments
            throw ExitCode(await OrchKeeper.run(orchExecutable: own, arguments: args, runDirectory: dir, logger: logger))
        }
        let logger = Logger(label: "sip-orch")
        let orch = Orchestrator(instance: instance.name, runDirectory: dir, config: config, logger: logger,
                                adopting: adopting, restarts: orchRestarts)
        do {
            try await orch.run()
        } catch {
            logger.critical("cannot start: \(error)")
            FileHandle.standardError.write(Data("sip-orch: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
