import ArgumentParser
import CLISupport
import GroupControl
import Wire

/// `sipc transfer CALL_ID TARGET_URI [--attended OTHER_CALL_ID]`: REFER the call's peer to TARGET_URI (blind), or to
/// the peer of our other call OTHER_CALL_ID (attended, with Replaces). Returns once the peer accepted the REFER; the
/// outcome arrives as `call.transfer` events, and the call ends when the transfer succeeded.
struct Transfer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Transfer a call: blind to TARGET_URI, or attended to the peer of another call (--attended).")
    @OptionGroup var instance: InstanceOption
    @Argument(help: "The call to transfer, as in 'sipc calls --json'.") var callID: String
    @Argument(help: "Where to send the peer, e.g. sip:carol@127.0.0.1:5064 (not with --attended).") var target: String?
    @Option(help: "Attended transfer: our other call, whose peer takes this one over (RFC 3891 Replaces).") var attended: String?
    @Flag(help: "Print the result as one JSON object.") var json = false

    func validate() throws {
        guard (target == nil) != (attended == nil) else { throw ValidationError("give TARGET_URI, or --attended OTHER_CALL_ID (not both)") }
    }

    func run() async throws {
        let transfer = OrchAPI.Transfer(call: CallID(callID), target: target, attended: attended.map { CallID($0) })
        do {
            let (_, raw) = try await InstanceHandle(runDirectory: instance.runDirectory).requestKeepingJSON(transfer, timeout: .seconds(45))
            if json { print(jsonLine(raw)) } else { print("transfer of \(callID) accepted by the peer; follow it with 'sipc events'") }
        } catch {
            printError("transfer failed: \(Register.reason(error))")
            throw ExitCode(1)
        }
    }
}
