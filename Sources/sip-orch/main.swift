import ArgumentParser
import CLISupport
import Config
import Foundation
import Logging
import Orchestrator
import ProcessSupport

/// sip-orch: supervises the process group of one instance and serves its control API.
@main
struct SipOrch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sip-orch",
        abstract: "Supervise an instance's process group (normally started by 'sipc up').")

    @OptionGroup var instance: InstanceOption
    @OptionGroup var settings: ConfigOptions

    @Option(name: .long, help: "Run directory (default: derived from the instance name).")
    var runDir: String?

    func run() async throws {
        let config: InstanceConfig
        do {
            config = try settings.resolve()
        } catch {
            FileHandle.standardError.write(Data("sip-orch: \(error)\n".utf8))
            throw ExitCode(2)
        }
        LogSetup.bootstrap(level: LogSetup.level(named: config.log.level))
        let logger = Logger(label: "sip-orch")
        let dir = runDir.map { RunDirectory(instance: instance.name, path: $0) } ?? instance.runDirectory
        let orch = Orchestrator(instance: instance.name, runDirectory: dir, config: config, logger: logger)
        do {
            try await orch.run()
        } catch {
            logger.critical("cannot start: \(error)")
            FileHandle.standardError.write(Data("sip-orch: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
