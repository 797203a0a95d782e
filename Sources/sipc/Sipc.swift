import ArgumentParser
import ProcessSupport

/// sipc: the command-line softphone and process-group control.
@main
struct Sipc: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sipc",
        abstract: "Control sip-client process groups.",
        subcommands: [Up.self, Down.self, Status.self, Events.self, Register.self, Unregister.self, Call.self,
                      Answer.self, Reject.self, Hangup.self, Calls.self, DTMF.self, Devices.self, Mute.self,
                      Unmute.self, Audio.self, Stats.self, Hold.self, Resume.self, Transfer.self, Conference.self, Record.self, Workers.self, Keys.self])

    static func main() async {
        LogSetup.lineBufferStdio()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
