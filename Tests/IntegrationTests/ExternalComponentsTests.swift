import Foundation
import ProcessSupport
import Testing
import Wire

extension ProcessGroupTests {
    /// `supervision.external`: sig and audio started by someone else (as a compose engine does), connecting to orch
    /// through the run directory; orch waits for them, carries calls through them, and never restarts them itself.
    @Suite(.serialized) struct ExternalComponentsTests {
        static func component(_ a: TestInstance, name: String) throws -> PeerProcess {
            try PeerProcess(name: name, executable: a.binDir + "/sip-\(name)",
                            arguments: ["--instance", a.name, "--run-dir", a.runDirectory.path, "--name", name])
        }

        @Test func externalSigAndAudioAreWaitedForCarryCallsAndAreNotRestartedByOrch() async throws {
            let port = TestPorts.base(), portB = TestPorts.base()
            try await withInstance { a in
                try await withInstance(root: a.root) { b in
                    let config = try a.writeConfig("""
                        supervision:
                          external: sig,audio
                          heartbeat_interval_ms: 200
                        rtp:
                          workers: 0
                          standby: 0
                        remote:
                          accept_workers: true
                        """)
                    // `sipc up` waits for every component; sig and audio are started beside it, as containers would be.
                    let up = Task { try a.sipc(["up", "--config", config, "--auto-answer", "--sip-listen", "127.0.0.1:\(port)", "--rtp-ports", "\(port + 220)-\(port + 249)"]) }
                    #expect(await eventually(timeout: .seconds(10)) { FileManager.default.fileExists(atPath: a.runDirectory.path + "/ctl.sock") })
                    let sig = try Self.component(a, name: "sig"), audio = try Self.component(a, name: "audio")
                    defer { sig.cleanup(); audio.cleanup() }
                    let run = try await up.value
                    try #require(run.status == 0, "sipc up: \(run.stderr)")
                    let status = try await a.status()
                    #expect(a.component("sig", in: status)?.external == true)
                    #expect(a.component("sig", in: status)?.pid == sig.process.processIdentifier)
                    #expect(a.component("audio", in: status)?.pid == audio.process.processIdentifier)
                    // A media worker joins by itself through the run directory (`--name auto`: rtp-<host name>).
                    let worker = try PeerProcess(name: "rtp", executable: a.binDir + "/sip-rtp",
                                                 arguments: ["--instance", a.name, "--run-dir", a.runDirectory.path, "--name", "auto"])
                    defer { worker.cleanup() }
                    let joined = "rtp-" + (ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host")
                    #expect(await eventually(timeout: .seconds(10)) {
                        guard let s = try? await a.status(), let c = a.component(joined, in: s) else { return false }
                        return c.state == "up" && c.external
                    }, "\(joined) joined the pool")

                    _ = try await b.up(MediaFlowTests.flags(portB, autoAnswer: false))
                    let (_, aCall) = try await MediaFlowTests.connect(b, to: a, port: port)
                    #expect(aCall["state"]?.stringValue == "connected")
                    #expect(aCall["worker"]?.stringValue == joined)
                    _ = try await b.handle.request("hangup", args: ["all": true])
                    #expect(await eventually { ((try? await a.handle.request("calls"))?["calls"]?.arrayValue ?? []).isEmpty })

                    // The external sig dies: orch marks it down and waits; it starts nothing itself.
                    kill(sig.process.processIdentifier, SIGKILL)
                    #expect(await eventually(timeout: .seconds(5)) {
                        guard let s = try? await a.status() else { return false }
                        return a.component("sig", in: s)?.state != "up"
                    })
                    let waiting = try await a.status()
                    #expect(a.component("sig", in: waiting).map { $0.pid == nil } == true, "orch started no sig of its own")
                    // Whoever runs it starts it again: it is up, counted as a restart.
                    let again = try Self.component(a, name: "sig")
                    defer { again.cleanup() }
                    #expect(await eventually(timeout: .seconds(10)) {
                        guard let s = try? await a.status(), let c = a.component("sig", in: s) else { return false }
                        return c.state == "up" && c.pid == again.process.processIdentifier && c.restarts == 1
                    })
                    _ = try await MediaFlowTests.connect(b, to: a, port: port)
                    _ = try await b.handle.request("hangup", args: ["all": true])
                }
            }
        }

        /// In a container the run directory is shared but orch's pid is in another PID namespace: `sipc` (a health check
        /// in the sig or audio container) must still reach orch through the socket.
        @Test func sipcReachesAnOrchWhosePidItCannotSee() async throws {
            try await withInstance { a in
                _ = try await a.up()
                let pidFile = a.runDirectory.pidFile, keeperFile = a.runDirectory.keeperPidFile
                let saved = try String(contentsOfFile: pidFile, encoding: .utf8), savedKeeper = try String(contentsOfFile: keeperFile, encoding: .utf8)
                defer {
                    try? saved.write(toFile: pidFile, atomically: true, encoding: .utf8)
                    try? savedKeeper.write(toFile: keeperFile, atomically: true, encoding: .utf8)
                }
                // pids that do not exist here, as seen from another namespace
                try "4194303\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
                try "4194302\n".write(toFile: keeperFile, atomically: true, encoding: .utf8)
                let run = try a.sipc(["status", "--json"])
                #expect(run.status == 0, "\(run.stderr)")
                #expect(run.stdout.contains("\"all_up\":true"))
            }
        }
    }
}
