import ArgumentParser
import CLISupport
import GroupControl
import Wire

/// `sipc conference CALL_ID CALL_ID`: a local three-way conference (each party hears the other two; the mix is done by
/// sip-audio). `sipc conference --end` splits it again (the calls stay up).
struct Conference: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Join calls into a three-way conference (held calls are resumed), or end it with --end.")
    @OptionGroup var instance: InstanceOption
    @Argument(help: "Two or more calls, as in 'sipc calls --json'.") var callIDs: [String] = []
    @Flag(help: "End the conference; the calls stay up.") var end = false

    func validate() throws {
        if end { guard callIDs.isEmpty else { throw ValidationError("--end takes no call ids") }; return }
        guard callIDs.count >= 2 else { throw ValidationError("give two or more CALL_IDs (see 'sipc calls --json')") }
    }

    func run() async throws {
        do {
            let r = try await InstanceHandle(runDirectory: instance.runDirectory)
                .request(OrchAPI.Conference(calls: callIDs.map { CallID($0) }), timeout: .seconds(45))
            let members = r.calls.map(\.rawValue)
            print(members.isEmpty ? "conference ended" : "conference: \(members.joined(separator: " "))")
        } catch {
            printError("conference failed: \(Register.reason(error))")
            throw ExitCode(1)
        }
    }
}
