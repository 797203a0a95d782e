import Synchronization
import Foundation
import ProcessSupport
import Testing
import Timebase

/// Where the interop assets live (Tests/Interop), found from this file's path.
enum InteropAssets {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Interop").path
    static func scenario(_ name: String) -> String { root + "/sipp/" + name }
    static let baresipPeer = root + "/baresip/baresip_peer.py"
}

/// Gives each test its own block of 250 ports, so tests running side by side never collide and reruns start
/// elsewhere (TIME_WAIT leftovers). In a block: our SIP port at +0, SIPp at +2 (media +12), baresip at +20 (its
/// RTP +120..+219), our media ports at +220..+249 (`SIPInteropTests.flags`).
enum TestPorts {
    private static let next = Atomic<Int>(Int.random(in: 0..<52))
    static func base() -> Int {
        let n = next.add(1, ordering: .relaxed).oldValue
        return 16_000 + (n % 52) * 250
    }
}

/// A real third-party peer process (SIPp or the baresip helper), stopped by PID when done.
final class PeerProcess: @unchecked Sendable {  // used from one test at a time
    let process = Process()
    let directory: String
    let stdoutPath: String
    let name: String

    init(name: String, executable: String, arguments: [String]) throws {
        self.name = name
        var template = Array("/tmp/sipp-XXXXXX".utf8CString)
        directory = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
        stdoutPath = directory + "/stdout.txt"
        FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        // Scratch files of the peer (baresip's generated configuration) go into our directory, removed at cleanup
        // even when the peer is killed before it could tidy up.
        var environment = ProcessInfo.processInfo.environment
        environment["TMPDIR"] = directory
        process.environment = environment
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardOutput = out
        process.standardError = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// SIPp with the common flags: loopback, one call, a hard timeout, and the message trace this test reads.
    static func sipp(_ scenario: String, port: Int, target: String? = nil, extra: [String] = []) throws -> PeerProcess {
        var args = ["-sf", scenario.hasPrefix("/") ? scenario : InteropAssets.scenario(scenario), "-i", "127.0.0.1", "-p", String(port), "-mp", String(port + 10),
                    "-m", "1", "-timeout", "30s", "-timeout_error", "-nostdin", "-trace_msg", "-message_file", "messages.log",
                    "-trace_err", "-error_file", "errors.log"] + extra
        if let target { args.append(target) }
        return try PeerProcess(name: "sipp \(scenario)", executable: "/usr/bin/sipp", arguments: args)
    }

    /// The baresip helper starts baresip with a parent-death signal, so baresip goes when the helper goes, even
    /// if the helper is killed before it could stop baresip itself.
    static func baresip(_ arguments: [String]) throws -> PeerProcess {
        try PeerProcess(name: "baresip", executable: "/usr/bin/python3", arguments: [InteropAssets.baresipPeer] + arguments)
    }

    /// Waits for the peer to exit by itself; kills it if it overstays.
    func exitStatus(timeout: Duration = .seconds(40)) async -> Int32? {
        let done = await eventually(timeout: timeout) { !self.process.isRunning }
        if !done { stop(); return nil }
        return process.terminationStatus
    }

    func stop() {
        let pid = process.processIdentifier
        if process.isRunning { kill(pid, SIGTERM) }
        let deadline = MonotonicClock.now() + .seconds(5)
        while process.isRunning && MonotonicClock.now() < deadline { usleep(20_000) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
    }

    func file(_ name: String) -> String { (try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)) ?? "" }
    var messages: String { file("messages.log") }
    var output: String { file("stdout.txt") }

    /// Waits until something listens on a UDP port (SIPp as UAS is ready).
    static func waitForUDP(_ port: Int) async -> Bool {
        await eventually(timeout: .seconds(10)) {
            let hex = String(format: ":%04X ", port)
            let table = (try? String(contentsOfFile: "/proc/net/udp", encoding: .utf8)) ?? ""
            return table.split(separator: "\n").contains { $0.contains("0100007F" + hex) || $0.contains("00000000" + hex) }
        }
    }

    func cleanup() {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Runs `body` with a peer and always stops it and removes its files.
func withPeer<T>(_ make: () throws -> PeerProcess, _ body: (PeerProcess) async throws -> T) async throws -> T {
    let peer = try make()
    do {
        let result = try await body(peer)
        peer.cleanup()
        return result
    } catch {
        print("--- \(peer.name) output ---\n\(peer.output)\n--- messages ---\n\(peer.messages.suffix(4000))")
        peer.cleanup()
        throw error
    }
}
