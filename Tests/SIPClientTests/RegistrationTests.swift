import Foundation
import SIPClient
import Testing
import Timebase

/// SIPp playing a registrar (the repository's scenarios in Tests/Interop/sipp), stopped by its pid.
final class SippRegistrar: @unchecked Sendable {  // used by one test task at a time
    static let executable = "/usr/bin/sipp"
    static var available: Bool { FileManager.default.isExecutableFile(atPath: executable) }
    static func scenario(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Interop/sipp/\(name)").path
    }

    let process = Process()
    let directory = makeRuntimeRoot()

    init(_ scenario: String, port: Int) throws {
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = ["-sf", Self.scenario(scenario), "-i", "127.0.0.1", "-p", String(port), "-mp", String(port + 10),
                             "-m", "1", "-timeout", "30s", "-timeout_error", "-nostdin", "-trace_msg", "-message_file", "messages.log",
                             "-key", "auth_user", "alice", "-key", "auth_pass", "secret"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// SIPp's message trace, kept when `finish()` removes its directory.
    private(set) var messages = ""

    /// Waits for SIPp to finish its scenario; its exit status, or nil if it had to be stopped.
    func finish(timeout: Duration = .seconds(10)) async -> Int32? {
        let deadline = MonotonicClock.now() + timeout
        while process.isRunning, MonotonicClock.now() < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        defer {
            messages = (try? String(contentsOfFile: directory + "/messages.log", encoding: .utf8)) ?? messages
            try? FileManager.default.removeItem(atPath: directory)
        }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }
}

extension SIPClientTests {
    /// Accounts through the builder: the client registers before its initializer returns, refreshes, unregisters.
    @Suite(.enabled(if: SippRegistrar.available, "needs SIPp (scripts/setup installs it)")) struct RegistrationTests {
        @Test func credentialsRegisterRefreshAndUnregister() async throws {
            let groups = TestGroups()
            var sipp: SippRegistrar?
            do {
                let client = try await startClient { _ in
                    let base = ClientTestPorts.block()
                    sipp = try? SippRegistrar("uas_registrar.xml", port: base + 2)
                    return testBuilder(user: "alice", root: groups.root, sipPort: base, rtpLow: base + 4, autoAnswer: false)
                        .identity("sip:alice@127.0.0.1:\(base + 2)")
                        .credentials(user: "alice", password: "secret")
                }
                await groups.add(client)
                let events = Recorder(client.events)
                defer { events.stop() }
                #expect(client.configuration.account != nil)
                // The registrar grants 4 s: a refresh follows by itself.
                #expect(await events.wait { all in
                    all.contains { $0.registrationStateChanged.map { e in e.state == .registered } ?? false }
                })
                try await client.unregister()
                #expect(await sipp?.finish() == 0)
                #expect(sipp?.messages.contains("Authorization: Digest") == true)
            } catch {
                _ = await sipp?.finish(timeout: .zero)
                await groups.finish()
                throw error
            }
            _ = await sipp?.finish(timeout: .zero)
            await groups.finish()
        }

        @Test func wrongPasswordFailsTheInitializerAndStopsTheGroupItStarted() async throws {
            let groups = TestGroups()
            let base = ClientTestPorts.block()
            let sipp = try SippRegistrar("uas_registrar_wrong_password.xml", port: base + 2)
            let configuration = try testBuilder(user: "alice", root: groups.root, sipPort: base, rtpLow: base + 4, autoAnswer: false)
                .identity("sip:alice@127.0.0.1:\(base + 2)")
                .credentials(user: "alice", password: "wrong")
                .build()
            await #expect {
                _ = try await SIPClient(configuration: configuration)
            } throws: { error in
                guard let error = error as? SIPClientError, error.kind == .registrationFailed else { return false }
                return error.aor == configuration.identity && error.failureReason?.contains("401") == true && "\(error)".contains("check the password")
            }
            _ = await sipp.finish()
            #expect(groups.leftovers.isEmpty, "the group the failed client started is stopped: \(groups.leftovers)")
            await groups.finish()
        }
    }
}
