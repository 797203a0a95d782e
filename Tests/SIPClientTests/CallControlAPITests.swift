import Foundation
import SIPClient
import Testing

extension SIPClientTests {
    /// The mid-call API (issue 8) through the library only: hold and resume, DTMF by SIP INFO, recording.
    @Suite struct CallControlAPITests {
        @Test func holdResumeInfoDTMFAndRecordingThroughTheLibrary() async throws {
            try await withTwoClients(autoAnswer: true) { a, b, aURI, groups in
                let aEvents = Recorder(a.events)
                defer { aEvents.stop() }
                let call = try await b.call(aURI)
                try await call.waitForAnswer(timeout: .seconds(10))

                try await call.hold()
                #expect(await call.state == .held)
                #expect(await aEvents.wait { events in
                    events.contains { if case .callStateChanged(let e) = $0 { e.state == .remoteHeld } else { false } }
                })
                try await call.resume()
                #expect(await call.state == .connected)

                try await call.sendDTMF("5#", method: .info)
                #expect(await aEvents.wait { events in
                    events.compactMap { if case .dtmfReceived(let d) = $0, d.method == .info { d.digit } else { nil } } == ["5", "#"]
                })

                let path = groups.root + "/library-recording.wav"
                try await call.startRecording(to: path)
                let before = try await call.statistics().packetsReceived
                var received = before
                let deadline = ContinuousClock.now + .seconds(5)
                while received < before + 30, ContinuousClock.now < deadline {  // 0.6 s of audio to record
                    try await Task.sleep(for: .milliseconds(50))
                    received = try await call.statistics().packetsReceived
                }
                let seconds = try await call.stopRecording()
                #expect(seconds >= 0.4, "recorded \(seconds) s")
                let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                #expect(size == 44 + Int((seconds * 8000).rounded()) * 4, "a stereo 8 kHz file of \(seconds) s, got \(size) bytes")
                await #expect {
                    try await call.startRecording(to: "relative.wav")
                } throws: { "\($0)".contains("absolute") }
                try await call.hangup()
                _ = try await call.waitForEnd()
            }
        }
    }
}
