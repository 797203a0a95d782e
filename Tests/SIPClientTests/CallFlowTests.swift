import Foundation
import SIPClient
import Testing

extension SIPClientTests {
    /// Two real process groups on loopback, driven only through the library.
    @Suite struct CallFlowTests {
        /// B calls A, A answers from `incomingCalls`; a 1 kHz tone sent by B and a 440 Hz tone sent by A arrive on
        /// the other side at their frequency and level after G.711; the states are seen through events; B's
        /// hangup ends the call on both sides with its quality report.
        @Test func toneCrossesTheCallAndHangupEndsBothSides() async throws {
            try await withTwoClients(autoAnswer: false) { a, b, aURI, _ in
                let bEvents = Recorder(b.events), aEvents = Recorder(a.events)
                defer { bEvents.stop(); aEvents.stop() }
                let answering = Task { () -> Call? in
                    for await incoming in a.incomingCalls {
                        try? await incoming.answer()
                        return incoming
                    }
                    return nil
                }
                let call = try await b.call(aURI)
                try await call.waitForAnswer(timeout: .seconds(10))
                let aCall = try #require(await withDeadline(.seconds(5)) { await answering.value } ?? nil)
                try await aCall.waitForAnswer(timeout: .seconds(5))
                #expect(call.direction == .outgoing && aCall.direction == .incoming && aCall.remoteURI.contains("127.0.0.1"))

                let bAudio = try await call.audioStream(), aAudio = try await aCall.audioStream()
                let bTone = toneSender(bAudio, frequency: 1000, amplitude: 8000)
                let aTone = toneSender(aAudio, frequency: 440, amplitude: 8000)
                async let heardAtA = collectVoiced(aAudio, count: 16000)
                async let heardAtB = collectVoiced(bAudio, count: 16000)
                let (atA, atB) = (await heardAtA, await heardAtB)
                bTone.cancel()
                aTone.cancel()
                try #require(atA.count >= 16000 && atB.count >= 16000, "audio did not arrive: \(atA.count) and \(atB.count) samples")
                // Judge the last second: the first frames may hold the jitter buffer's start.
                let lastA = Array(atA.suffix(8000)), lastB = Array(atB.suffix(8000))
                #expect(Tone.dominant(lastA, among: [440, 1000, 2000]) == 1000, "A hears B's 1 kHz")
                #expect(Tone.dominant(lastB, among: [440, 1000, 2000]) == 440, "B hears A's 440 Hz")
                let levelA = Tone.decibels(Tone.rms(lastA) / (8000 / 2.0.squareRoot()))
                let levelB = Tone.decibels(Tone.rms(lastB) / (8000 / 2.0.squareRoot()))
                #expect(abs(levelA) < 1 && abs(levelB) < 1, "levels after G.711: \(levelA) dB at A, \(levelB) dB at B")
                print("tone figures: A hears 1 kHz at \(String(format: "%+.2f", levelA)) dB, B hears 440 Hz at \(String(format: "%+.2f", levelB)) dB")

                try await call.hangup()
                let bEnd = try await call.waitForEnd(), aEnd = try await aCall.waitForEnd()
                #expect(bEnd.wasAnswered && bEnd.isNormal && aEnd.wasAnswered && aEnd.isNormal, "\(bEnd.reason) / \(aEnd.reason)")
                let (bState, aState) = (await call.state, await aCall.state)
                #expect(bState == .terminated && aState == .terminated)
                let mos = try #require(bEnd.statistics?.mos)
                #expect(mos > 4 && (bEnd.statistics?.packetsReceived ?? 0) > 50, "final figures: \(String(describing: bEnd.statistics))")
                print("final figures at B: MOS \(mos), packets \(bEnd.statistics?.packetsReceived ?? 0), loss \(bEnd.statistics?.lossPercent ?? -1) %, jitter \(bEnd.statistics?.jitterMilliseconds ?? -1) ms")

                // The state sequences, as events.
                func states(_ r: Recorder<SIPClientEvent>, _ id: String) -> [CallState] {
                    r.all.compactMap { $0.callStateChanged.flatMap { e in e.callID == id ? e.state : nil } }
                }
                #expect(await bEvents.wait { _ in states(bEvents, call.id).last == .terminated })
                #expect(await aEvents.wait { _ in states(aEvents, aCall.id).last == .terminated })
                #expect(states(bEvents, call.id) == [.dialing, .ringing, .connected, .terminated])
                #expect(states(aEvents, aCall.id) == [.incoming, .connected, .terminated])
                #expect(await call.stateHistory == [.dialing, .ringing, .connected, .terminated])
                #expect(aEvents.all.contains { $0.incomingCall.map { e in e.call === aCall } ?? false })
                #expect(await bEvents.wait { events in
                    events.contains { $0.callQualityReport.map { r in r.callID == call.id && (r.mos ?? 0) > 4 && r.duration != nil } ?? false }
                })
                // The audio streams ended with the call.
                var rest = 0
                for await _ in bAudio { rest += 1 }
                #expect(rest >= 0)
            }
        }

        /// A busy callee: `waitForAnswer` throws the SIP status and reason.
        @Test func busyCalleeMakesWaitForAnswerThrowTheStatus() async throws {
            try await withTwoClients(autoAnswer: false) { a, b, aURI, _ in
                let rejecting = Task {
                    for await incoming in a.incomingCalls {
                        try? await incoming.reject(code: 486)
                        return
                    }
                }
                defer { rejecting.cancel() }
                let call = try await b.call(aURI)
                await #expect {
                    try await call.waitForAnswer(timeout: .seconds(10))
                } throws: { error in
                    guard let error = error as? SIPClientError, error.kind == .callFailed else { return false }
                    return error.callID == call.id && error.sipStatus == 486 && error.failureReason?.contains("486") == true && "\(error)".contains("busy")
                }
                let end = try await call.waitForEnd()
                #expect(end.sipStatus == 486 && !end.wasAnswered)
            }
        }

        /// Auto-answer, DTMF both ways through events, live statistics, and the instance's audio controls.
        @Test func autoAnswerDTMFStatisticsAndAudioControls() async throws {
            try await withTwoClients(autoAnswer: true) { a, b, aURI, _ in
                let aEvents = Recorder(a.events)
                defer { aEvents.stop() }
                let call = try await b.call(aURI)
                try await call.waitForAnswer(timeout: .seconds(10))
                try await call.sendDTMF("1#9")
                func digits() -> [String] { aEvents.all.compactMap { $0.dtmfReceived.map { e in e.digit } } }
                #expect(await aEvents.wait { _ in digits().count >= 3 })
                #expect(digits() == ["1", "#", "9"])
                #expect(await aEvents.wait { events in events.contains { $0.kind == .mediaStatisticsUpdate } })
                let stats = try await call.statistics()
                #expect(stats.callID == call.id && stats.packetsSent > 0 && stats.dtmfSent == 3 && stats.codec == "PCMU")

                let muted = try await a.setMute(true)
                #expect(muted.muted)
                let louder = try await a.setVolume(outputGainDB: -6)
                #expect(louder.outputGainDB == -6 && louder.muted)
                #expect(try await a.audioControls().outputGainDB == -6)
                #expect(await aEvents.wait { events in events.contains { $0.audioLevelChanged.map { l in l.muted } ?? false } })
                await #expect { try await a.setVolume(outputGainDB: 60) } throws: { "\($0)".contains("-40 to 40") }
                await #expect { try await call.sendDTMF("12x") } throws: { "\($0)".contains("0-9") }

                let active = try await a.activeCalls()
                #expect(active.count == 1 && active.first?.direction == .incoming)
                try await call.hangup()
                _ = try await call.waitForEnd()
                // A learns of the end from its own sig, a moment after B: wait for it rather than race it.
                let aCall = try #require(active.first)
                let aEnd = await withDeadline(.seconds(5)) { try? await aCall.waitForEnd() }
                let aState = await aCall.state
                #expect(aEnd != nil && aState == .terminated)
                #expect(try await a.activeCalls().isEmpty)
            }
        }

        /// Codecs and SDP attributes per call (sig's `codecs` / `sdp_attributes`), on the offer and on the answer
        /// (sip-sig's answerer picks by its own order, so an answer's list decides); the jitter buffer bounds reach
        /// the instance as configuration.
        @Test func perCallCodecsAndSDPAttributesReachThePeer() async throws {
            try await withTwoClients(autoAnswer: false, a: { $0.sipTrace(true).jitterBuffer(minMilliseconds: 40, maxMilliseconds: 200) }) { a, b, aURI, _ in
                let answering = Task {
                    var n = 0
                    for await incoming in a.incomingCalls {
                        n += 1
                        // The first call is answered plainly, the second with A-law first.
                        try? await incoming.answer(options: n == 1 ? CallOptions() : CallOptions(codecs: [.pcma, .pcmu]))
                        if n == 2 { return }
                    }
                }
                defer { answering.cancel() }
                let offered = try await b.call(aURI, options: CallOptions(codecs: [.pcma], sdpAttributes: ["a=x-foo:bar"]))
                try await offered.waitForAnswer(timeout: .seconds(10))
                #expect(await offered.codec == "PCMA", "B offered only PCMA")
                let sigLog = a.configuration.runDirectory.componentLog("sig")
                let logged = await withDeadline(.seconds(5)) { () -> Bool in
                    while !Task.isCancelled {
                        if let text = try? String(contentsOfFile: sigLog, encoding: .utf8), text.contains("a=x-foo:bar") { return true }
                        try? await Task.sleep(for: .milliseconds(50))
                    }
                    return false
                }
                #expect(logged == true, "the INVITE A received carries a=x-foo:bar")
                try await offered.hangup()
                _ = try await offered.waitForEnd()

                let answered = try await b.call(aURI)
                try await answered.waitForAnswer(timeout: .seconds(10))
                #expect(await answered.codec == "PCMA", "A answered with PCMA first, although B offered PCMU first")
                try await answered.hangup()
                _ = try await answered.waitForEnd()

                let config = try await InstanceHandleProbe.config(of: a)
                #expect(config["rtp"]?["jitter_min_ms"]?.intValue == 40 && config["rtp"]?["jitter_max_ms"]?.intValue == 200)
            }
        }
    }
}
