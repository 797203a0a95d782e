import ArgumentParser
import Bus
import CLISupport
import Foundation
import GroupControl
import Wire

/// `sipc register`: adds an account to the instance and waits for the registrar's verdict.
struct Register: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Register an account (returns 0 once registered, else prints the reason).")

    @OptionGroup var instance: InstanceOption
    @Option(help: "Address of record, sip:USER@HOST[:PORT].") var aor: String
    @Option(help: "Password for digest authentication.") var password: String = ""
    @Option(help: "Authentication user name, if it differs from the AOR's user.") var authUser: String?
    @Option(help: "Requested registration lifetime in seconds.") var expires: Int = 3600
    @Option(help: "Registrar URI, if it is not the AOR's host.") var registrar: String?
    @Option(help: "Outbound proxy URI every request of this account goes through.") var outboundProxy: String?
    @Option(help: "Transport towards the registrar: udp or tcp.") var transport: String?
    @Flag(help: "Print the result as one JSON object.") var json = false

    func run() async throws {
        let account = AccountArgs(aor: aor, password: password, authUser: authUser, expires: expires, registrar: registrar,
                                  outboundProxy: outboundProxy, transport: transport)
        let handle = InstanceHandle(runDirectory: instance.runDirectory)
        do {
            let (result, raw) = try await handle.requestKeepingJSON(OrchAPI.Register(account), timeout: .seconds(45))
            if json { print(jsonLine(raw)) } else {
                print("registered \(aor) (expires in \(result.expires ?? expires) s)")
            }
        } catch {
            printError("registration of \(aor) failed: \(Self.reason(error))")
            throw ExitCode(1)
        }
    }

    static func reason(_ error: any Error) -> String {
        if let e = error as? WireError { return e.message }
        return "\(error)"
    }
}

/// `sipc unregister`: removes an account (REGISTER with Expires: 0).
struct Unregister: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Unregister an account and forget it.")
    @OptionGroup var instance: InstanceOption
    @Option(help: "Address of record given to 'sipc register'.") var aor: String

    func run() async throws {
        do {
            _ = try await InstanceHandle(runDirectory: instance.runDirectory).request(OrchAPI.Unregister(aor: aor), timeout: .seconds(45))
            print("unregistered \(aor)")
        } catch {
            printError("unregister of \(aor) failed: \(Register.reason(error))")
            throw ExitCode(1)
        }
    }
}

/// `sipc hangup [CALL_ID | --all]`.
struct Hangup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "End a call (CANCEL before answer, BYE after).")
    @OptionGroup var instance: InstanceOption
    @Argument(help: "The call to end (optional when only one call is active).") var callID: String?
    @Flag(help: "End every call.") var all = false

    func run() async throws {
        do {
            let r = try await InstanceHandle(runDirectory: instance.runDirectory).request(OrchAPI.Hangup(call: callID.map { CallID($0) }, all: all))
            print("hung up: \(r.hungUp.map(\.rawValue).joined(separator: " "))")
        } catch {
            printError("hangup failed: \(Register.reason(error))")
            throw ExitCode(1)
        }
    }
}

/// `sipc answer [CALL_ID]` and `sipc reject [CALL_ID] [--code N]`.
struct Answer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Answer an incoming call (call waiting: the call you are in goes on hold first).")
    @OptionGroup var instance: InstanceOption
    @Argument(help: "The call to answer (optional when only one is ringing).") var callID: String?
    @Flag(help: "Leave the other calls as they are instead of holding them.") var keepOthers = false

    func run() async throws {
        let answer = OrchAPI.Answer(call: callID.map { CallID($0) }, holdOthers: !keepOthers)
        do {
            _ = try await InstanceHandle(runDirectory: instance.runDirectory).request(answer, timeout: .seconds(10))
            print("answered")
        } catch {
            printError("answer failed: \(Register.reason(error))")
            throw ExitCode(1)
        }
    }
}

struct Reject: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Reject an incoming call with a SIP status code.")
    @OptionGroup var instance: InstanceOption
    @Argument(help: "The call to reject (optional when only one is ringing).") var callID: String?
    @Option(help: "SIP status code, 300-699 (486 Busy Here by default; 3xx redirects).") var code: Int = 486

    func run() async throws {
        do {
            _ = try await InstanceHandle(runDirectory: instance.runDirectory).request(OrchAPI.Reject(call: callID.map { CallID($0) }, code: code))
            print("rejected with \(code)")
        } catch {
            printError("reject failed: \(Register.reason(error))")
            throw ExitCode(1)
        }
    }
}

/// `sipc calls [--json]`.
struct Calls: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the calls in progress.")
    @OptionGroup var instance: InstanceOption
    @Flag(help: "One JSON object: {\"calls\":[...]}.") var json = false

    func run() async throws {
        do {
            let (r, raw) = try await InstanceHandle(runDirectory: instance.runDirectory).requestKeepingJSON(OrchAPI.Calls())
            if json { print(jsonLine(raw)); return }
            for c in r.calls {
                print([c.callID.rawValue, c.state.rawValue, c.direction.rawValue, c.remote, c.codec?.rawValue ?? "-"].joined(separator: "  "))
            }
        } catch {
            printError("\(Register.reason(error))")
            throw ExitCode(1)
        }
    }
}

/// `sipc dtmf DIGITS [--call ID]`: sends RFC 4733 telephone events on a call.
struct DTMF: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dtmf", abstract: "Send DTMF digits on a call: RFC 4733 (default) or SIP INFO (--info).",
        discussion: "sipc dtmf CALL_ID DIGITS, or sipc dtmf DIGITS when only one call is active.")
    @OptionGroup var instance: InstanceOption
    @Argument(help: "CALL_ID then DIGITS (0-9 * # A-D); the call may be left out when only one is active.") var words: [String]
    @Option(help: "The call (instead of the first argument).") var call: String?
    @Option(help: "Tone length per digit in ms (40-5000).") var durationMs: Int = 100
    @Flag(help: "Send each digit as a SIP INFO request (application/dtmf-relay) instead of RFC 4733 packets.") var info = false

    func validate() throws {
        guard (1...2).contains(words.count) else { throw ValidationError("give DIGITS, or CALL_ID DIGITS") }
    }

    func run() async throws {
        let target = words.count == 2 ? words[0] : call
        let dtmf = OrchAPI.DTMF(call: target.map { CallID($0) }, digits: words.last!, durationMs: durationMs, method: info ? .info : .rfc4733)
        do {
            let r = try await InstanceHandle(runDirectory: instance.runDirectory).request(dtmf)
            print("queued \(r.queued) digits\(info ? " (SIP INFO)" : "")")
        } catch {
            printError("dtmf failed: \(Register.reason(error))")
            throw ExitCode(1)
        }
    }
}
