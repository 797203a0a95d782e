import ArgumentParser
import CLISupport
import Foundation
import GroupControl
import ProcessSupport
import Timebase
import Wire

/// `sipc workers [list|add N|remove ID]`: the media worker pool of a running instance. New calls go to the least
/// loaded worker; a removed worker is drained (no new calls, stopped once its calls have ended: none is dropped).
struct Workers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, add or remove media workers (sip-rtp) of a running instance.",
        subcommands: [List.self, Add.self, Remove.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The media workers, their state and how many calls each carries.")
        @OptionGroup var instance: InstanceOption
        @Flag(help: "One line of JSON.") var json = false

        func run() async throws {
            let (result, raw) = try await Workers.request(instance, OrchAPI.Workers())
            if json { print(jsonLine(raw)); return }
            print("NAME             PID      STATE     CALLS  ROLE")
            for w in result.workers {
                let role = w.standby ? "standby" : w.draining ? "draining" : "active"
                print([pad(w.name, 16), pad(w.pid.map(String.init) ?? "-", 8), pad(w.state, 9), pad(String(w.calls), 6), role]
                    .joined(separator: " "))
            }
        }

        private func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start N more media workers; waits until they are up.")
        @OptionGroup var instance: InstanceOption
        @Argument(help: "How many (1-16).") var count: Int = 1
        @Option(help: "Seconds to wait for the new workers to be up.") var timeout: Double = 15

        func run() async throws {
            let names = try await Workers.request(instance, OrchAPI.WorkersAdd(count: count)).result.added
            let handle = InstanceHandle(runDirectory: instance.runDirectory)
            let started = MonotonicClock.now()
            while MonotonicClock.now().since(started).seconds < timeout {
                let list = (try? await handle.request(OrchAPI.Workers()))?.workers ?? []
                let up = Set(list.filter { $0.state == "up" }.map(\.name))
                if names.allSatisfy(up.contains) {
                    print("added \(names.joined(separator: ", "))")
                    return
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            printError("added \(names.joined(separator: ", ")) but not all are up after \(Int(timeout)) s; see 'sipc status' and their logs in \(instance.runDirectory.path)")
            throw ExitCode(1)
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Drain a media worker: no new calls go to it, and it stops once its calls have ended (none is dropped).")
        @OptionGroup var instance: InstanceOption
        @Argument(help: "The worker, as in 'sipc workers list' (e.g. rtp-2).") var id: String
        @Flag(help: "Return at once instead of waiting until the worker has left.") var noWait = false
        @Option(help: "Seconds to wait for its calls to end (with waiting on).") var timeout: Double = 3600

        func run() async throws {
            let calls = try await Workers.request(instance, OrchAPI.WorkersRemove(name: id)).result.calls
            print(calls == 0 ? "removing \(id)" : "draining \(id): it stops when its \(calls) call(s) have ended")
            guard !noWait else { return }
            let handle = InstanceHandle(runDirectory: instance.runDirectory)
            let started = MonotonicClock.now()
            while MonotonicClock.now().since(started).seconds < timeout {
                let list = (try? await handle.request(OrchAPI.Workers()))?.workers
                if let list, !list.contains(where: { $0.name == id }) {
                    print("removed \(id)")
                    return
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            printError("\(id) is still draining after \(Int(timeout)) s (its calls have not ended); it leaves when they do")
            throw ExitCode(1)
        }
    }

    /// Sends one of the pool's commands; a failure is printed and exits 1.
    static func request<C: WireCommand>(_ instance: InstanceOption, _ command: C) async throws -> (result: C.Result, json: JSONValue) {
        do {
            return try await InstanceHandle(runDirectory: instance.runDirectory).requestKeepingJSON(command, timeout: .seconds(5))
        } catch {
            printError("\(C.name) failed: \(Register.reason(error))")
            throw ExitCode(1)
        }
    }
}
