import Foundation
import Testing
import Wire

extension ProcessGroupTests {
    /// The bus protocol is language-neutral: a Python program with pyzmq, written from docs/PROTOCOL.md alone,
    /// places a call through orch, follows it on the event stream and ends it.
    @Suite(.serialized) struct ProtocolNeutralityTests {
        /// A Python 3 that has pyzmq: the one on PATH (scripts/setup installs pyzmq for it) or Debian's.
        static func python() -> String? {
            for candidate in ["python3", "/usr/bin/python3"] {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                p.arguments = [candidate, "-c", "import zmq"]
                p.standardError = FileHandle.nullDevice
                guard (try? p.run()) != nil else { continue }
                p.waitUntilExit()
                if p.terminationStatus == 0 { return candidate }
            }
            return nil
        }

        @Test func aPythonClientPlacesAndEndsACallThroughOrch() async throws {
            let python = try #require(Self.python(), "pyzmq is missing: run scripts/setup")
            let port = TestPorts.base(), portB = TestPorts.base()
            try await withInstance { a in
                try await withInstance(root: a.root) { b in
                    _ = try await a.up(MediaFlowTests.flags(port, autoAnswer: true))
                    _ = try await b.up(MediaFlowTests.flags(portB, autoAnswer: false))
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                    process.arguments = [python, InteropAssets.root + "/python/place_call.py", b.runDirectory.path,
                                         "sip:alice@127.0.0.1:\(port)", "1"]
                    let out = Pipe(), err = Pipe()
                    process.standardOutput = out
                    process.standardError = err
                    try process.run()
                    let output = out.fileHandleForReading.readDataToEndOfFile()
                    let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                    process.waitUntilExit()
                    #expect(process.terminationStatus == 0, "place_call.py: \(errors)")
                    let report = try JSONDecoder().decode(JSONValue.self, from: output)
                    let states = report["states"]?.arrayValue?.compactMap(\.stringValue) ?? []
                    #expect(states.first == "dialing" || states.first == "ringing", "\(states)")
                    #expect(states.contains("connected") && states.last == "terminated", "\(states)")
                    #expect(report["codec"]?.stringValue == "PCMU")
                    #expect((report["media"]?["packets_received"]?.intValue ?? 0) >= 25, "about a second of RTP arrived")
                    // Nothing of the call outlives it on the calling side.
                    #expect(await eventually {
                        let calls = try? await b.handle.request("calls")
                        return calls?["calls"]?.arrayValue?.isEmpty == true
                    })
                }
            }
        }
    }
}
