import ArgumentParser
import CLISupport
import Foundation
import GroupControl
import Wire

/// `sipc record CALL_ID FILE.wav [--mixed]` starts recording a call (both directions: stereo, left what we send and
/// right what we hear, or mixed to mono); `sipc record --stop CALL_ID` ends it. The media worker of the call writes
/// the file (on its host, when workers run elsewhere).
struct Record: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record a call to a WAV file (8 kHz; stereo: left is us, right the peer), or stop with --stop.")
    @OptionGroup var instance: InstanceOption
    @Argument(help: "The call, as in 'sipc calls --json'.") var callID: String
    @Argument(help: "The WAV file to write (not with --stop).") var file: String?
    @Flag(help: "One mono channel with both directions mixed instead of stereo.") var mixed = false
    @Flag(help: "Stop the call's recording and close the file.") var stop = false

    func validate() throws {
        guard stop == (file == nil) else { throw ValidationError(stop ? "--stop takes no FILE" : "give FILE.wav, or --stop") }
    }

    func run() async throws {
        let record = stop ? OrchAPI.Record(call: CallID(callID), stop: true)
            : OrchAPI.Record(call: CallID(callID), path: file.map { URL(fileURLWithPath: $0).standardizedFileURL.path },
                             mode: mixed ? .mixed : .stereo)
        do {
            let r = try await InstanceHandle(runDirectory: instance.runDirectory).request(record, timeout: .seconds(10))
            if stop {
                print("recorded \(String(format: "%.1f", r.seconds ?? 0)) s to \(r.stopped ?? "?")")
            } else {
                print("recording \(callID) to \(r.recording ?? "?")")
            }
        } catch {
            printError("record failed: \(Register.reason(error))")
            throw ExitCode(1)
        }
    }
}
