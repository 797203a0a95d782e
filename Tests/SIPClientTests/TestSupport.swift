import Foundation
import GroupControl
import ProcessSupport
import SIPClient
import Synchronization
import Testing
import Timebase

/// Port blocks of 20 in 17000-17999, one per test: SIP of A at +0, of B at +2, RTP of A at +4...+11, of B at
/// +12...+19. The start is random so reruns (and the other test suites of the repository) rarely collide.
enum ClientTestPorts {
    private static let next = Atomic<Int>(Int.random(in: 0..<50))
    static func block() -> Int { 17_000 + (next.add(1, ordering: .relaxed).oldValue % 50) * 20 }
}

/// A private runtime root (like `$XDG_RUNTIME_DIR`) for one test, short enough for ipc socket paths.
func makeRuntimeRoot() -> String {
    var template = Array("/tmp/sct-XXXXXX".utf8CString)
    return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
}

/// A builder for a loopback test instance: its own name and runtime root, SIP and RTP in the test's port block,
/// one media worker, null audio, no attaching to anything else.
func testBuilder(user: String, root: String, sipPort: Int, rtpLow: Int, autoAnswer: Bool) -> SIPClientBuilder {
    SIPClientBuilder.headlessAgent
        .identity("sip:\(user)@127.0.0.1:\(sipPort)")
        .instance("\(user)-\(sipPort)")
        .runtimeDirectory(root)
        .attachIfRunning(false)
        .sipListen("127.0.0.1:\(sipPort)")
        .rtpPorts(rtpLow...(rtpLow + 7))
        .rtpWorkers(1)
        .autoAnswer(autoAnswer)
}

/// Starts a client's group; retries a couple of times when the executables are being rebuilt or a port of the
/// block is taken by someone else's test (a fresh block each time).
func startClient(_ make: (Int) -> SIPClientBuilder) async throws -> SIPClient {
    try #require(Executables.locate("sip-orch") != nil, "set SIPC_BIN_DIR to the directory of sip-orch, sip-sig, sip-rtp, sip-audio")
    var lastError: SIPClientError?
    for attempt in 0..<3 {
        let configuration = try make(attempt).build()
        do {
            return try await SIPClient(configuration: configuration)
        } catch {
            guard error.kind == .startFailed else { throw error }
            lastError = error
        }
    }
    throw lastError!
}

/// What a test started: clients, their groups' pids, and the runtime root; `finish()` stops everything and
/// checks nothing is left (no process, no socket or pid file), whether the test passed or threw.
final class TestGroups: @unchecked Sendable {  // used by one test task at a time
    let root = makeRuntimeRoot()
    private(set) var clients: [SIPClient] = []
    private var pids: Set<Int32> = []

    func add(_ client: SIPClient) async {
        if !clients.contains(where: { $0 === client }) { clients.append(client) }
        let handle = InstanceHandle(runDirectory: client.configuration.runDirectory)
        if let status = try? await handle.status() { pids.formUnion(handle.pids(in: status)) }
    }

    /// Stops every client (and the groups they own), then checks the leftovers and removes the root.
    func finish() async {
        for client in clients { await client.shutdown() }
        #expect(!pids.isEmpty || clients.isEmpty, "the groups' pids were never read")
        let alive = pids.filter(ChildProcess.isRunning)
        #expect(alive.isEmpty, "processes still running after shutdown: \(alive)")
        alive.forEach { kill($0, SIGKILL) }
        #expect(leftovers.isEmpty, "files left in the run directories: \(leftovers)")
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Sockets and pid files under the root's run directories.
    var leftovers: [String] {
        let base = root + "/sip-client"
        let instances = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        return instances.flatMap { dir in
            ((try? FileManager.default.contentsOfDirectory(atPath: base + "/" + dir)) ?? [])
                .filter { $0.hasSuffix(".sock") || $0.hasSuffix(".pid") }.map { dir + "/" + $0 }
        }
    }
}

/// Two loopback instances: A (callee, at `aURI`) and B (caller). Always stopped afterwards.
func withTwoClients(autoAnswer: Bool, a configureA: @escaping (SIPClientBuilder) -> SIPClientBuilder = { $0 },
                    _ body: (_ a: SIPClient, _ b: SIPClient, _ aURI: String, _ groups: TestGroups) async throws -> Void) async throws {
    let groups = TestGroups()
    do {
        var aPort = 0
        let a = try await startClient { _ in
            let base = ClientTestPorts.block()
            aPort = base
            return configureA(testBuilder(user: "alice", root: groups.root, sipPort: base, rtpLow: base + 4, autoAnswer: autoAnswer))
        }
        await groups.add(a)
        let b = try await startClient { _ in
            let base = ClientTestPorts.block()
            return testBuilder(user: "bob", root: groups.root, sipPort: base + 2, rtpLow: base + 12, autoAnswer: false)
        }
        await groups.add(b)
        try await body(a, b, "sip:alice@127.0.0.1:\(aPort)", groups)
    } catch {
        await groups.finish()
        throw error
    }
    await groups.finish()
}

/// Keeps what an async sequence delivers, so a test can wait for an element with a deadline.
final class Recorder<Element: Sendable>: Sendable {
    private final class Store: Sendable { let items = Mutex<[Element]>([]) }
    private let store = Store()
    private let task: Task<Void, Never>

    init(_ stream: AsyncStream<Element>) {
        let store = self.store
        task = Task { for await e in stream { store.items.withLock { $0.append(e) } } }
    }

    var all: [Element] { store.items.withLock { $0 } }

    /// Polls until `condition` holds on what arrived, or `timeout` passes.
    func wait(timeout: Duration = .seconds(10), until condition: ([Element]) -> Bool) async -> Bool {
        let deadline = MonotonicClock.now() + timeout
        while MonotonicClock.now() < deadline {
            if condition(all) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition(all)
    }

    func stop() { task.cancel() }
}

/// Tone measurements: Goertzel power, RMS, decibels.
enum Tone {
    static func samples(frequency: Double, amplitude: Double, count: Int, offset: Int = 0) -> [Int16] {
        (0..<count).map { Int16(amplitude * sin(2 * .pi * frequency * Double(offset + $0) / 8000)) }
    }

    static func power(_ x: [Int16], frequency: Double) -> Double {
        let c = 2 * cos(2 * Double.pi * frequency / 8000)
        var s1 = 0.0, s2 = 0.0
        for v in x {
            let s0 = Double(v) + c * s1 - s2
            s2 = s1
            s1 = s0
        }
        return s1 * s1 + s2 * s2 - c * s1 * s2
    }

    static func dominant(_ x: [Int16], among candidates: [Double]) -> Double? {
        candidates.max { power(x, frequency: $0) < power(x, frequency: $1) }
    }

    static func rms(_ x: [Int16]) -> Double {
        guard !x.isEmpty else { return 0 }
        return (x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(x.count)).squareRoot()
    }

    static func decibels(_ ratio: Double) -> Double { 20 * log10(max(ratio, 1e-9)) }
}

/// Sends a tone on a call's audio stream, paced by `send`, until cancelled.
func toneSender(_ audio: CallAudioStream, frequency: Double, amplitude: Double) -> Task<Void, Never> {
    Task {
        var n = 0
        while !Task.isCancelled {
            let frame = Tone.samples(frequency: frequency, amplitude: amplitude, count: 160, offset: n * 160)
            guard (try? await audio.send(frame)) != nil else { return }
            n += 1
        }
    }
}

/// Reads a call's audio until `count` samples of frames that carry sound (not flagged silent, not all zero)
/// arrived, or `timeout` passed.
func collectVoiced(_ audio: CallAudioStream, count: Int, timeout: Duration = .seconds(10)) async -> [Int16] {
    await withDeadline(timeout) {
        var voiced: [Int16] = []
        for await frame in audio where !frame.isSilence && frame.samples.contains(where: { $0 != 0 }) {
            voiced += frame.samples
            if voiced.count >= count { break }
        }
        return voiced
    } ?? []
}

func withDeadline<T: Sendable>(_ timeout: Duration, _ operation: @escaping @Sendable () async -> T) async -> T? {
    await withTaskGroup(of: T?.self) { group in
        group.addTask { await operation() }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}
