import Foundation
import SIPClient
import ProcessSupport
import Testing
import Timebase

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
                    events.contains { $0.callStateChanged.map { e in e.state == .remoteHeld } ?? false }
                })
                try await call.resume()
                #expect(await call.state == .connected)

                try await call.sendDTMF("5#", method: .info)
                #expect(await aEvents.wait { events in
                    events.compactMap { $0.dtmfReceived.flatMap { d in d.method == .info ? d.digit : nil } } == ["5", "#"]
                })

                let path = groups.root + "/library-recording.wav"
                try await call.startRecording(to: path)
                let before = try await call.statistics().packetsReceived
                var received = before
                let deadline = MonotonicClock.now() + .seconds(5)
                while received < before + 30, MonotonicClock.now() < deadline {  // 0.6 s of audio to record
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

extension SIPClientTests.CallControlAPITests {
    /// B's orch hangs (SIGSTOP) while A hangs up, then dies (SIGKILL): the end of the call reaches B's sig but not the
    /// stopped orch. The restarted orch learns it from sig and publishes it; should the library's subscription miss
    /// that (it reconnects by itself, PUB/SUB keeps no backlog), it notices the restart by the event numbering and
    /// checks its calls. Either way `waitForEnd` returns. (Here the subscription usually catches orch's own report.)
    @Test func aCallThatEndsWhileOrchIsDownStillEndsInTheLibrary() async throws {
        try await withTwoClients(autoAnswer: true) { a, b, aURI, _ in
            let call = try await b.call(aURI)
            try await call.waitForAnswer(timeout: .seconds(10))
            let orch = try #require(b.configuration.runDirectory.runningOrchPID())
            kill(orch, SIGSTOP)
            for incoming in try await a.activeCalls() { try await incoming.hangup() }
            try await Task.sleep(for: .milliseconds(300))  // the BYE reaches B's sig while its orch is stopped (a fault, not a wait for state)
            kill(orch, SIGKILL)
            let end = await withDeadline(.seconds(10)) { try? await call.waitForEnd() }
            #expect(end != nil && end! != nil, "the call's end never reached the library")
            #expect(await call.state == .terminated)
        }
    }
}
