import ArgumentParser
import CLISupport
import GroupControl
import Wire

/// `sipc hold` / `sipc resume`: a re-INVITE that holds the call (sendonly, or inactive) or takes it off hold; returns
/// once the peer answered.
struct Hold: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put a call on hold (re-INVITE with a=sendonly; the peer hears calls.hold_music if set).")
    @OptionGroup var instance: InstanceOption
    @Argument(help: "The call, as in 'sipc calls --json' (optional when only one call is active).") var callID: String?
    @Flag(help: "Offer a=inactive instead of a=sendonly (no hold music).") var inactive = false
    @Flag(help: "Print the result as one JSON object.") var json = false

    func run() async throws {
        let hold = OrchAPI.Hold(call: callID.map { CallID($0) }, direction: inactive ? .inactive : nil)
        try await HoldCommand.run(hold, instance: instance, json: json)
    }
}

struct Resume: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Take a call off hold (re-INVITE with a=sendrecv); the call you were in goes on hold (switching calls).")
    @OptionGroup var instance: InstanceOption
    @Argument(help: "The call, as in 'sipc calls --json' (optional when only one call is active).") var callID: String?
    @Flag(help: "Leave the other calls as they are instead of holding them.") var keepOthers = false
    @Flag(help: "Print the result as one JSON object.") var json = false

    func run() async throws {
        try await HoldCommand.run(OrchAPI.Resume(call: callID.map { CallID($0) }, holdOthers: !keepOthers), instance: instance, json: json)
    }
}

enum HoldCommand {
    /// Sends `hold` or `resume` and prints the call's state once the peer answered.
    static func run<C: WireCommand>(_ command: C, instance: InstanceOption, json: Bool) async throws
    where C.Result == SigAPI.CallHold.Result {
        do {
            let (r, raw) = try await InstanceHandle(runDirectory: instance.runDirectory).requestKeepingJSON(command, timeout: .seconds(45))
            if json { print(jsonLine(raw)) } else {
                print("call \(r.call) is \(r.state)")
            }
        } catch {
            printError("\(C.name) failed: \(Register.reason(error))")
            throw ExitCode(1)
        }
    }
}
