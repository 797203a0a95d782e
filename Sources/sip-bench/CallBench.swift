import ArgumentParser
import Bus
import Foundation
import GroupControl
import ProcessSupport
import Timebase
import Wire

/// End-to-end calls between two running instances (scripts/bench-calls): setup time from the `call` request to
/// `connected`, over sequential calls; then memory per active call across every process of both instances.
struct CallSetupBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "call-setup", abstract: "Call setup time and memory per call.")
    @Option var callerInstance: String
    @Option var callerRunDir: String
    @Option var calleeInstance: String
    @Option var calleeRunDir: String
    @Option var to: String
    @Option var count = 100
    @Option var concurrent = 50

    func run() async throws {
        let caller = InstanceHandle(runDirectory: RunDirectory(instance: callerInstance, path: callerRunDir))
        let callee = InstanceHandle(runDirectory: RunDirectory(instance: calleeInstance, path: calleeRunDir))
        let events = try EventSubscriber(connectTo: caller.endpoints.events, prefixes: ["call.state", "instance.probe"])
        defer { events.shutdown() }
        let inbox = EventInbox(events)
        try await inbox.join(caller)
        var setups: [Double] = []
        for _ in 0..<count {
            let start = MonotonicClock.now()
            let id = try await caller.request("call", args: ["to": .string(to)], timeout: .seconds(10))["call"]?.stringValue ?? ""
            guard await inbox.wait(call: id, state: "connected", timeout: .seconds(10)) else { throw ValidationError("call \(id) did not connect") }
            setups.append(Double((MonotonicClock.now() - start).components.attoseconds) / 1e15 + Double((MonotonicClock.now() - start).components.seconds) * 1000)
            _ = try await caller.request("hangup", args: ["call": .string(id)])
            _ = await inbox.wait(call: id, state: "terminated", timeout: .seconds(10))
        }
        setups.sort()
        // Memory: every process of both groups, idle and with `concurrent` calls up.
        try await Task.sleep(for: .seconds(1))
        let idle = try await rss(caller) + (try await rss(callee))
        var ids: [String] = []
        for _ in 0..<concurrent {
            let id = try await caller.request("call", args: ["to": .string(to)], timeout: .seconds(10))["call"]?.stringValue ?? ""
            ids.append(id)
            _ = await inbox.wait(call: id, state: "connected", timeout: .seconds(10))
        }
        try await Task.sleep(for: .seconds(2))  // media flowing in every call
        let busy = try await rss(caller) + (try await rss(callee))
        _ = try await caller.request("hangup", args: ["all": true], timeout: .seconds(10))
        let out: [String: JSONValue] = [
            "bench": "call-setup", "calls": .init(count), "setup_p50_ms": .number(percentile(setups, 0.5)),
            "setup_p99_ms": .number(percentile(setups, 0.99)), "setup_max_ms": .number(setups.last ?? 0),
            "concurrent_calls": .init(concurrent), "rss_idle_mb": .number(Double(idle) / 1024),
            "rss_busy_mb": .number(Double(busy) / 1024), "rss_per_call_kb": .number(Double(busy - idle) / Double(max(1, concurrent))),
        ]
        print(String(decoding: try JSONEncoder.sorted.encode(JSONValue.object(out)), as: UTF8.self))
    }

    /// Resident memory (kB) of every process of an instance, from /proc.
    func rss(_ handle: InstanceHandle) async throws -> Int {
        let status = try await handle.status()
        return handle.pids(in: status).reduce(0) { total, pid in
            let text = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
            let line = text.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
            return total + (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0)
        }
    }
}

/// Collects `call.state` events so a waiter can ask for a state it may already have missed.
final class EventInbox: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: Set<String> = []

    init(_ subscriber: EventSubscriber) {
        let events = subscriber.events
        let inbox = self
        Task {
            for await e in events {
                let key = (e.data["call"]?.stringValue ?? e.data["token"]?.stringValue ?? "") + "/" + (e.data["state"]?.stringValue ?? e.type)
                inbox.insert(key)
            }
        }
    }

    func insert(_ key: String) { lock.withLock { _ = seen.insert(key) } }

    func has(_ key: String) -> Bool { lock.lock(); defer { lock.unlock() }; return seen.contains(key) }

    func join(_ handle: InstanceHandle) async throws {
        let token = "bench-\(getpid())"
        for _ in 0..<100 {
            _ = try await handle.request("probe_events", args: ["token": .string(token)])
            if await poll(timeout: .milliseconds(100), { self.has(token + "/instance.probe") }) { return }
        }
        throw ValidationError("could not subscribe to events")
    }

    func wait(call: String, state: String, timeout: Duration) async -> Bool {
        await poll(timeout: timeout) { self.has(call + "/" + state) }
    }

    private func poll(timeout: Duration, _ condition: () -> Bool) async -> Bool {
        let deadline = MonotonicClock.now() + timeout
        while MonotonicClock.now() < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .microseconds(200))
        }
        return condition()
    }
}
