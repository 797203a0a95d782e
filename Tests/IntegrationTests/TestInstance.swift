import Bus
import Foundation
import Synchronization
import GroupControl
import ProcessSupport
import Testing
import Timebase
import Wire

/// A real process group started through the real `sipc`, in a private runtime directory that is removed,
/// with every process of the group, when the test ends.
final class TestInstance: @unchecked Sendable {
    let name: String
    let root: String
    let binDir: String
    var environment: [String: String]
    private var knownPIDs: Set<Int32> = []
    private let ownsRoot: Bool

    /// - Parameter root: share another instance's runtime root (instances side by side).
    init(name: String = "t\(Int.random(in: 1000...9999))", root: String? = nil) throws {
        self.name = name
        ownsRoot = root == nil
        if let root {
            self.root = root
        } else {
            var template = Array("/tmp/sit-XXXXXX".utf8CString)
            self.root = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
        }
        binDir = try #require(Self.locateBinaries(), "build the executables first (swift build)")
        environment = ProcessInfo.processInfo.environment
        environment["XDG_RUNTIME_DIR"] = self.root
        environment["SIPC_BIN_DIR"] = binDir
        environment.removeValue(forKey: "SIPC_INSTANCE")
    }

    static func locateBinaries() -> String? {
        var dirs: [String] = []
        if let env = ProcessInfo.processInfo.environment["SIPC_BIN_DIR"] { dirs.append(env) }
        if let own = Executables.selfDirectory() { dirs.append(own) }
        return dirs.first { FileManager.default.isExecutableFile(atPath: $0 + "/sipc") && FileManager.default.isExecutableFile(atPath: $0 + "/sip-orch") }
    }

    var runDirectory: RunDirectory { RunDirectory(instance: name, path: "\(root)/sip-client/\(name)") }
    var handle: InstanceHandle { InstanceHandle(runDirectory: runDirectory) }
    var endpoints: InstanceEndpoints { handle.endpoints }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `sipc` with this instance's environment and waits for it.
    @discardableResult
    func sipc(_ arguments: [String], instance: String? = nil) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binDir + "/sipc")
        process.arguments = arguments + ["--instance", instance ?? name]
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                   stderr: String(decoding: errData, as: UTF8.self))
    }

    /// `sipc up` with extra flags; records the group's pids for cleanup.
    func up(_ flags: [String] = []) async throws -> OrchAPI.Status.Result {
        // Tests run side by side: unless a test picks its SIP port, sig takes an ephemeral one on loopback.
        let listen = flags.contains("--sip-listen") ? [] : ["--sip-listen", "127.0.0.1:0"]
        let run = try sipc(["up"] + flags + listen)
        try #require(run.status == 0, "sipc up failed: \(run.stderr)")
        return try await status()
    }

    func status() async throws -> OrchAPI.Status.Result {
        let s = try await handle.status()
        knownPIDs.formUnion(s.pids)
        return s
    }

    func component(_ name: String, in status: OrchAPI.Status.Result) -> OrchAPI.ComponentStatus? {
        status.components.first { $0.name == name }
    }

    func pid(of component: String) async throws -> Int32 {
        try #require(self.component(component, in: try await status())?.pid)
    }

    /// Files left in the run directory that are not logs.
    var leftovers: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: runDirectory.path)) ?? []).filter { !$0.hasSuffix(".log") }
    }

    func writeConfig(_ yaml: String) throws -> String {
        let path = root + "/config.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Stops the group, kills anything of it still alive, and removes the runtime directory.
    func cleanup() async {
        _ = try? await GroupLauncher.down(instance: handle, timeout: .seconds(5))
        for pid in knownPIDs where ChildProcess.isRunning(pid) { kill(pid, SIGKILL) }
        if ownsRoot { _ = try? FileManager.default.removeItem(atPath: root) }
    }
}

/// Runs `body` with a fresh instance and always stops it and removes its files afterwards, whether the body
/// passed, failed or threw.
func withInstance(name: String? = nil, root: String? = nil, _ body: (TestInstance) async throws -> Void) async throws {
    let instance = try name.map { try TestInstance(name: $0, root: root) } ?? TestInstance(root: root)
    do {
        try await body(instance)
    } catch {
        await instance.cleanup()
        throw error
    }
    await instance.cleanup()
}

/// Polls `condition` until it holds or `timeout` passes. Polling with a deadline, never a fixed sleep.
func eventually(timeout: Duration = .seconds(5), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = MonotonicClock.now() + timeout
    while MonotonicClock.now() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// Records an instance's events in the background so tests can wait for one with a deadline.
final class EventRecorder: Sendable {
    private let subscriber: EventSubscriber
    private final class Store: Sendable { let events = Mutex<[Event]>([]) }
    private let store = Store()
    private let task: Task<Void, Never>

    init(_ instance: TestInstance) async throws {
        let subscriber = try EventSubscriber(connectTo: instance.endpoints.events)
        self.subscriber = subscriber
        let store = self.store
        task = Task { for await e in subscriber.events { store.events.withLock { $0.append(e) } } }
        // PUB/SUB joins asynchronously: ask orch for probe events until one arrives, then we are subscribed.
        let token = JSONValue.string(String(Int.random(in: 0..<1_000_000_000)))
        let joined = try await eventually {
            _ = try await instance.handle.request(OrchAPI.ProbeEvents(token: token))
            return store.events.withLock { $0.contains { (try? $0.decode(InstanceProbeEvent.self))?.token == token } }
        }
        try #require(joined, "event subscription never joined")
    }

    var all: [Event] { store.events.withLock { $0 } }

    func wait(timeout: Duration = .seconds(5), for match: @escaping (Event) -> Bool) async -> Event? {
        var found: Event?
        _ = await eventually(timeout: timeout) {
            found = all.first(where: match)
            return found != nil
        }
        return found
    }

    /// Waits until `count` events match (or the timeout), and returns those that did.
    func waitAll(count: Int, timeout: Duration = .seconds(5), for match: @escaping (Event) -> Bool) async -> [Event] {
        _ = await eventually(timeout: timeout) { all.filter(match).count >= count }
        return all.filter(match)
    }

    func stop() {
        subscriber.shutdown()
        task.cancel()
    }
}
