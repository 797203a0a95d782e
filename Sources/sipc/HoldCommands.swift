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
        var args: [String: JSONValue] = inactive ? ["direction": "inactive"] : [:]
        if let callID { args["call"] = .string(callID) }
        try await HoldCommand.run("hold", args: args, instance: instance, json: json)
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
        var args: [String: JSONValue] = ["hold_others": .bool(!keepOthers)]
        if let callID { args["call"] = .string(callID) }
        try await HoldCommand.run("resume", args: args, instance: instance, json: json)
    }
}

enum HoldCommand {
    static func run(_ command: String, args: [String: JSONValue], instance: InstanceOption, json: Bool) async throws {
        do {
            let r = try await InstanceHandle(runDirectory: instance.runDirectory).request(command, args: args, timeout: .seconds(45))
            if json { print(jsonLine(r)) } else {
                print("call \(r["call"]?.stringValue ?? "?") is \(r["state"]?.stringValue ?? "?")")
            }
        } catch {
            printError("\(command) failed: \(Register.reason(error))")
            throw ExitCode(1)
        }
    }
}
