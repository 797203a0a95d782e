import ArgumentParser
import CLISupport
import Foundation
import GroupControl
import ProcessSupport
import Wire

struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start an instance in the background; returns once every component is up.")

    @OptionGroup var instance: InstanceOption
    @OptionGroup var settings: ConfigOptions

    @Flag(help: "Run sip-orch in the foreground instead (Ctrl-C stops the group).")
    var foreground = false

    @Option(help: "Seconds to wait for every component to come up.")
    var timeout: Double = 20

    func run() async throws {
        // Validate here first, so a bad setting is reported before anything starts.
        do {
            _ = try settings.resolve()
        } catch {
            printError("\(error)")
            throw ExitCode(2)
        }
        let handle = InstanceHandle(runDirectory: instance.runDirectory)
        if foreground {
            guard let orch = Executables.locate("sip-orch") else {
                printError("cannot find the sip-orch executable beside sipc, in $SIPC_BIN_DIR or on $PATH")
                throw ExitCode(1)
            }
            let args = [orch, "--instance", instance.name] + settings.arguments
            let argv = args.map { strdup($0) } + [nil]
            execv(orch, argv)
            printError("cannot exec \(orch): \(String(cString: strerror(errno)))")
            throw ExitCode(1)
        }
        do {
            let status = try await GroupLauncher.up(instance: handle, orchArguments: settings.arguments, timeout: .seconds(timeout))
            let summary = status.components.map { "\($0.name)=\($0.pid ?? 0)" }.joined(separator: " ")
            print("instance '\(instance.name)' up: \(status.components.count) processes (\(summary)); run directory \(handle.runDirectory.path)")
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
    }
}

struct Down: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stop an instance; returns when every process of it has exited.")

    @OptionGroup var instance: InstanceOption

    func run() async throws {
        let handle = InstanceHandle(runDirectory: instance.runDirectory)
        guard handle.orchPID != nil || handle.runDirectory.runningKeeperPID() != nil else {
            print("instance '\(instance.name)' is not running")
            return
        }
        let pids = try await GroupLauncher.down(instance: handle)
        print("instance '\(instance.name)' stopped (\(pids.count) processes exited)")
    }
}
