import ArgumentParser
import Bus
import CLISupport
import Foundation
import GroupControl
import Wire

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the instance's components, registrations and calls.")

    @OptionGroup var instance: InstanceOption

    @Flag(help: "One JSON object: {\"components\":[...],\"registrations\":[],\"calls\":[]}.")
    var json = false

    func run() async throws {
        let handle = InstanceHandle(runDirectory: instance.runDirectory)
        let status: OrchAPI.Status.Result, raw: JSONValue
        do {
            (status, raw) = try await handle.requestKeepingJSON(OrchAPI.Status())
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
        if json {
            print(jsonLine(raw))
            return
        }
        print("instance \(instance.name)  (\(handle.runDirectory.path))")
        print(pad("NAME", 8) + pad("PID", 9) + pad("STATE", 10) + pad("RESTARTS", 10) + "UPTIME")
        for c in status.components {
            print(pad(c.name, 8) + pad(c.pid.map(String.init) ?? "-", 9) + pad(c.state, 10) + pad(String(c.restarts), 10)
                  + String(format: "%.1fs", c.uptimeS))
        }
        for r in status.registrations {
            let detail = r.reason.map { " (\($0))" } ?? r.expires.map { " (expires in \($0) s)" } ?? ""
            print("registration \(r.aor): \(r.state)\(detail)")
        }
        for c in status.calls {
            print("call \(c.callID) \(c.direction.rawValue) \(c.remote): \(c.state)\(c.codec.map { " \($0)" } ?? "")")
        }
    }

    private func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count) }
}

struct Events: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Follow the instance's event stream.")

    @OptionGroup var instance: InstanceOption

    @Flag(help: "One JSON object per line.")
    var json = false

    @Option(help: "Only events whose type starts with this prefix (repeatable).")
    var type: [String] = []

    @Option(help: "Exit after this many events.")
    var count: Int?

    @Option(help: "Exit after this many seconds.")
    var timeout: Double?

    func run() async throws {
        let handle = InstanceHandle(runDirectory: instance.runDirectory)
        guard handle.orchPID != nil else {
            printError(InstanceHandle.NotRunning(instance: handle.name, runDirectory: handle.runDirectory.path).description)
            throw ExitCode(1)
        }
        let subscriber = try EventSubscriber(connectTo: handle.endpoints.events, prefixes: type)
        defer { subscriber.shutdown() }
        if let timeout {
            Task {
                try? await Task.sleep(for: .seconds(timeout))
                subscriber.shutdown()
            }
        }
        var seen = 0
        for await event in subscriber.events {
            if json {
                print(jsonLine(.object(["seq": .number(Double(event.seq)), "type": .string(event.type),
                                        "time": .number(event.time), "data": .object(event.data)])))
            } else {
                let time = Date(timeIntervalSince1970: event.time).formatted(.iso8601.time(includingFractionalSeconds: true))
                let fields = event.data.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.stringValue ?? $0.value.encodedString())" }
                print("\(time) \(event.type) \(fields.joined(separator: " "))")
            }
            seen += 1
            if let count, seen >= count { break }
        }
    }
}
