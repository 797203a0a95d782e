import Foundation
import GroupControl
import ProcessSupport
import SIPClient
import Testing
import Timebase
import Wire

/// The simple API as documented: a complete call in under 10 lines. Compiled with the tests and measured by
/// `simpleExampleIsUnderTenLines`; the SimpleSoftphone example runs the same calls in a process of its own.
func simpleCall(_ uri: String) async throws -> CallEnd {
    let client = try await SIPClient(identity: "sip:alice@example.com")
    let call = try await client.call(uri)
    try await call.waitForAnswer()
    try await call.hangup()
    let end = try await call.waitForEnd()
    await client.shutdown()
    return end
}

/// Reads an instance's effective configuration (orch's `config`).
enum InstanceHandleProbe {
    static func config(of client: SIPClient) async throws -> JSONValue {
        try await InstanceHandle(runDirectory: client.configuration.runDirectory).request("config")
    }
}

extension SIPClientTests {
    @Suite struct SimpleAPITests {
        /// The simple example's call logic stays under 10 lines (this file's `simpleCall` is compiled with the tests).
        @Test func simpleExampleIsUnderTenLines() throws {
            let lines = try String(contentsOfFile: #filePath, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            let start = try #require(lines.firstIndex { $0.hasPrefix("func simpleCall") })
            let end = try #require(lines[start...].firstIndex { $0 == "}" })
            #expect(end - start - 1 < 10, "the simple example's body has \(end - start - 1) lines")
        }

        /// `SIPClient(identity:)`, run by the SimpleSoftphone example in its own process: it attaches to the
        /// instance named by `$SIPC_INSTANCE` under `$XDG_RUNTIME_DIR`, places a complete call through it, and its
        /// shutdown leaves that instance running (it did not start it). A child process, so this test never
        /// changes its own environment while other tests read theirs.
        @Test func simpleExampleAttachesAndPlacesACompleteCall() async throws {
            let example = try #require(Executables.locate("SimpleSoftphone"), "build the examples first (swift build)")
            try await withTwoClients(autoAnswer: true) { _, b, aURI, _ in
                let process = Process()
                process.executableURL = URL(fileURLWithPath: example)
                process.arguments = [aURI, "0.2"]
                var environment = ProcessInfo.processInfo.environment
                environment["XDG_RUNTIME_DIR"] = b.configuration.runtimeDirectory
                environment["SIPC_INSTANCE"] = b.instanceName
                environment["SIP_IDENTITY"] = "sip:bob@127.0.0.1"
                process.environment = environment
                let output = Pipe()
                process.standardOutput = output
                process.standardError = output
                try process.run()
                let deadline = MonotonicClock.now() + .seconds(20)
                while process.isRunning, MonotonicClock.now() < deadline { try await Task.sleep(for: .milliseconds(50)) }
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                process.waitUntilExit()
                let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                #expect(process.terminationStatus == 0 && text.contains("call ended: local hangup"), "\(text)")
                // The attached example did not stop B, which still places calls.
                #expect(b.ownsInstance)
                let again = try await b.call(aURI)
                try await again.waitForAnswer(timeout: .seconds(10))
                try await again.hangup()
                #expect(try await again.waitForEnd().isNormal)
            }
        }

        /// A client that must start its own group refuses to attach to a running one, and says what to do.
        @Test func ownGroupRequiredButInstanceRunningNamesTheFix() async throws {
            try await withTwoClients(autoAnswer: false) { a, _, _, _ in
                var config = a.configuration
                config.attachIfRunning = false
                await #expect { _ = try await SIPClient(configuration: config) } throws: { error in
                    guard (error as? SIPClientError)?.kind == .instanceAlreadyRunning else { return false }
                    return "\(error)".contains("choose another instance name")
                }
            }
        }
    }
}
