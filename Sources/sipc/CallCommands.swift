import ArgumentParser
import Bus
import CLISupport
import Foundation
import GroupControl
import Synchronization
import Timebase
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
        var args: [String: JSONValue] = ["aor": .string(aor), "password": .string(password), "expires": .init(expires)]
        if let authUser { args["auth_user"] = .string(authUser) }
        if let registrar { args["registrar"] = .string(registrar) }
        if let outboundProxy { args["outbound_proxy"] = .string(outboundProxy) }
        if let transport { args["transport"] = .string(transport) }
        let handle = InstanceHandle(runDirectory: instance.runDirectory)
        do {
            let result = try await handle.request("register", args: args, timeout: .seconds(45))
            if json { print(jsonLine(result)) } else {
                print("registered \(aor) (expires in \(result["expires"]?.intValue ?? expires) s)")
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
            _ = try await InstanceHandle(runDirectory: instance.runDirectory).request("unregister", args: ["aor": .string(aor)],
                                                                                     timeout: .seconds(45))
            print("unregistered \(aor)")
        } catch {
            printError("unregister of \(aor) failed: \(Register.reason(error))")
            throw ExitCode(1)
        }
    }
}

/// `sipc call URI`: places a call and follows it to its end.
struct Call: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Call a SIP URI; blocks until the call ends (exit 0 only for an answered call that ended normally).")

    @OptionGroup var instance: InstanceOption
    @Argument(help: "Who to call, e.g. sip:bob@127.0.0.1:5062.") var uri: String
    @Option(help: "Hang up this many seconds after the call is answered (default: wait for the far end).") var duration: Double?
    @Option(help: "Give up if not answered within this many seconds.") var answerTimeout: Double = 60
    @Option(help: "Call from this registered account (AOR).") var from: String?
    @Option(help: "User name for a digest challenge on this call (no account needed).") var authUser: String?
    @Option(help: "Password for a digest challenge on this call.") var password: String?
    @Option(help: "Send this WAV file (16-bit PCM, any rate) instead of the microphone; silence after its end.") var play: String?
    @Option(help: "Record what the far end sends (what you hear) to this WAV file (8 kHz mono).") var record: String?
    @Flag(help: "Print one JSON object describing the call.") var json = false

    func run() async throws {
        let handle = InstanceHandle(runDirectory: instance.runDirectory)
        let player: CallFilePlayer?
        do { player = try play.map { try CallFilePlayer(path: $0) } } catch {
            printError("--play: \(error)")
            throw ExitCode(1)
        }
        let follower: CallFollower
        do { follower = try await CallFollower.join(handle) } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
        defer { follower.close() }
        let started = MonotonicClock.now()
        var args: [String: JSONValue] = ["to": .string(uri)]
        if let from { args["from"] = .string(from) }
        if let authUser { args["auth_user"] = .string(authUser) }
        if let password { args["password"] = .string(password) }
        let callID: String
        do {
            let result = try await handle.request("call", args: args, timeout: .seconds(15))
            guard let id = result["call"]?.stringValue else { throw WireError(.internal, "orch returned no call id") }
            callID = id
        } catch {
            printError("call to \(uri) failed: \(Register.reason(error))")
            throw ExitCode(1)
        }
        // The call's worker and PCM streams, for --play and --record.
        let info = try? await handle.request("calls")["calls"]?.arrayValue?.first { $0["call_id"]?.stringValue == callID }
        let worker = info?["worker"]?.stringValue
        let streams = (info?["streams"]?["playback"]?.intValue, info?["streams"]?["capture"]?.intValue)
        var recorder: CallFileRecorder?
        if let record {
            guard let worker, let stream = streams.0 else {
                printError("--record: the call has no media worker"); throw ExitCode(1)
            }
            do { recorder = try CallFileRecorder(path: record, address: handle.endpoints.mediaTaps(worker: worker), stream: UInt32(stream)) } catch {
                printError("--record: \(error)")
                _ = try? await handle.request("hangup", args: ["call": .string(callID)])
                throw ExitCode(1)
            }
        }
        let playing = Mutex<CallFilePlayer.Playing?>(nil)
        let outcome = await follower.follow(callID: callID, handle: handle, answerTimeout: answerTimeout, duration: duration) {
            guard let player, let worker, let stream = streams.1 else { return }
            if let p = try? player.start(address: handle.endpoints.mediaInject(worker: worker), stream: UInt32(stream)) {
                playing.withLock { $0 = p }
            }
        }
        playing.withLock { $0?.stop() }
        recorder?.close()
        let setupMs = outcome.connectedAt.map { Int(($0 - started).milliseconds.rounded()) }
        if json {
            var o: [String: JSONValue] = ["call_id": .string(callID), "result": .string(outcome.answered && outcome.normalEnd ? "completed" : "failed")]
            if let s = outcome.sipStatus { o["sip_status"] = .init(s) }
            if let setupMs { o["setup_ms"] = .init(setupMs) }
            if let c = outcome.codec { o["codec"] = .string(c) }
            if let r = outcome.reason { o["reason"] = .string(r) }
            o["duration_s"] = .number(outcome.connectedAt.map { (((outcome.endedAt ?? MonotonicClock.now()) - $0).seconds * 10).rounded() / 10 } ?? 0)
            let media = outcome.media ?? [:]
            o["tx_packets"] = media["packets_sent"] ?? 0
            o["rx_packets"] = media["packets_received"] ?? 0
            o["loss_pct"] = media["loss_pct"] ?? 0
            o["jitter_ms"] = media["jitter_ms"] ?? 0
            o["mos"] = media["mos"] ?? .null
            if let record { o["recording"] = .string(record); o["recorded_s"] = .number(Double(recorder?.samplesWritten ?? 0) / 8000) }
            if let play { o["played"] = .string(play) }
            print(jsonLine(.object(o)))
        } else if outcome.answered {
            let m = outcome.media ?? [:]
            print("call \(callID) answered after \(setupMs ?? 0) ms\(outcome.codec.map { " (\($0))" } ?? ""); ended: \(outcome.reason ?? "hangup")"
                  + (outcome.media == nil ? "" : "; sent \(m["packets_sent"]?.intValue ?? 0) / received \(m["packets_received"]?.intValue ?? 0) packets, loss \(m["loss_pct"]?.doubleValue ?? 0)%, jitter \(m["jitter_ms"]?.doubleValue ?? 0) ms, MOS \(m["mos"]?.doubleValue ?? 0)"))
        } else {
            printError("call \(callID) to \(uri) failed: \(outcome.reason ?? "unknown")\(outcome.sipStatus.map { " (SIP \($0))" } ?? "")")
        }
        if !(outcome.answered && outcome.normalEnd) { throw ExitCode(1) }
    }
}

/// Follows one call's `call.state` events from the instance's event stream.
struct CallFollower: Sendable {
    let subscriber: EventSubscriber

    struct Outcome: Sendable {
        var answered = false
        var normalEnd = false
        var connectedAt: MonotonicTime?
        var endedAt: MonotonicTime?
        var sipStatus: Int?
        var reason: String?
        var codec: String?
        /// The call's final media figures (`media.stopped`).
        var media: [String: JSONValue]?
    }

    /// Subscribes and waits until the subscription is live (PUB/SUB joins asynchronously; `probe_events`
    /// publishes a marker we wait to see).
    static func join(_ handle: InstanceHandle) async throws -> CallFollower {
        let subscriber = try EventSubscriber(connectTo: handle.endpoints.events, prefixes: ["call.", "instance.", "media.stopped"])
        let token = "join-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let seen = Task { () -> Bool in
            for await event in subscriber.events where event.type == "instance.probe" && event.data["token"]?.stringValue == token {
                return true
            }
            return false
        }
        let deadline = MonotonicClock.now() + .seconds(5)
        while MonotonicClock.now() < deadline {
            _ = try await handle.request("probe_events", args: ["token": .string(token)])
            let got = await withTaskGroup(of: Bool.self) { group in
                group.addTask { await seen.value }
                group.addTask { try? await Task.sleep(for: .milliseconds(100)); return false }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            if got { return CallFollower(subscriber: subscriber) }
        }
        seen.cancel()
        subscriber.shutdown()
        throw WireError(.timeout, "could not subscribe to the instance's events")
    }

    func follow(callID: String, handle: InstanceHandle, answerTimeout: Double, duration: Double?,
                onConnected: @Sendable () -> Void = {}) async -> Outcome {
        var outcome = Outcome()
        // A cancelled sleep returns at once: only a sleep that ran its course may hang up.
        let watchdog = Task {
            guard (try? await Task.sleep(for: .seconds(answerTimeout))) != nil else { return }
            _ = try? await handle.request("hangup", args: ["call": .string(callID)])
        }
        var hangupTask: Task<Void, Never>?
        var terminated = false
        for await event in subscriber.events where event.data["call"]?.stringValue == callID {
            if event.type == "media.stopped" {
                outcome.media = event.data
                if terminated { break }
                continue
            }
            guard event.type == "call.state" else { continue }
            let state = event.data["state"]?.stringValue ?? ""
            if let code = event.data["code"]?.intValue { outcome.sipStatus = code }
            if let codec = event.data["codec"]?.stringValue { outcome.codec = codec }
            if state == "connected", !outcome.answered {
                outcome.answered = true
                outcome.connectedAt = MonotonicClock.now()
                watchdog.cancel()
                onConnected()
                if let duration {
                    hangupTask = Task {
                        guard (try? await Task.sleep(for: .seconds(duration))) != nil else { return }
                        _ = try? await handle.request("hangup", args: ["call": .string(callID)])
                    }
                }
            }
            if state == "terminated" {
                outcome.endedAt = MonotonicClock.now()
                outcome.reason = event.data["reason"]?.stringValue
                outcome.normalEnd = outcome.answered && (event.data["normal"]?.boolValue ?? true)
                terminated = true
                // Calls that never had media end here; others wait (briefly) for media.stopped.
                if outcome.media != nil || !outcome.answered { break }
                let subscriber = self.subscriber
                Task {
                    try? await Task.sleep(for: .seconds(2))
                    subscriber.shutdown()  // ends the loop if media.stopped never comes
                }
            }
        }
        watchdog.cancel()
        hangupTask?.cancel()
        return outcome
    }

    func close() { subscriber.shutdown() }
}

/// `sipc hangup [CALL_ID | --all]`.
struct Hangup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "End a call (CANCEL before answer, BYE after).")
    @OptionGroup var instance: InstanceOption
    @Argument(help: "The call to end (optional when only one call is active).") var callID: String?
    @Flag(help: "End every call.") var all = false

    func run() async throws {
        var args: [String: JSONValue] = [:]
        if let callID { args["call"] = .string(callID) }
        if all { args["all"] = true }
        do {
            let r = try await InstanceHandle(runDirectory: instance.runDirectory).request("hangup", args: args)
            print("hung up: \((r["hung_up"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: " "))")
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
        var args: [String: JSONValue] = ["hold_others": .bool(!keepOthers)]
        if let callID { args["call"] = .string(callID) }
        do {
            _ = try await InstanceHandle(runDirectory: instance.runDirectory).request("answer", args: args, timeout: .seconds(10))
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
        var args: [String: JSONValue] = ["code": .init(code)]
        if let callID { args["call"] = .string(callID) }
        do {
            _ = try await InstanceHandle(runDirectory: instance.runDirectory).request("reject", args: args)
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
            let r = try await InstanceHandle(runDirectory: instance.runDirectory).request("calls")
            if json { print(jsonLine(r)); return }
            for c in r["calls"]?.arrayValue ?? [] {
                print([c["call_id"], c["state"], c["direction"], c["remote"], c["codec"]].map { $0?.stringValue ?? "-" }.joined(separator: "  "))
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
        let digits = words.last!
        var args: [String: JSONValue] = ["digits": .string(digits), "duration_ms": .init(durationMs), "method": info ? "info" : "rfc4733"]
        if let target = words.count == 2 ? words[0] : call { args["call"] = .string(target) }
        do {
            let r = try await InstanceHandle(runDirectory: instance.runDirectory).request("dtmf", args: args)
            print("queued \(r["queued"]?.intValue ?? 0) digits\(info ? " (SIP INFO)" : "")")
        } catch {
            printError("dtmf failed: \(Register.reason(error))")
            throw ExitCode(1)
        }
    }
}
