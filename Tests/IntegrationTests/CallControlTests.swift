import AudioIO
import Foundation
import Testing
import Wire

extension ProcessGroupTests {
    /// Mid-call control across the real process boundary: hold and resume by re-INVITE (RFC 3264 §8.4), against SIPp
    /// (assertions on the SIP messages) and between two instances (assertions on the audio each side hears).
    @Suite(.serialized) struct CallControlTests {
        /// The `o=` session versions of our SDP bodies, in the order they went out (RFC 3264 §8: +1 per new offer).
        static func ourSDPVersions(_ trace: String) -> [Int] {
            trace.split(whereSeparator: \.isNewline).compactMap { line -> Int? in
                let fields = line.trimmingCharacters(in: .whitespaces).split(separator: " ")
                guard fields.count >= 3, fields[0] == "o=sip-client" else { return nil }
                return Int(fields[2])
            }
        }

        @Test func weHoldAndResumeASippCallWithReInvites() async throws {
            try await withSIPInstance(autoAnswer: false) { instance, events, port in
                try await withPeer({ try .sipp("uas_hold_resume.xml", port: port + 2) }) { sipp in
                    #expect(await PeerProcess.waitForUDP(port + 2))
                    let placed = try await instance.handle.request("call", args: ["to": .string("sip:service@127.0.0.1:\(port + 2)")],
                                                                   timeout: .seconds(10))
                    let call = try #require(placed["call"]?.stringValue)
                    let connected = await events.wait(timeout: .seconds(10)) { $0.type == "call.state" && $0.data["state"]?.stringValue == "connected" }
                    try #require(connected != nil, "the call did not connect")

                    let hold = try instance.sipc(["hold", call, "--json"])
                    #expect(hold.status == 0, "\(hold.stderr)")
                    #expect(try JSONValue.decode(Array(hold.stdout.utf8))["state"]?.stringValue == "held")
                    let listed = try instance.sipc(["calls", "--json"])
                    let entry = try JSONValue.decode(Array(listed.stdout.utf8))["calls"]?.arrayValue?.first { $0["call_id"]?.stringValue == call }
                    #expect(entry?["state"]?.stringValue == "held")
                    // The media worker applied our side of the hold: it sends (hold music or silence) and no longer plays.
                    let updated = await events.wait { $0.type == "media.updated" && $0.data["direction"]?.stringValue == "sendonly" }
                    #expect(updated != nil)

                    let resume = try instance.sipc(["resume", call, "--json"])
                    #expect(resume.status == 0, "\(resume.stderr)")
                    #expect(try JSONValue.decode(Array(resume.stdout.utf8))["state"]?.stringValue == "connected")
                    #expect(await events.wait { $0.type == "media.updated" && $0.data["direction"]?.stringValue == "sendrecv" } != nil)

                    _ = try await instance.handle.request("hangup", args: ["call": .string(call)])
                    #expect(await sipp.exitStatus() == 0, "SIPp's scenario failed:\n\(sipp.file("errors.log").suffix(2000))")
                    let versions = Self.ourSDPVersions(sipp.messages)
                    #expect(versions.count == 3 && versions == versions.sorted() && Set(versions).count == 3, "o= versions \(versions)")
                }
            }
        }

        @Test func holdingACallThatIsNotAnsweredNamesTheProblem() async throws {
            let port = TestPorts.base()
            try await withInstance { instance in
                _ = try await instance.up(SIPInteropTests.flags(port, autoAnswer: false))
                let run = try instance.sipc(["hold", "no-such-call"])
                #expect(run.status == 1)
                #expect(run.stderr.contains("no call 'no-such-call'"), "\(run.stderr)")
            }
        }

        /// A holds B with hold music: B shows `remote-held` and hears the music instead of A's microphone; after the
        /// resume both are `connected` again and B hears A's microphone.
        @Test func theHeldPartyHearsTheHoldMusicAndTheMicrophoneAgainAfterResume() async throws {
            let port = TestPorts.base(), portB = TestPorts.base()
            try await withInstance { a in
                try await withInstance(root: a.root) { b in
                    let aIn = a.root + "/a-in.wav", aOut = a.root + "/a-out.wav", bIn = a.root + "/b-in.wav", bOut = a.root + "/b-out.wav"
                    let music = a.root + "/music.wav"
                    try AudioDeviceTests.writeTone(aIn, frequency: 440, amplitude: 0.25, seconds: 30, rate: 8000, channels: 1)
                    try AudioDeviceTests.writeTone(bIn, frequency: 1000, amplitude: 0.25, seconds: 30, rate: 8000, channels: 1)
                    try AudioDeviceTests.writeTone(music, frequency: 600, amplitude: 0.25, seconds: 2, rate: 8000, channels: 1)
                    _ = try await a.up(MediaFlowTests.flags(port, autoAnswer: false) + ["--audio", "file:\(aIn),\(aOut)", "--hold-music", music]
                                       + AudioDeviceTests.plain)
                    _ = try await b.up(ProcessGroupTests.MediaFlowTests.flags(portB, autoAnswer: true) + ["--audio", "file:\(bIn),\(bOut)"] + AudioDeviceTests.plain)
                    let (aCall, _) = try await ProcessGroupTests.MediaFlowTests.connect(a, to: b, port: portB)
                    let call = try #require(aCall["call_id"]?.stringValue)
                    let bFrames = { (try? await b.handle.request("audio_state"))?["frames_played"]?.intValue ?? 0 }
                    #expect(await eventually(timeout: .seconds(8)) { await bFrames() >= 50 })

                    let held = try await a.handle.request("hold", args: ["call": .string(call)], timeout: .seconds(10))
                    #expect(held["state"]?.stringValue == "held")
                    #expect(try await eventually {
                        try await b.handle.request("calls")["calls"]?.arrayValue?.first?["state"]?.stringValue == "remote-held"
                    })
                    let atHold = await bFrames()
                    #expect(await eventually(timeout: .seconds(8)) { await bFrames() >= atHold + 75 })

                    let resumed = try await a.handle.request("resume", args: ["call": .string(call)], timeout: .seconds(10))
                    #expect(resumed["state"]?.stringValue == "connected")
                    #expect(try await eventually {
                        try await b.handle.request("calls")["calls"]?.arrayValue?.first?["state"]?.stringValue == "connected"
                    })
                    let atResume = await bFrames()
                    #expect(await eventually(timeout: .seconds(8)) { await bFrames() >= atResume + 75 })
                    _ = try await a.handle.request("hangup", args: ["all": true])
                    #expect(await eventually { (try? await b.handle.request("audio_state"))?["open"]?.boolValue == false })

                    // What B heard, in order: A's 440 Hz, then the 600 Hz hold music, then 440 Hz again.
                    let heard = Tone.withoutSilentFrames(try WAVFile.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: bOut)))).samples)
                    let windows = stride(from: 0, to: heard.count - 1599, by: 800).map { Tone.dominant(Array(heard[$0..<$0 + 1600]), among: [440, 600, 1000]) }
                    var runs: [Double] = []
                    for f in windows.compactMap({ $0 }) where runs.last != f { runs.append(f) }
                    #expect(runs.first == 440 && runs.last == 440 && runs.contains(600), "B heard \(runs)")
                    #expect(!runs.contains(1000), "B heard its own microphone: \(runs)")
                }
            }
        }
    }
}

extension ProcessGroupTests.CallControlTests {
    @Test func dtmfBySIPInfoIsSentInOrderToSipp() async throws {
        try await withSIPInstance(autoAnswer: false) { instance, events, port in
            try await withPeer({ try .sipp("uas_info_dtmf.xml", port: port + 2) }) { sipp in
                #expect(await PeerProcess.waitForUDP(port + 2))
                let placed = try await instance.handle.request("call", args: ["to": .string("sip:service@127.0.0.1:\(port + 2)")], timeout: .seconds(10))
                let call = try #require(placed["call"]?.stringValue)
                try #require(await events.wait(timeout: .seconds(10)) { $0.type == "call.state" && $0.data["state"]?.stringValue == "connected" } != nil)
                let run = try instance.sipc(["dtmf", call, "4#", "--info"])
                #expect(run.status == 0 && run.stdout.contains("queued 2 digits"), "\(run.stdout) \(run.stderr)")
                // Both INFOs answered before the hangup: SIPp's scenario has them in order before the BYE.
                #expect(await eventually { sipp.messages.components(separatedBy: "INFO sip:").count - 1 == 2
                                           && sipp.messages.components(separatedBy: "CSeq: 3 INFO").count > 2 })
                _ = try await instance.handle.request("hangup", args: ["call": .string(call)])
                #expect(await sipp.exitStatus() == 0, "SIPp's scenario failed:\n\(sipp.file("errors.log").suffix(2000))")
            }
        }
    }

    @Test func dtmfBySIPInfoFromSippIsReportedAndOtherInfoBodiesGet415() async throws {
        try await withSIPInstance(autoAnswer: true) { instance, events, port in
            try await withPeer({ try .sipp("uac_info_dtmf.xml", port: port + 2, target: "127.0.0.1:\(port)") }) { sipp in
                #expect(await sipp.exitStatus() == 0, "SIPp's scenario failed:\n\(sipp.file("errors.log").suffix(2000))")
            }
            let received = events.all.filter { $0.type == "dtmf.received" }
            #expect(received.compactMap { $0.data["digit"]?.stringValue } == ["5", "#", "7"])
            #expect(received.allSatisfy { $0.data["method"]?.stringValue == "info" })
            #expect(received.first?.data["duration_ms"]?.intValue == 160)
        }
    }

    @Test func dtmfBySIPInfoBetweenTwoInstances() async throws {
        let port = TestPorts.base(), portB = TestPorts.base()
        try await withInstance { a in
            try await withInstance(root: a.root) { b in
                _ = try await a.up(ProcessGroupTests.MediaFlowTests.flags(port, autoAnswer: true))
                _ = try await b.up(ProcessGroupTests.MediaFlowTests.flags(portB, autoAnswer: false))
                let events = try await EventRecorder(a)
                defer { events.stop() }
                let (bCall, _) = try await ProcessGroupTests.MediaFlowTests.connect(b, to: a, port: port)
                let run = try b.sipc(["dtmf", try #require(bCall["call_id"]?.stringValue), "9*0D", "--info"])
                #expect(run.status == 0, "\(run.stderr)")
                #expect(await eventually { events.all.filter { $0.type == "dtmf.received" }.count >= 4 })
                let received = events.all.filter { $0.type == "dtmf.received" }
                #expect(received.compactMap { $0.data["digit"]?.stringValue } == ["9", "*", "0", "D"])
                #expect(received.allSatisfy { $0.data["method"]?.stringValue == "info" })
                let bad = try b.sipc(["dtmf", try #require(bCall["call_id"]?.stringValue), "12x", "--info"])
                #expect(bad.status == 1 && bad.stderr.contains("digits must be 0-9, *, #, A-D"), "\(bad.stderr)")
            }
        }
    }
}

/// Hold, resume and DTMF against headless baresip (Debian's baresip-core), both directions.
extension ProcessGroupTests.CallControlTests {
    @Test func weHoldAndResumeBaresipAndSendItDTMFBothWays() async throws {
        try await ProcessGroupTests.SIPInteropTests.withAnsweringBaresip { instance, uri, logPath in
            let events = try await EventRecorder(instance)
            defer { events.stop() }
            let placed = try await instance.handle.request("call", args: ["to": .string(uri)], timeout: .seconds(10))
            let call = try #require(placed["call"]?.stringValue)
            try #require(await events.wait(timeout: .seconds(10)) { $0.type == "call.state" && $0.data["state"]?.stringValue == "connected" } != nil)
            let hold = try instance.sipc(["hold", call, "--json"])
            #expect(hold.status == 0 && hold.stdout.contains("\"held\""), "\(hold.stdout) \(hold.stderr)")
            let resume = try instance.sipc(["resume", call, "--json"])
            #expect(resume.status == 0 && resume.stdout.contains("\"connected\""), "\(resume.stdout) \(resume.stderr)")
            let rtp = try instance.sipc(["dtmf", call, "3"])
            #expect(rtp.status == 0, "\(rtp.stderr)")
            let info = try instance.sipc(["dtmf", call, "8", "--info"])
            #expect(info.status == 0, "\(info.stderr)")
            let log = { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
            // baresip reports both digits it received (RFC 4733 and INFO) in its log.
            #expect(await eventually(timeout: .seconds(5)) { log().contains("'3'") && log().contains("'8'") }, "\(log().suffix(3000))")
            _ = try await instance.handle.request("hangup", args: ["call": .string(call)])
            let text = log()
            // Our re-INVITEs as baresip saw them, and its answers: sendonly -> recvonly, then sendrecv again.
            #expect(text.contains("a=sendonly") && text.contains("a=recvonly"), "\(text.suffix(4000))")
            #expect(text.contains("application/dtmf-relay") && text.contains("Signal=8"))
        }
    }

    @Test func baresipHoldsAndResumesUsAndSendsDTMF() async throws {
        try await withSIPInstance(autoAnswer: true) { instance, events, port in
            let logPath = instance.root + "/baresip.log"
            try await withPeer({ try .baresip(["--mode", "dial", "--port", String(port + 20), "--dial", "sip:bob@127.0.0.1:\(port)",
                                               "--after-established", "0.5:hold", "--after-established", "1.5:resume",
                                               "--after-established", "2:sndcode:7", "--hangup-after", "3.5",
                                               "--quit-after-call", "--log", logPath]) }) { baresip in
                let held = await events.wait(timeout: .seconds(15)) { $0.type == "call.state" && $0.data["state"]?.stringValue == "remote-held" }
                #expect(held != nil, "\((try? String(contentsOfFile: logPath, encoding: .utf8))?.suffix(3000) ?? "")")
                #expect(["recvonly", "inactive"].contains(held?.data["remote_media"]?["direction"]?.stringValue ?? ""))
                let resumed = await events.wait(timeout: .seconds(10)) {
                    $0.type == "call.state" && $0.data["state"]?.stringValue == "connected" && $0.seq > (held?.seq ?? 0)
                }
                #expect(resumed?.data["remote_media"]?["direction"]?.stringValue == "sendrecv")
                let digit = await events.wait(timeout: .seconds(10)) { $0.type == "dtmf.received" }
                #expect(digit?.data["digit"]?.stringValue == "7" && digit?.data["method"]?.stringValue == "rfc4733")
                let ended = await events.wait(timeout: .seconds(15)) { $0.type == "call.state" && $0.data["state"]?.stringValue == "terminated" }
                #expect(ended?.data["reason"]?.stringValue == "remote hangup")
                _ = await baresip.exitStatus(timeout: .seconds(15))
            }
        }
    }
}

/// The local three-way conference: A joins its calls to B and C; B hears A and C, C hears A and B; A hangs up C and
/// keeps B.
extension ProcessGroupTests.CallControlTests {
    /// 0.2 s windows of `samples` in which both tones are present (the weaker within 15 dB of the stronger).
    static func windowsWithBoth(_ samples: [Int16], _ f1: Double, _ f2: Double) -> Int {
        stride(from: 0, to: samples.count - 1599, by: 800).filter { i in
            let w = Array(samples[i..<i + 1600])
            let p1 = Tone.power(w, frequency: f1), p2 = Tone.power(w, frequency: f2)
            return min(p1, p2) > max(p1, p2) / 31.6 && max(p1, p2) > 1e9
        }.count
    }

    @Test func threeWayConferenceEveryoneHearsTheOtherTwo() async throws {
        let portA = TestPorts.base(), portB = TestPorts.base(), portC = TestPorts.base()
        let flags = ProcessGroupTests.MediaFlowTests.flags
        let plain = ProcessGroupTests.AudioDeviceTests.plain
        try await withInstance { a in
            try await withInstance(root: a.root) { b in
                try await withInstance(root: a.root) { c in
                    let files = ["a": 600.0, "b": 440.0, "c": 1000.0]
                    for (name, f) in files {
                        try ProcessGroupTests.AudioDeviceTests.writeTone(a.root + "/\(name)-in.wav", frequency: f, amplitude: 0.2, seconds: 30, rate: 8000, channels: 1)
                    }
                    let audio = { (n: String) in ["--audio", "file:\(a.root)/\(n)-in.wav,\(a.root)/\(n)-out.wav"] + plain }
                    _ = try await a.up(flags(portA, false) + audio("a"))
                    _ = try await b.up(flags(portB, true) + audio("b"))
                    _ = try await c.up(flags(portC, true) + audio("c"))
                    let toB = try #require(try await a.handle.request("call", args: ["to": .string("sip:bob@127.0.0.1:\(portB)")], timeout: .seconds(10))["call"]?.stringValue)
                    let toC = try #require(try await a.handle.request("call", args: ["to": .string("sip:carol@127.0.0.1:\(portC)")], timeout: .seconds(10))["call"]?.stringValue)
                    #expect(try await eventually(timeout: .seconds(10)) {
                        (try await a.handle.request("calls")["calls"]?.arrayValue ?? []).filter { $0["state"]?.stringValue == "connected" }.count == 2
                    })
                    _ = try await a.handle.request("hold", args: ["call": .string(toB)], timeout: .seconds(10))
                    let run = try a.sipc(["conference", toB, toC])
                    #expect(run.status == 0 && run.stdout.contains("conference:"), "\(run.stdout) \(run.stderr)")
                    #expect(try await a.handle.request("audio_state")["conference"]?.arrayValue?.count == 2)
                    let frames = { (i: TestInstance) in (try? await i.handle.request("audio_state"))?["frames_played"]?.intValue ?? 0 }
                    let (b0, c0) = (await frames(b), await frames(c))
                    #expect(await eventually(timeout: .seconds(8)) {
                        let (fb, fc) = (await frames(b), await frames(c))
                        return fb >= b0 + 100 && fc >= c0 + 100
                    })
                    // Drop C: B stays, and the conference is over.
                    _ = try await a.handle.request("hangup", args: ["call": .string(toC)])
                    #expect(try await eventually { (try await a.handle.request("audio_state")["conference"]?.arrayValue ?? [.null]).isEmpty })
                    #expect(try await a.handle.request("calls")["calls"]?.arrayValue?.first?["state"]?.stringValue == "connected")
                    _ = try await a.handle.request("hangup", args: ["all": true])
                    #expect(await eventually {
                        let (sb, sc) = (try? await b.handle.request("audio_state"), try? await c.handle.request("audio_state"))
                        return sb?["open"]?.boolValue == false && sc?["open"]?.boolValue == false
                    })
                    let heard = { (n: String) in
                        Tone.withoutSilentFrames(try WAVFile.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: a.root + "/\(n)-out.wav")))).samples)
                    }
                    // B heard A (600) and C (1000) at once; C heard A and B (440); neither heard itself.
                    let (bHeard, cHeard) = (try heard("b"), try heard("c"))
                    let bBoth = Self.windowsWithBoth(bHeard, 600, 1000), cBoth = Self.windowsWithBoth(cHeard, 600, 440)
                    #expect(bBoth >= 5 && cBoth >= 5, "windows with both tones: B \(bBoth), C \(cBoth)")
                    let bSelf = Self.windowsWithBoth(bHeard, 600, 440), cSelf = Self.windowsWithBoth(cHeard, 600, 1000)
                    #expect(bSelf == 0 && cSelf == 0, "windows with their own tone: B \(bSelf), C \(cSelf)")
                }
            }
        }
    }
}

extension ProcessGroupTests.CallControlTests {
    /// Call waiting: C calls A while A talks to B; answering C holds B; resuming B holds C (switching).
    @Test func callWaitingAnswerHoldsTheCurrentCallAndResumeSwitchesBack() async throws {
        try await withThreeInstances(autoAnswer: (false, true, false)) { a, b, c, ports in
            let (portA, portB) = (ports.a, ports.b)
            let toB = try #require(try await a.handle.request("call", args: ["to": .string("sip:bob@127.0.0.1:\(portB)")], timeout: .seconds(10))["call"]?.stringValue)
            let state = { (call: String) async -> String? in
                (try? await a.handle.request("calls"))?["calls"]?.arrayValue?.first { $0["call_id"]?.stringValue == call }?["state"]?.stringValue
            }
            #expect(await eventually(timeout: .seconds(10)) { await state(toB) == "connected" })
            _ = try await c.handle.request("call", args: ["to": .string("sip:alice@127.0.0.1:\(portA)")], timeout: .seconds(10))
            var fromC: String?
            #expect(await eventually(timeout: .seconds(10)) {
                fromC = (try? await a.handle.request("calls"))?["calls"]?.arrayValue?.first { $0["state"]?.stringValue == "incoming" }?["call_id"]?.stringValue
                return fromC != nil
            })
            let waiting = try #require(fromC)
            let answer = try a.sipc(["answer", waiting])
            #expect(answer.status == 0, "\(answer.stderr)")
            #expect(await eventually(timeout: .seconds(10)) {
                let (w, held) = (await state(waiting), await state(toB))
                return w == "connected" && held == "held"
            })
            let resume = try a.sipc(["resume", toB, "--json"])
            #expect(resume.status == 0 && resume.stdout.contains("\"connected\""), "\(resume.stdout) \(resume.stderr)")
            #expect(await eventually(timeout: .seconds(10)) {
                let (back, held) = (await state(toB), await state(waiting))
                return back == "connected" && held == "held"
            })
            // sip-audio carries only the call being talked in.
            let attached = try await a.handle.request("audio_state")["calls"]?.arrayValue?.compactMap { $0["call"]?.stringValue }
            #expect(attached == [toB])
            _ = try await a.handle.request("hangup", args: ["all": true])
        }
    }
}

extension ProcessGroupTests.CallControlTests {
    /// A records its call with B: stereo holds A's microphone (440 Hz) on the left and B's (1000 Hz) on the right;
    /// mixed holds both in one channel.
    @Test func recordingACallStereoAndMixed() async throws {
        let port = TestPorts.base(), portB = TestPorts.base()
        let plain = ProcessGroupTests.AudioDeviceTests.plain
        try await withInstance { a in
            try await withInstance(root: a.root) { b in
                for (name, f) in [("a", 440.0), ("b", 1000.0)] {
                    try ProcessGroupTests.AudioDeviceTests.writeTone(a.root + "/\(name)-in.wav", frequency: f, amplitude: 0.2, seconds: 30, rate: 8000, channels: 1)
                }
                _ = try await a.up(ProcessGroupTests.MediaFlowTests.flags(port, autoAnswer: false) + ["--audio", "file:\(a.root)/a-in.wav,\(a.root)/a-out.wav"] + plain)
                _ = try await b.up(ProcessGroupTests.MediaFlowTests.flags(portB, autoAnswer: true) + ["--audio", "file:\(a.root)/b-in.wav,\(a.root)/b-out.wav"] + plain)
                let (aCall, _) = try await ProcessGroupTests.MediaFlowTests.connect(a, to: b, port: portB)
                let call = try #require(aCall["call_id"]?.stringValue)
                let stereo = a.root + "/rec-stereo.wav", mixed = a.root + "/rec-mixed.wav"
                for (path, extra) in [(stereo, [String]()), (mixed, ["--mixed"])] {
                    let start = try a.sipc(["record", call, path] + extra)
                    #expect(start.status == 0, "\(start.stderr)")
                    let again = try a.sipc(["record", call, path + ".2"])
                    #expect(again.status == 1 && again.stderr.contains("already"), "\(again.stderr)")
                    let stats = { (try? await a.handle.request("call_stats", args: ["call": .string(call)]))?["frames_played"]?.intValue ?? 0 }
                    let f0 = await stats()
                    #expect(await eventually(timeout: .seconds(8)) { await stats() >= f0 + 100 })
                    let stop = try a.sipc(["record", "--stop", call])
                    #expect(stop.status == 0 && stop.stdout.contains("recorded"), "\(stop.stdout) \(stop.stderr)")
                }
                let s = try WAVFile.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: stereo))))
                #expect(s.channels == 2 && s.sampleRate == 8000 && s.samples.count >= 2 * 8000 * 2 - 2 * 1600)
                let left = stride(from: 0, to: s.samples.count, by: 2).map { s.samples[$0] }
                let right = stride(from: 1, to: s.samples.count, by: 2).map { s.samples[$0] }
                let tailL = Array(Tone.withoutSilentFrames(left).suffix(8000)), tailR = Array(Tone.withoutSilentFrames(right).suffix(8000))
                #expect(Tone.dominant(tailL, among: [440, 1000]) == 440 && Tone.dominant(tailR, among: [440, 1000]) == 1000)
                let m = try WAVFile.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: mixed))))
                #expect(m.channels == 1 && Self.windowsWithBoth(m.samples, 440, 1000) >= 5)
                let none = try a.sipc(["record", "--stop", call])
                #expect(none.status == 1 && none.stderr.contains("not being recorded"), "\(none.stderr)")
                _ = try await a.handle.request("hangup", args: ["all": true])
            }
        }
    }
}

/// RFC 3262 (100rel/PRACK) and RFC 4028 (session timers) against SIPp, in both roles. The session interval is 4 s
/// (sip.min_se lowered to 2 for the test; RFC 4028's floor of 90 s would make the test last minutes).
extension ProcessGroupTests.CallControlTests {
    static func timerFlags(_ port: Int, autoAnswer: Bool) -> [String] {
        ProcessGroupTests.SIPInteropTests.flags(port, autoAnswer: autoAnswer) + ["--set", "sip.min_se=2"]
    }

    @Test func wePrackAReliable180AndRefreshTheSessionWeWereGiven() async throws {
        let port = TestPorts.base()
        try await withInstance { instance in
            _ = try await instance.up(Self.timerFlags(port, autoAnswer: false))
            try await withPeer({ try .sipp("uas_100rel_timer.xml", port: port + 2) }) { sipp in
                #expect(await PeerProcess.waitForUDP(port + 2))
                let placed = try await instance.handle.request("call", args: ["to": .string("sip:service@127.0.0.1:\(port + 2)")], timeout: .seconds(10))
                let call = try #require(placed["call"]?.stringValue)
                // The refresh re-INVITE comes 2 s after the answer (half of 4 s).
                #expect(await eventually(timeout: .seconds(6)) { sipp.messages.contains("CSeq: 3 INVITE") }, "\(sipp.messages.suffix(3000))")
                #expect(await eventually { sipp.messages.components(separatedBy: "CSeq: 3 ACK").count > 1 })
                _ = try await instance.handle.request("hangup", args: ["call": .string(call)])
                #expect(await sipp.exitStatus() == 0, "SIPp's scenario failed:\n\(sipp.file("errors.log").suffix(2000))")
                #expect(sipp.messages.contains("RAck: 7 1 INVITE"))
            }
        }
    }

    @Test func aCallerRequiring100relGetsAReliable180AndAnExpiredSessionIsEnded() async throws {
        let port = TestPorts.base()
        try await withInstance { instance in
            _ = try await instance.up(Self.timerFlags(port, autoAnswer: false))
            let events = try await EventRecorder(instance)
            defer { events.stop() }
            try await withPeer({ try .sipp("uac_100rel_timer.xml", port: port + 2, target: "127.0.0.1:\(port)") }) { sipp in
                // Answer once SIPp has our PRACK's 200 (its scenario expects it before the INVITE's 200).
                #expect(await eventually(timeout: .seconds(10)) { sipp.messages.components(separatedBy: "CSeq: 2 PRACK").count > 2 }, "\(sipp.messages.suffix(3000))")
                let answer = try instance.sipc(["answer"])
                #expect(answer.status == 0, "\(answer.stderr)")
                #expect(await sipp.exitStatus() == 0, "SIPp's scenario failed:\n\(sipp.file("errors.log").suffix(2000))\n\(sipp.messages.suffix(3000))")
                #expect(sipp.messages.contains("Require: 100rel") && sipp.messages.contains("RSeq: "))
            }
            let ended = await events.wait { $0.type == "call.state" && $0.data["state"]?.stringValue == "terminated" }
            #expect(ended?.data["reason"]?.stringValue == "session timer expired (RFC 4028)")
        }
    }

    @Test func anINVITEAskingForATooShortSessionGets422WithMinSE() async throws {
        let port = TestPorts.base()
        try await withInstance { instance in
            _ = try await instance.up(ProcessGroupTests.SIPInteropTests.flags(port, autoAnswer: true))
            // uac_100rel_timer asks for 4 s; with the default Min-SE of 90 the INVITE is refused.
            try await withPeer({ try .sipp("uac_100rel_timer.xml", port: port + 2, target: "127.0.0.1:\(port)") }) { sipp in
                _ = await sipp.exitStatus()
                #expect(sipp.messages.contains("SIP/2.0 422") && sipp.messages.contains("Min-SE: 90"), "\(sipp.messages.suffix(2000))")
            }
        }
    }
}

extension ProcessGroupTests.CallControlTests {
    /// sip-sig killed during a call whose session we refresh: the restarted sig takes the timer back from orch's
    /// snapshot and sends the refresh, so the peer does not let the session expire.
    @Test func aRestartedSigKeepsRefreshingTheSession() async throws {
        let port = TestPorts.base()
        try await withInstance { instance in
            _ = try await instance.up(Self.timerFlags(port, autoAnswer: false))
            let events = try await EventRecorder(instance)
            defer { events.stop() }
            try await withPeer({ try .sipp("uas_100rel_timer.xml", port: port + 2) }) { sipp in
                #expect(await PeerProcess.waitForUDP(port + 2))
                let placed = try await instance.handle.request("call", args: ["to": .string("sip:service@127.0.0.1:\(port + 2)")], timeout: .seconds(10))
                let call = try #require(placed["call"]?.stringValue)
                try #require(await events.wait { $0.type == "call.state" && $0.data["state"]?.stringValue == "connected" } != nil)
                let sig = try await instance.pid(of: "sig")
                kill(sig, SIGKILL)
                #expect(await eventually(timeout: .seconds(5)) {
                    let pid = (try? await instance.status()).flatMap { instance.component("sig", in: $0)?.pid.map(Int.init) }
                    return pid != nil && pid != Int(sig)
                })
                // The refresh comes from the new sig (its CSeq continues past the old one's).
                #expect(await eventually(timeout: .seconds(6)) { sipp.messages.contains("refresher=uac") && sipp.messages.range(of: #"CSeq: 1[0-9][0-9] INVITE"#, options: .regularExpression) != nil },
                        "\(sipp.messages.suffix(2000))")
                _ = try await instance.handle.request("hangup", args: ["call": .string(call)])
                #expect(await sipp.exitStatus() == 0, "SIPp's scenario failed:\n\(sipp.file("errors.log").suffix(2000))")
            }
        }
    }
}

extension ProcessGroupTests.CallControlTests {
    /// Call waiting against SIPp: answering the second caller holds the first (re-INVITE a=sendonly on the wire);
    /// switching back resumes the first (a=sendrecv) and holds the second.
    @Test func callWaitingAndSwitchingAgainstTwoSippCallers() async throws {
        let port = TestPorts.base()
        try await withInstance { instance in
            _ = try await instance.up(ProcessGroupTests.SIPInteropTests.flags(port, autoAnswer: false))
            let incoming = { () async -> String? in
                (try? await instance.handle.request("calls"))?["calls"]?.arrayValue?.first { $0["state"]?.stringValue == "incoming" }?["call_id"]?.stringValue
            }
            try await withPeer({ try .sipp("uac_held_resumed.xml", port: port + 2, target: "127.0.0.1:\(port)") }) { first in
                var firstCall: String?
                #expect(await eventually(timeout: .seconds(10)) { firstCall = await incoming(); return firstCall != nil })
                #expect(try instance.sipc(["answer", try #require(firstCall)]).status == 0)
                try await withPeer({ try .sipp("uac_held.xml", port: port + 6, target: "127.0.0.1:\(port)") }) { second in
                    var secondCall: String?
                    #expect(await eventually(timeout: .seconds(10)) { secondCall = await incoming(); return secondCall != nil })
                    let answer = try instance.sipc(["answer", try #require(secondCall)])
                    #expect(answer.status == 0, "\(answer.stderr)")
                    let resume = try instance.sipc(["resume", try #require(firstCall), "--json"])
                    #expect(resume.status == 0 && resume.stdout.contains("\"connected\""), "\(resume.stdout) \(resume.stderr)")
                    let states = try await instance.handle.request("calls")["calls"]?.arrayValue ?? []
                    #expect(states.first { $0["call_id"]?.stringValue == secondCall }?["state"]?.stringValue == "held")
                    _ = try await instance.handle.request("hangup", args: ["all": true])
                    #expect(await second.exitStatus() == 0, "second caller: \(second.file("errors.log").suffix(1500))")
                }
                #expect(await first.exitStatus() == 0, "first caller: \(first.file("errors.log").suffix(1500))")
            }
        }
    }
}

extension ProcessGroupTests.CallControlTests {
    @Test func anUPDATEWithAnOfferHoldsTheCallLikeAReInvite() async throws {
        try await withSIPInstance(autoAnswer: true) { instance, events, port in
            try await withPeer({ try .sipp("uac_update_sendonly.xml", port: port + 2, target: "127.0.0.1:\(port)") }) { sipp in
                #expect(await sipp.exitStatus() == 0, "\(sipp.file("errors.log").suffix(1500))")
                #expect(sipp.messages.contains("a=recvonly"))
            }
            let held = await events.wait { $0.type == "call.state" && $0.data["state"]?.stringValue == "remote-held" }
            #expect(held?.data["remote_media"]?["direction"]?.stringValue == "recvonly")
            #expect(await events.wait { $0.type == "media.updated" && $0.data["direction"]?.stringValue == "recvonly" } != nil)
        }
    }
}

extension ProcessGroupTests.CallControlTests {
    /// Recording a call with a third-party peer: SIPp echoes our RTP, so the right channel (what we hear) carries our
    /// own 440 Hz microphone back, the left (what we send) the same tone.
    @Test func recordingACallWithSippEchoingOurAudio() async throws {
        let port = TestPorts.base()
        try await withInstance { instance in
            let mic = instance.root + "/mic.wav"
            try ProcessGroupTests.AudioDeviceTests.writeTone(mic, frequency: 440, amplitude: 0.2, seconds: 30, rate: 8000, channels: 1)
            _ = try await instance.up(ProcessGroupTests.SIPInteropTests.flags(port, autoAnswer: false) + ["--audio", "file:\(mic)"]
                                      + ProcessGroupTests.AudioDeviceTests.plain)
            try await withPeer({ try .sipp("uas_answer.xml", port: port + 2, extra: ["-rtp_echo"]) }) { sipp in
                #expect(await PeerProcess.waitForUDP(port + 2))
                let call = try #require(try await instance.handle.request("call", args: ["to": .string("sip:service@127.0.0.1:\(port + 2)")], timeout: .seconds(10))["call"]?.stringValue)
                let path = instance.root + "/echo-recording.wav"
                #expect(try await eventually(timeout: .seconds(10)) {
                    try await instance.handle.request("calls")["calls"]?.arrayValue?.first?["state"]?.stringValue == "connected"
                })
                _ = try await instance.handle.request("record", args: ["call": .string(call), "path": .string(path)])
                let played = { (try? await instance.handle.request("call_stats", args: ["call": .string(call)]))?["frames_played"]?.intValue ?? 0 }
                let f0 = await played()
                #expect(await eventually(timeout: .seconds(8)) { await played() >= f0 + 75 })
                let stopped = try await instance.handle.request("record", args: ["call": .string(call), "stop": true])
                #expect((stopped["seconds"]?.doubleValue ?? 0) >= 1)
                _ = try await instance.handle.request("hangup", args: ["call": .string(call)])
                #expect(await sipp.exitStatus() == 0)
                let wav = try WAVFile.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
                let right = stride(from: 1, to: wav.samples.count, by: 2).map { wav.samples[$0] }
                let heard = Array(Tone.withoutSilentFrames(right).suffix(4000))
                #expect(heard.count >= 4000 && Tone.dominant(heard, among: [440, 1000, 2000]) == 440, "the echo of our tone in the right channel")
            }
        }
    }
}

/// An instance for a test against SIP peers: SIP on the next port block's first port, an event recorder, stopped
/// afterwards. SIPp peers go on `port + 2`, `port + 6` (their media ports must not overlap: +10 and +12 each).
func withSIPInstance(autoAnswer: Bool, extra: [String] = [], _ body: (TestInstance, EventRecorder, Int) async throws -> Void) async throws {
    let port = TestPorts.base()
    try await withInstance { instance in
        _ = try await instance.up(ProcessGroupTests.SIPInteropTests.flags(port, autoAnswer: autoAnswer) + extra)
        let events = try await EventRecorder(instance)
        defer { events.stop() }
        try await body(instance, events, port)
    }
}

/// Three instances side by side (A, B, C) on their own port blocks, each started with MediaFlowTests' flags and
/// the auto-answer choice given; `body` gets them and their SIP ports.
func withThreeInstances(autoAnswer: (Bool, Bool, Bool),
                        _ body: (TestInstance, TestInstance, TestInstance, (a: Int, b: Int, c: Int)) async throws -> Void) async throws {
    let ports = (a: TestPorts.base(), b: TestPorts.base(), c: TestPorts.base())
    let flags = ProcessGroupTests.MediaFlowTests.flags
    try await withInstance { a in
        try await withInstance(root: a.root) { b in
            try await withInstance(root: a.root) { c in
                _ = try await a.up(flags(ports.a, autoAnswer.0))
                _ = try await b.up(flags(ports.b, autoAnswer.1))
                _ = try await c.up(flags(ports.c, autoAnswer.2))
                try await body(a, b, c, ports)
            }
        }
    }
}
