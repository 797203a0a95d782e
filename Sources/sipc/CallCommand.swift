import ArgumentParser
import Bus
import CLISupport
import Foundation
import GroupControl
import Synchronization
import Timebase
import Wire

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
        let callID: CallID
        do {
            callID = try await handle.request(OrchAPI.Call(to: uri, from: from, authUser: authUser, password: password),
                                              timeout: .seconds(15)).call
        } catch {
            printError("call to \(uri) failed: \(Register.reason(error))")
            throw ExitCode(1)
        }
        // The call's worker and PCM streams, for --play and --record.
        let info = try? await handle.request(OrchAPI.Calls()).calls.first { $0.callID == callID }
        let worker = info?.worker, streams = info?.streams
        var recorder: CallFileRecorder?
        if let record {
            guard let worker, let streams else {
                printError("--record: the call has no media worker"); throw ExitCode(1)
            }
            do {
                recorder = try CallFileRecorder(path: record, address: handle.endpoints.mediaTaps(worker: worker),
                                                stream: streams.playback.rawValue)
            } catch {
                printError("--record: \(error)")
                _ = try? await handle.request(OrchAPI.Hangup(call: callID))
                throw ExitCode(1)
            }
        }
        let playing = Mutex<CallFilePlayer.Playing?>(nil)
        let outcome = await follower.follow(callID: callID, handle: handle, answerTimeout: answerTimeout, duration: duration) {
            guard let player, let worker, let streams else { return }
            if let p = try? player.start(address: handle.endpoints.mediaInject(worker: worker), stream: streams.capture.rawValue) {
                playing.withLock { $0 = p }
            }
        }
        playing.withLock { $0?.stop() }
        recorder?.close()
        let setupMs = outcome.connectedAt.map { Int(($0 - started).milliseconds.rounded()) }
        if json {
            var report = CallReport(callID: callID, outcome: outcome, setupMs: setupMs)
            if let record { report.recording = (record, Double(recorder?.samplesWritten ?? 0) / 8000) }
            report.played = play
            print(jsonLine(report.json))
        } else if outcome.answered {
            let media = outcome.media.map { m in
                "; sent \(m.packetsSent) / received \(m.packetsReceived) packets, loss \(m.lossPct)%, jitter \(m.jitterMs) ms, MOS \(m.mos)"
            }
            print("call \(callID) answered after \(setupMs ?? 0) ms\(outcome.codec.map { " (\($0))" } ?? ""); ended: \(outcome.reason ?? "hangup")"
                  + (media ?? ""))
        } else {
            printError("call \(callID) to \(uri) failed: \(outcome.reason ?? "unknown")\(outcome.sipStatus.map { " (SIP \($0))" } ?? "")")
        }
        if !(outcome.answered && outcome.normalEnd) { throw ExitCode(1) }
    }
}

/// What `sipc call --json` prints: one object describing the call (sipc's own output, not a bus message), e.g.
/// `{"call_id","codec","duration_s","jitter_ms","loss_pct","mos","result","rx_packets","setup_ms","sip_status","tx_packets"}`.
/// Without media figures the counters are 0 and `mos` is null.
struct CallReport {
    var callID: CallID
    var outcome: CallFollower.Outcome
    var setupMs: Int?
    /// `--record`: the file and the seconds written to it.
    var recording: (path: String, seconds: Double)?
    /// `--play`: the file sent.
    var played: String?

    init(callID: CallID, outcome: CallFollower.Outcome, setupMs: Int?) {
        self.callID = callID
        self.outcome = outcome
        self.setupMs = setupMs
    }

    /// Seconds from the answer to the end (or to now), to a tenth; 0 for a call never answered.
    var durationS: Double {
        outcome.connectedAt.map { (((outcome.endedAt ?? MonotonicClock.now()) - $0).seconds * 10).rounded() / 10 } ?? 0
    }

    var json: JSONValue {
        var w = WireWriter()
        w("call_id", callID)
        w("result", outcome.answered && outcome.normalEnd ? "completed" : "failed")
        w("sip_status", outcome.sipStatus)
        w("setup_ms", setupMs)
        w("codec", outcome.codec)
        w("reason", outcome.reason)
        w("duration_s", durationS)
        let media = outcome.media
        w("tx_packets", media?.packetsSent ?? 0)
        w("rx_packets", media?.packetsReceived ?? 0)
        w("loss_pct", media?.lossPct ?? 0)
        w("jitter_ms", media?.jitterMs ?? 0)
        w.nullable("mos", media?.mos)
        if let recording {
            w("recording", recording.path)
            w("recorded_s", recording.seconds)
        }
        w("played", played)
        return .object(w.object)
    }
}
