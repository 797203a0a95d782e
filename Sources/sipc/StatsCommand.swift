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
            let rows: [JSONValue]
            do { rows = try await Self.collect(handle, only: callID) } catch {
                printError("\(Register.reason(error))")
                throw ExitCode(1)
            }
            if json {
                print(jsonLine(["calls": .array(rows)]))
            } else {
                if watch { print("\u{1B}[2J\u{1B}[H", terminator: "") }
                print(Self.table(rows))
            }
            if watch { try await Task.sleep(for: .seconds(1)) }
        } while watch
    }

    static func collect(_ handle: InstanceHandle, only: String?) async throws -> [JSONValue] {
        let calls = try await handle.request("calls")["calls"]?.arrayValue ?? []
        var rows: [JSONValue] = []
        for call in calls {
            guard let id = call["call_id"]?.stringValue, only == nil || only == id else { continue }
            var row: [String: JSONValue] = ["call_id": .string(id)]
            for key in ["state", "direction", "remote", "codec", "duration_s"] { row[key] = call[key] ?? .null }
            if let media = try? await handle.request("call_stats", args: ["call": .string(id)]) {
                for key in ["jitter_ms", "loss_pct", "mos", "packets_sent", "packets_received", "rtt_ms", "jb_delay_ms"] {
                    if let v = media[key] { row[key] = v }
                }
            }
            rows.append(.object(row))
        }
        if let only, rows.isEmpty { throw ValidationError("no call '\(only)' in progress") }
        return rows
    }

    static func table(_ rows: [JSONValue]) -> String {
        guard !rows.isEmpty else { return "no calls" }
        let header = ["CALL", "STATE", "CODEC", "DURATION", "JITTER", "LOSS", "MOS", "REMOTE"]
        let lines = rows.map { r -> [String] in
            func num(_ key: String, _ unit: String, _ digits: Int = 1) -> String {
                r[key]?.doubleValue.map { String(format: "%.\(digits)f\(unit)", $0) } ?? "-"
            }
            return [r["call_id"]?.stringValue ?? "?", r["state"]?.stringValue ?? "?", r["codec"]?.stringValue ?? "-",
                    num("duration_s", " s"), num("jitter_ms", " ms"), num("loss_pct", " %"), num("mos", "", 2), r["remote"]?.stringValue ?? ""]
        }
        let widths = header.indices.map { i in ([header[i]] + lines.map { $0[i] }).map(\.count).max() ?? 0 }
        func format(_ cells: [String]) -> String {
            cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        return ([format(header)] + lines.map(format)).joined(separator: "\n")
    }
}
