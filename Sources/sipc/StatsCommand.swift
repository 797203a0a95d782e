import ArgumentParser
import CLISupport
import Foundation
import GroupControl
import Wire

/// `sipc stats [CALL_ID] [--json] [--watch]`: each call's state and media quality (codec, duration, jitter, loss,
/// MOS), from orch's `calls` and each call's worker figures (`call_stats`).
struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show each call's quality: state, codec, duration, jitter, loss, MOS.")
    @OptionGroup var instance: InstanceOption
    @Argument(help: "Only this call.") var callID: String?
    @Flag(help: "One JSON object {\"calls\":[...]} (one line per second with --watch).") var json = false
    @Flag(help: "Refresh every second until interrupted.") var watch = false

    func run() async throws {
        let handle = InstanceHandle(runDirectory: instance.runDirectory)
        repeat {
            let rows: [StatsRow]
            do { rows = try await Self.collect(handle, only: callID) } catch {
                printError("\(Register.reason(error))")
                throw ExitCode(1)
            }
            if json {
                print(jsonLine(.object(["calls": .array(rows.map(\.json))])))
            } else {
                if watch { print("\u{1B}[2J\u{1B}[H", terminator: "") }
                print(Self.table(rows))
            }
            if watch { try await Task.sleep(for: .seconds(1)) }
        } while watch
    }

    static func collect(_ handle: InstanceHandle, only: String?) async throws -> [StatsRow] {
        var rows: [StatsRow] = []
        for call in try await handle.request(OrchAPI.Calls()).calls where only == nil || only == call.callID.rawValue {
            rows.append(StatsRow(call: call, media: try? await handle.request(OrchAPI.CallStats(call: call.callID))))
        }
        if let only, rows.isEmpty { throw ValidationError("no call '\(only)' in progress") }
        return rows
    }

    static func table(_ rows: [StatsRow]) -> String {
        guard !rows.isEmpty else { return "no calls" }
        let header = ["CALL", "STATE", "CODEC", "DURATION", "JITTER", "LOSS", "MOS", "REMOTE"]
        let lines = rows.map { r -> [String] in
            func num(_ value: Double?, _ unit: String, _ digits: Int = 1) -> String {
                value.map { String(format: "%.\(digits)f\(unit)", $0) } ?? "-"
            }
            return [r.call.callID.rawValue, r.call.state.rawValue, r.call.codec?.rawValue ?? "-", num(r.call.durationS, " s"),
                    num(r.media?.jitterMs, " ms"), num(r.media?.lossPct, " %"), num(r.media?.mos, "", 2), r.call.remote]
        }
        let widths = header.indices.map { i in ([header[i]] + lines.map { $0[i] }).map(\.count).max() ?? 0 }
        func format(_ cells: [String]) -> String {
            cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        return ([format(header)] + lines.map(format)).joined(separator: "\n")
    }
}

/// One call of `sipc stats`: orch's line for it and its worker's figures (nil when the worker did not answer).
struct StatsRow {
    var call: CallSummary
    var media: MediaStats?

    /// The row as `--json` prints it (sipc's own output): the call's `state`, `direction`, `remote`, `codec` (null
    /// before one was negotiated) and `duration_s`, with the media figures once the worker gave them.
    var json: JSONValue {
        var w = WireWriter()
        w("call_id", call.callID)
        w("state", call.state)
        w("direction", call.direction)
        w("remote", call.remote)
        w.nullable("codec", call.codec)
        w("duration_s", call.durationS)
        if let media {
            w("jitter_ms", media.jitterMs)
            w("loss_pct", media.lossPct)
            w("mos", media.mos)
            w("packets_sent", media.packetsSent)
            w("packets_received", media.packetsReceived)
            w("rtt_ms", media.rttMs)
            w("jb_delay_ms", media.jbDelayMs)
        }
        return .object(w.object)
    }
}
