import Foundation
import ProcessSupport
import Testing
import Wire

extension ProcessGroupTests {
    /// A media worker that joins an instance over tcp:// with CurveZMQ, as one on another host does: orch lets in only
    /// authorised keys, and the call's audio crosses both ways (RTP to the peer, PCM to and from sip-audio over CURVE).
    @Suite(.serialized) struct RemoteWorkerTests {
        static func run(_ instance: TestInstance, _ executable: String, _ arguments: [String]) throws -> TestInstance.Run {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: instance.binDir + "/" + executable)
            process.arguments = arguments
            process.environment = instance.environment
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return .init(status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
        }

        static func remoteWorker(_ a: TestInstance, name: String, orchPort: Int, keyDir: String, key: String, rtp: ClosedRange<Int>) throws -> PeerProcess {
            let dir = a.root + "/\(name)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            return try PeerProcess(name: name, executable: a.binDir + "/sip-rtp", arguments: [
                "--orch", "tcp://127.0.0.1:\(orchPort)", "--orch-key", a.root + "/keys/instance.pub", "--key-file", "\(keyDir)/\(key).key",
                "--name", name, "--run-dir", dir, "--media-address", "127.0.0.1", "--rtp-ports", "\(rtp.lowerBound)-\(rtp.upperBound)"])
        }

        static func workers(_ a: TestInstance) -> [JSONValue] {
            guard let run = try? a.sipc(["workers", "list", "--json"]), run.status == 0,
                  let json = try? JSONDecoder().decode(JSONValue.self, from: Data(run.stdout.utf8)) else { return [] }
            return json["workers"]?.arrayValue ?? []
        }

        @Test func anAuthorisedRemoteWorkerCarriesACallBothWaysAndAnUnknownKeyIsRefused() async throws {
            let port = TestPorts.base(), portB = TestPorts.base()
            let orchPort = port + 200
            try await withInstance { a in
                try await withInstance(root: a.root) { b in
                    // Keys: the instance's, an authorised worker's, and a stranger's.
                    for (name, dir) in [("instance", "keys"), ("worker", "wk"), ("stranger", "wk")] {
                        let made = try Self.run(a, "sipc", ["keys", "generate", name, "--dir", a.root + "/" + dir])
                        try #require(made.status == 0, "\(made.stderr)")
                    }
                    try FileManager.default.createDirectory(atPath: a.root + "/keys/authorized", withIntermediateDirectories: true)
                    try FileManager.default.copyItem(atPath: a.root + "/wk/worker.pub", toPath: a.root + "/keys/authorized/worker.pub")
                    let config = try a.writeConfig("""
                        rtp:
                          workers: 0
                          standby: 0
                        remote:
                          accept_workers: true
                          listen: tcp://127.0.0.1:\(orchPort)
                          audio_listen: tcp://127.0.0.1:\(orchPort + 1)
                          key_file: \(a.root)/keys/instance.key
                          authorized_keys: \(a.root)/keys/authorized
                        """)
                    let mic = a.root + "/mic.wav", heard = a.root + "/heard.wav"
                    try AudioDeviceTests.writeTone(mic, frequency: 440, amplitude: 0.25, seconds: 30, rate: 8000, channels: 1)
                    _ = try await a.up(["--config", config, "--sip-listen", "127.0.0.1:\(port)", "--auto-answer",
                                        "--audio", "file:\(mic),\(heard)"] + AudioDeviceTests.plain)
                    _ = try await b.up(MediaFlowTests.flags(portB, autoAnswer: false))

                    let worker = try Self.remoteWorker(a, name: "rtp-remote1", orchPort: orchPort, keyDir: a.root + "/wk", key: "worker",
                                                       rtp: (port + 220)...(port + 239))
                    defer { worker.cleanup() }
                    let stranger = try Self.remoteWorker(a, name: "rtp-stranger", orchPort: orchPort, keyDir: a.root + "/wk", key: "stranger",
                                                         rtp: (port + 240)...(port + 249))
                    defer { stranger.cleanup() }
                    #expect(await eventually(timeout: .seconds(10)) {
                        Self.workers(a).contains { $0["name"]?.stringValue == "rtp-remote1" && $0["state"]?.stringValue == "up" }
                    }, "the authorised worker joined: \(worker.output)")
                    let orchLog = a.runDirectory.componentLog("orch")
                    #expect(await eventually(timeout: .seconds(10)) {
                        ((try? String(contentsOfFile: orchLog, encoding: .utf8)) ?? "").contains("refused a remote connection")
                    }, "the stranger's key was refused")
                    #expect(!Self.workers(a).contains { $0["name"]?.stringValue == "rtp-stranger" })
                    #expect(Self.workers(a).first { $0["name"]?.stringValue == "rtp-remote1" }?["external"] == true)

                    // A call from b: a's side of it runs on the remote worker.
                    let (bCall, aCall) = try await MediaFlowTests.connect(b, to: a, port: port)
                    #expect(aCall["worker"]?.stringValue == "rtp-remote1")
                    let tap = try FrameTap(b, stream: try #require(bCall["streams"]?["playback"]?.intValue))
                    let tone = try ToneInjector(b, stream: try #require(bCall["streams"]?["capture"]?.intValue), frequency: 1000, amplitude: 8000)
                    defer { tap.stop(); tone.stop() }
                    // a's microphone (440 Hz) -> sip-audio -> CURVE -> remote worker -> RTP -> b.
                    #expect(await eventually(timeout: .seconds(10)) { tap.voicedSamples.count >= 16000 })
                    let got = Array(tap.voicedSamples.suffix(8000))
                    #expect(AudioDeviceTests.framePower(got, frequency: 440) > 50 * AudioDeviceTests.framePower(got, frequency: 1000),
                            "b hears a's microphone through the remote worker")
                    // b's tone -> RTP -> remote worker -> CURVE -> a's sip-audio -> heard.wav.
                    #expect(await eventually(timeout: .seconds(10)) {
                        let samples = Self.wavSamples(heard)
                        guard samples.count >= 16000 else { return false }
                        let last = Array(samples.suffix(8000))
                        return AudioDeviceTests.framePower(last, frequency: 1000) > 50 * AudioDeviceTests.framePower(last, frequency: 440)
                    }, "a's speaker plays b's tone, which crossed the remote worker")
                    _ = try await b.handle.request("hangup", args: ["all": true])
                    #expect(await eventually { ((try? await a.handle.request("calls"))?["calls"]?.arrayValue ?? []).isEmpty })
                }
            }
        }

        @Test func callsOfALostRemoteWorkerMoveToAnotherWorkerAndThePeerIsReInvited() async throws {
            let port = TestPorts.base(), portB = TestPorts.base()
            let orchPort = port + 200
            try await withInstance { a in
                try await withInstance(root: a.root) { b in
                    for (name, dir) in [("instance", "keys"), ("worker", "wk")] {
                        let made = try Self.run(a, "sipc", ["keys", "generate", name, "--dir", a.root + "/" + dir])
                        try #require(made.status == 0, "\(made.stderr)")
                    }
                    let config = try a.writeConfig("""
                        rtp:
                          workers: 1
                          standby: 0
                        supervision:
                          heartbeat_interval_ms: 200
                        remote:
                          accept_workers: true
                          listen: tcp://127.0.0.1:\(orchPort)
                          audio_listen: tcp://127.0.0.1:\(orchPort + 1)
                          key_file: \(a.root)/keys/instance.key
                          authorized_keys: \(a.root)/wk/worker.pub
                        """)
                    let mic = a.root + "/mic.wav"
                    try AudioDeviceTests.writeTone(mic, frequency: 440, amplitude: 0.25, seconds: 60, rate: 8000, channels: 1)
                    _ = try await a.up(["--config", config, "--sip-listen", "127.0.0.1:\(port)", "--auto-answer", "--rtp-ports", "\(port + 220)-\(port + 229)",
                                        "--audio", "file:\(mic)"] + AudioDeviceTests.plain)
                    _ = try await b.up(MediaFlowTests.flags(portB, autoAnswer: false))
                    let worker = try Self.remoteWorker(a, name: "rtp-remote1", orchPort: orchPort, keyDir: a.root + "/wk", key: "worker",
                                                       rtp: (port + 230)...(port + 249))
                    defer { worker.cleanup() }
                    #expect(await eventually(timeout: .seconds(10)) {
                        Self.workers(a).contains { $0["name"]?.stringValue == "rtp-remote1" && $0["state"]?.stringValue == "up" }
                    })
                    // Only the remote worker is left to take the call.
                    let removed = try a.sipc(["workers", "remove", "rtp-1", "--timeout", "10"])
                    try #require(removed.status == 0, "\(removed.stderr)")
                    let (bCall, aCall) = try await MediaFlowTests.connect(b, to: a, port: port)
                    #expect(aCall["worker"]?.stringValue == "rtp-remote1")
                    let added = try a.sipc(["workers", "add", "1"])
                    try #require(added.status == 0, "\(added.stderr)")
                    let tap = try FrameTap(b, stream: try #require(bCall["streams"]?["playback"]?.intValue))
                    defer { tap.stop() }
                    #expect(await eventually(timeout: .seconds(10)) { tap.voicedSamples.count >= 8000 }, "a's microphone reaches b")
                    let bPortBefore = try await b.handle.request("call_stats")["remote"]?.stringValue

                    // The remote host is lost: its calls move to rtp-1 and b is told the new address by re-INVITE.
                    kill(worker.process.processIdentifier, SIGKILL)
                    let heardBefore = tap.voicedSamples.count
                    #expect(await eventually(timeout: .seconds(10)) {
                        let calls = (try? await a.handle.request("calls"))?["calls"]?.arrayValue ?? []
                        return calls.first?["worker"]?.stringValue == "rtp-1"
                    }, "the call moved to the local worker")
                    #expect(await eventually(timeout: .seconds(10)) { tap.voicedSamples.count >= heardBefore + 8000 }, "a's microphone reaches b again")
                    let bPortAfter = try await b.handle.request("call_stats")["remote"]?.stringValue
                    #expect(bPortAfter != bPortBefore, "b sends to the new port (\(bPortBefore ?? "-") -> \(bPortAfter ?? "-"))")
                    for side in [a, b] {
                        let calls = try await side.handle.request("calls")["calls"]?.arrayValue ?? []
                        #expect(calls.count == 1 && calls.first?["state"]?.stringValue == "connected")
                    }
                    _ = try await b.handle.request("hangup", args: ["all": true])
                }
            }
        }

        /// The samples of a 16-bit mono WAV as the file backend writes it (44-byte header).
        static func wavSamples(_ path: String) -> [Int16] {
            guard let data = FileManager.default.contents(atPath: path), data.count > 44 else { return [] }
            return data.dropFirst(44).withUnsafeBytes { raw in Array(raw.bindMemory(to: Int16.self).prefix((data.count - 44) / 2)) }
        }
    }
}
