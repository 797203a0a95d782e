import Bus
import Foundation
import Synchronization
import Testing
import Timebase
import Wire

extension ProcessGroupTests {
    /// Calls survive the crash of the components that carry them: orch hands a restarted component its share of
    /// the calls back (issue 7). The gap is measured on the audio the far end receives.
    @Suite(.serialized) struct RestartSurvivalTests {
        @Test func aMediaWorkerKilledMidCallComesBackWithTheCallAndTheSameRTPStream() async throws {
            let port = TestPorts.base(), portB = TestPorts.base()
            try await withInstance { a in
                try await withInstance(root: a.root) { b in
                    _ = try await a.up(MediaFlowTests.flags(port, autoAnswer: true))
                    _ = try await b.up(MediaFlowTests.flags(portB, autoAnswer: false))
                    let (bCall, aCall) = try await MediaFlowTests.connect(b, to: a, port: port)
                    let callID = try #require(bCall["call_id"]?.stringValue)
                    let meter = try GapMeter(address: a.endpoints.mediaTaps(worker: "rtp-1"), stream: try #require(aCall["streams"]?["playback"]?.intValue))
                    let source = try ToneInjector(b, stream: try #require(bCall["streams"]?["capture"]?.intValue), frequency: 1000, amplitude: 8000)
                    defer { meter.stop(); source.stop() }
                    #expect(await eventually { meter.voicedFrames >= 25 }, "the tone flows before the crash")
                    let before = try await b.handle.request("call_stats", args: ["call": .string(callID)])
                    let ssrc = try #require(before["rtp_state"]?["ssrc"]?.doubleValue)

                    let victim = try await b.pid(of: "rtp-1")
                    let standby = try await b.pid(of: "rtp-standby-1")
                    let killedAt = MonotonicClock.now()
                    kill(victim, SIGKILL)
                    #expect(await eventually(timeout: .seconds(5)) {
                        guard let s = try? await b.status(), let c = b.component("rtp-1", in: s) else { return false }
                        return c.state == "up" && c.pid.map { $0 != victim } == true
                    })
                    // The warm standby took over (no process start), and a new standby replaces it.
                    #expect(try await b.pid(of: "rtp-1") == standby)
                    #expect(await eventually(timeout: .seconds(5)) {
                        guard let s = try? await b.status(), let c = b.component("rtp-standby-1", in: s) else { return false }
                        return c.state == "up" && c.pid.map { $0 != standby } == true
                    })
                    let log = (try? String(contentsOfFile: b.runDirectory.componentLog("rtp-1"), encoding: .utf8)) ?? ""
                    #expect(log.contains("pid=\(standby)"), "the promoted process logs to rtp-1.log")
                    // Audio comes back at the far end; the gap is what the listener heard missing.
                    #expect(await eventually(timeout: .seconds(5)) { meter.voicedFrames(after: killedAt) >= 25 })
                    let gap = meter.longestGap(after: killedAt - .milliseconds(100))
                    print("rtp worker restart: audio gap \(gap) at the far end")
                    #expect(gap < .milliseconds(300), "gap \(gap)")

                    // The same RTP stream continues (same SSRC), on the same local port; no SIP failure on either side.
                    let after = try await b.handle.request("call_stats", args: ["call": .string(callID)])
                    #expect(after["rtp_state"]?["ssrc"]?.doubleValue == ssrc)
                    #expect(after["local_port"]?.intValue == bCall["media_port"]?.intValue)
                    let aNow = try await a.handle.request("calls")["calls"]?.arrayValue?.first
                    let bNow = try await b.handle.request("calls")["calls"]?.arrayValue?.first
                    #expect(aNow?["state"]?.stringValue == "connected" && bNow?["state"]?.stringValue == "connected")
                    let aStats = try await a.handle.request("call_stats", args: ["call": .string(try #require(aCall["call_id"]?.stringValue))])
                    #expect((aStats["wrong_source"]?.intValue ?? 0) == 0, "the peer saw no foreign stream")
                    _ = try await b.handle.request("hangup", args: ["all": true])
                    #expect(await eventually {
                        let calls = try? await a.handle.request("calls")
                        return calls?["calls"]?.arrayValue?.isEmpty == true
                    }, "the BYE after the restart ends the call on both sides")
                }
            }
        }

        @Test func sipAudioKilledMidCallKeepsTheCallAndItsAudioComesBack() async throws {
            let port = TestPorts.base(), portB = TestPorts.base()
            try await withInstance { a in
                try await withInstance(root: a.root) { b in
                    let mic = a.root + "/mic.wav"
                    try AudioDeviceTests.writeTone(mic, frequency: 440, amplitude: 0.25, seconds: 30, rate: 8000, channels: 1)
                    _ = try await a.up(MediaFlowTests.flags(port, autoAnswer: true))
                    _ = try await b.up(MediaFlowTests.flags(portB, autoAnswer: false) + ["--audio", "file:\(mic)"] + AudioDeviceTests.plain)
                    let (bCall, aCall) = try await MediaFlowTests.connect(b, to: a, port: port)
                    let meter = try GapMeter(address: a.endpoints.mediaTaps(worker: "rtp-1"), stream: try #require(aCall["streams"]?["playback"]?.intValue))
                    defer { meter.stop() }
                    #expect(await eventually { meter.voicedFrames >= 25 }, "b's microphone file reaches a")
                    let victim = try await b.pid(of: "audio")
                    let killedAt = MonotonicClock.now()
                    kill(victim, SIGKILL)
                    #expect(await eventually(timeout: .seconds(5)) { meter.voicedFrames(after: killedAt + .milliseconds(50)) >= 25 },
                            "the microphone comes back once sip-audio is restarted and the call re-attached")
                    let gap = meter.longestGap(after: killedAt - .milliseconds(100))
                    print("sip-audio restart: audio gap \(gap) at the far end")
                    #expect(gap < .milliseconds(2000), "gap \(gap)")
                    let bState = try await b.handle.request("audio_state")
                    #expect(bState["calls"]?.arrayValue?.count == 1 && bState["open"]?.boolValue == true)
                    let bNow = try await b.handle.request("calls")["calls"]?.arrayValue?.first
                    #expect(bNow?["state"]?.stringValue == "connected" && bNow?["call_id"] == bCall["call_id"])
                    _ = try await b.handle.request("hangup", args: ["all": true])
                }
            }
        }


        /// orch's journal as written so far: the last compacted state and the log after it.
        static func journalText(_ instance: TestInstance) -> String {
            ["/state.json", "/state.log"].map { (try? String(contentsOfFile: instance.runDirectory.path + $0, encoding: .utf8)) ?? "" }.joined()
        }

        /// orch is the one process with no state of the call's own: its journal lets the orch the keeper restarts
        /// take the calls over, while the components keep them up.
        @Test func orchKilledMidCallTakesTheCallOverFromItsJournalAndCanEndIt() async throws {
            let port = TestPorts.base(), portB = TestPorts.base()
            try await withInstance { a in
                try await withInstance(root: a.root) { b in
                    _ = try await a.up(MediaFlowTests.flags(port, autoAnswer: true))
                    _ = try await b.up(MediaFlowTests.flags(portB, autoAnswer: false))
                    let (bCall, aCall) = try await MediaFlowTests.connect(b, to: a, port: port)
                    let meter = try GapMeter(address: a.endpoints.mediaTaps(worker: "rtp-1"), stream: try #require(aCall["streams"]?["playback"]?.intValue))
                    let source = try ToneInjector(b, stream: try #require(bCall["streams"]?["capture"]?.intValue), frequency: 1000, amplitude: 8000)
                    defer { meter.stop(); source.stop() }
                    #expect(await eventually { meter.voicedFrames >= 25 })
                    // Let the journal catch the media's rtp_state too (media.stats every second).
                    #expect(await eventually(timeout: .seconds(3)) {
                        Self.journalText(b).contains("rtp_state")
                    })
                    let oldOrch = try #require(b.handle.orchPID)
                    let killedAt = MonotonicClock.now()
                    kill(oldOrch, SIGKILL)
                    var call: JSONValue?
                    #expect(await eventually(timeout: .seconds(4)) {
                        guard let s = try? await b.status(), s.allUp,
                              let pid = b.component("orch", in: s)?.pid, pid != oldOrch else { return false }
                        call = try? await b.handle.request("calls")["calls"]?.arrayValue?.first
                        return call != nil
                    }, "the new orch knows the call")
                    #expect(call?["call_id"] == bCall["call_id"] && call?["state"]?.stringValue == "connected")
                    #expect(call?["streams"] == bCall["streams"] && call?["worker"] == bCall["worker"])
                    // The audio never stopped: orch is not in the media path.
                    #expect(await eventually { meter.voicedFrames(after: killedAt + .milliseconds(500)) >= 25 })
                    let gap = meter.longestGap(after: killedAt - .milliseconds(100))
                    print("orch restart: audio gap \(gap) at the far end")
                    #expect(gap < .milliseconds(300))
                    // The new orch ends the call properly: BYE, media released, nothing left behind.
                    _ = try await b.handle.request("hangup", args: ["all": true])
                    #expect(await eventually {
                        let ac = try? await a.handle.request("calls"), sb = try? await b.status()
                        return ac?["calls"]?.arrayValue?.isEmpty == true
                            && sb.flatMap { b.component("rtp-1", in: $0)?.stats?["sessions"]?.intValue } == 0
                    })
                }
            }
        }

        @Test func aCallThatEndsWhileOrchIsDownIsClosedByTheNewOrch() async throws {
            let port = TestPorts.base(), portB = TestPorts.base()
            try await withInstance { a in
                try await withInstance(root: a.root) { b in
                    _ = try await a.up(MediaFlowTests.flags(port, autoAnswer: true))
                    let config = try b.writeConfig("supervision:\n  orch_timeout_s: 30\n")
                    _ = try await b.up(MediaFlowTests.flags(portB, autoAnswer: false) + ["--config", config])
                    _ = try await MediaFlowTests.connect(b, to: a, port: port)
                    // The journal trails orch's state by at most one 50 ms tick.
                    #expect(await eventually {
                        Self.journalText(b).contains("\"connected\"")
                    })
                    // Stop b's keeper and orch for a moment (the components keep running), let the peer hang up.
                    let keeper = try #require(b.runDirectory.runningKeeperPID()), orch = try #require(b.handle.orchPID)
                    kill(keeper, SIGSTOP)
                    kill(orch, SIGKILL)
                    _ = try await a.handle.request("hangup", args: ["all": true])
                    #expect(await eventually { (try? await a.handle.request("calls"))?["calls"]?.arrayValue?.isEmpty == true })
                    kill(keeper, SIGCONT)
                    // The keeper restarts orch; it takes the journal's call over, sees sig no longer has it, and ends it.
                    #expect(await eventually(timeout: .seconds(6)) {
                        guard let s = try? await b.status(), s.allUp else { return false }
                        let calls = try? await b.handle.request("calls")
                        return calls?["calls"]?.arrayValue?.isEmpty == true
                            && b.component("rtp-1", in: s)?.stats?["sessions"]?.intValue == 0
                    })
                }
            }
        }

        /// sip-sig killed mid-call: the restarted one gets the dialog back from orch; media never stopped; a BYE
        /// from either side afterwards completes normally (no 481 at the peer).
        @Test(arguments: ["peer hangs up", "we hang up"])
        func sipSigKilledMidCallKeepsTheDialogAndABYEAfterwardsWorks(_ who: String) async throws {
            let port = TestPorts.base(), portB = TestPorts.base()
            try await withInstance { a in
                try await withInstance(root: a.root) { b in
                    _ = try await a.up(MediaFlowTests.flags(port, autoAnswer: true))
                    _ = try await b.up(MediaFlowTests.flags(portB, autoAnswer: false))
                    let (bCall, aCall) = try await MediaFlowTests.connect(b, to: a, port: port)
                    let meter = try GapMeter(address: a.endpoints.mediaTaps(worker: "rtp-1"), stream: try #require(aCall["streams"]?["playback"]?.intValue))
                    let source = try ToneInjector(b, stream: try #require(bCall["streams"]?["capture"]?.intValue), frequency: 1000, amplitude: 8000)
                    let aEvents = try await EventRecorder(a), bEvents = try await EventRecorder(b)
                    defer { meter.stop(); source.stop(); aEvents.stop(); bEvents.stop() }
                    #expect(await eventually { meter.voicedFrames >= 25 })
                    let victim = try await b.pid(of: "sig")
                    let killedAt = MonotonicClock.now()
                    kill(victim, SIGKILL)
                    #expect(await eventually(timeout: .seconds(5)) {
                        guard let s = try? await b.status(), let c = b.component("sig", in: s) else { return false }
                        return c.state == "up" && c.pid.map { $0 != victim } == true
                    })
                    // The new sig has the call (orch restored it); the call and its audio went on throughout.
                    #expect(await eventually {
                        let calls = try? await b.handle.request("calls")
                        return calls?["calls"]?.arrayValue?.first?["state"]?.stringValue == "connected"
                    })
                    #expect(await eventually { meter.voicedFrames(after: killedAt + .milliseconds(500)) >= 25 })
                    let gap = meter.longestGap(after: killedAt - .milliseconds(100))
                    print("sig restart: audio gap \(gap) at the far end")
                    #expect(gap < .milliseconds(300))
                    if who == "peer hangs up" {
                        _ = try await a.handle.request("hangup", args: ["all": true])
                    } else {
                        _ = try await b.handle.request("hangup", args: ["all": true])
                    }
                    let ended = await aEvents.wait(timeout: .seconds(5)) { $0.type == "call.state" && $0.data["state"]?.stringValue == "terminated" }
                    #expect(ended?.data["normal"]?.boolValue == true, "the BYE was answered 200: \(ended?.data ?? [:])")
                    // b ended it through the restored dialog (the BYE matched it), not by forgetting it.
                    let bEnded = await bEvents.wait(timeout: .seconds(5)) { $0.type == "call.state" && $0.data["state"]?.stringValue == "terminated" }
                    #expect(bEnded?.data["reason"]?.stringValue?.contains("restarting") == false, "\(bEnded?.data ?? [:])")
                    #expect(bEnded?.data["source"]?.stringValue == "sig")
                    #expect(await eventually {
                        let bc = try? await b.handle.request("calls"), sb = try? await b.status()
                        return bc?["calls"]?.arrayValue?.isEmpty == true && sb.flatMap { b.component("rtp-1", in: $0)?.stats?["sessions"]?.intValue } == 0
                    }, "b ended the call and released its media")
                }
            }
        }

        /// sip-sig killed while our INVITE rings at SIPp: the restarted sig sends the same INVITE again (same branch,
        /// a retransmission to the peer), the peer's 200 finds it, the call connects and ends normally.
        @Test func sipSigKilledDuringCallSetupStillConnectsTheCall() async throws {
            let port = TestPorts.base()
            try await withInstance { instance in
                _ = try await instance.up(SIPInteropTests.flags(port, autoAnswer: false) + ["--sip-trace"])
                let events = try await EventRecorder(instance)
                defer { events.stop() }
                try await withPeer({ try .sipp("uas_answer_restart.xml", port: port + 2) }) { sipp in
                    #expect(await PeerProcess.waitForUDP(port + 2))
                    let placed = try await instance.handle.request("call", args: ["to": .string("sip:echo@127.0.0.1:\(port + 2)")], timeout: .seconds(10))
                    let call = try #require(placed["call"]?.stringValue)
                    #expect(await events.wait { $0.type == "call.state" && $0.data["state"]?.stringValue == "ringing" } != nil)
                    let victim = try await instance.pid(of: "sig")
                    kill(victim, SIGKILL)  // SIPp answers 200 ms after its 180
                    #expect(await eventually(timeout: .seconds(8)) {
                        let calls = try? await instance.handle.request("calls")
                        return calls?["calls"]?.arrayValue?.first { $0["call_id"]?.stringValue == call }?["state"]?.stringValue == "connected"
                    }, "the call connects through the restarted sig")
                    _ = try? await instance.handle.request("hangup", args: ["call": .string(call)])
                    #expect(await sipp.exitStatus() == 0, "SIPp saw a complete call: INVITE, ACK for its 200, our BYE")
                }
            }
        }
    }
}

/// Follows one stream on a PUB socket frame by frame: when frames carried sound (not flagged silence or
/// concealment, with energy), so a test can measure the longest stretch the listener got none.
final class GapMeter: Sendable {
    private final class Store: Sendable { let frames = Mutex<[(at: MonotonicTime, voiced: Bool)]>([]) }
    private let endpoint: BusEndpoint
    private let store = Store()
    private let task: Task<Void, Never>

    init(address: String, stream: Int) throws {
        var spec = SocketSpec(type: .sub, connect: [address])
        spec.subscriptions = [PCMFrame.streamPrefix(UInt32(stream))]
        endpoint = try BusEndpoint(name: "gap", sockets: [spec])
        let inbound = endpoint.inbound, store = self.store
        task = Task {
            var samples = [Int16](repeating: 0, count: PCMFrame.maxTotalSamples)
            for await message in inbound where message.frames.count == 1 {
                let voiced = message.frames[0].withUnsafeBytes { raw -> Bool in
                    guard let h = try? PCMFrame.decodeHeader(raw), !h.flags.contains(.silence), !h.flags.contains(.concealed) else { return false }
                    return samples.withUnsafeMutableBufferPointer { buffer in
                        let target = UnsafeMutableBufferPointer(rebasing: buffer[0..<h.totalSamples])
                        guard (try? PCMFrame.readSamples(raw, header: h, into: target)) != nil else { return false }
                        let energy = target.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(target.count)
                        return energy > 1000 * 1000
                    }
                }
                store.frames.withLock { $0.append((MonotonicClock.now(), voiced)) }
            }
        }
    }

    var voicedFrames: Int { store.frames.withLock { $0.filter(\.voiced).count } }

    func voicedFrames(after instant: MonotonicTime) -> Int { store.frames.withLock { $0.filter { $0.voiced && $0.at > instant }.count } }

    /// The longest time between two voiced frames after `instant`.
    func longestGap(after instant: MonotonicTime) -> Duration {
        store.frames.withLock { list in
            var last: MonotonicTime?
            var longest = Duration.zero
            for f in list where f.voiced {
                if let last, f.at > instant { longest = max(longest, f.at - last) }
                last = f.at
            }
            return longest
        }
    }

    func stop() {
        task.cancel()
        endpoint.shutdown()
    }
}

extension ProcessGroupTests.RestartSurvivalTests {
    /// A pcap of `seconds` of PCMU RTP (20 ms packets, 127.0.0.1:6000 -> :6002) with every `dropEvery`-th packet left
    /// out, for SIPp's play_pcap_audio (it rewrites addresses and ports).
    static func lossyPCAP(seconds: Int, dropEvery: Int) -> [UInt8] {
        var out: [UInt8] = []
        func le32(_ v: UInt32) { out += withUnsafeBytes(of: v.littleEndian, Array.init) }
        func le16(_ v: UInt16) { out += withUnsafeBytes(of: v.littleEndian, Array.init) }
        le32(0xA1B2_C3D4); le16(2); le16(4); le32(0); le32(0); le32(65535); le32(1)  // global header, Ethernet
        for n in 0..<(seconds * 50) where n % dropEvery != dropEvery - 1 {
            let rtp: [UInt8] = [0x80, n == 0 ? 0x80 : 0x00, UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)]
                + withUnsafeBytes(of: UInt32(n * 160).bigEndian, Array.init) + [0x12, 0x34, 0x56, 0x78] + [UInt8](repeating: 0xFF, count: 160)
            let udpLength = 8 + rtp.count, ipLength = 20 + udpLength
            var packet: [UInt8] = [0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0x08, 0x00]
            packet += [0x45, 0, UInt8(ipLength >> 8), UInt8(ipLength & 0xFF), 0, 0, 0x40, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1]
            packet += [0x17, 0x70, 0x17, 0x72, UInt8(udpLength >> 8), UInt8(udpLength & 0xFF), 0, 0] + rtp
            let micros = n * 20_000
            le32(UInt32(micros / 1_000_000)); le32(UInt32(micros % 1_000_000)); le32(UInt32(packet.count)); le32(UInt32(packet.count))
            out += packet
        }
        return out
    }

    /// Sustained loss (25 %, from a SIPp pcap with gaps) with `calls.codec_fallback PCMU,PCMA`: orch reports
    /// `call.quality.degraded` and re-offers PCMA (re-INVITE), which SIPp checks and accepts.
    @Test func sustainedLossMakesTheCallFallBackAlongTheCodecChain() async throws {
        let port = TestPorts.base()
        try await withInstance { instance in
            _ = try await instance.up(ProcessGroupTests.SIPInteropTests.flags(port, autoAnswer: false)
                                      + ["--set", "calls.codec_fallback=PCMU,PCMA", "--set", "calls.fallback_after_s=2"])
            let events = try await EventRecorder(instance)
            defer { events.stop() }
            // SIPp loads the pcap with the scenario: both go into the test's directory first, the scenario naming the pcap
            // by its absolute path.
            let pcap = instance.root + "/lossy.pcap", scenario = instance.root + "/uas_lossy_fallback.xml"
            try Data(Self.lossyPCAP(seconds: 12, dropEvery: 4)).write(to: URL(fileURLWithPath: pcap))
            let text = try String(contentsOfFile: InteropAssets.scenario("uas_lossy_fallback.xml"), encoding: .utf8)
            try text.replacingOccurrences(of: "play_pcap_audio=\"lossy.pcap\"", with: "play_pcap_audio=\"\(pcap)\"")
                .write(toFile: scenario, atomically: true, encoding: .utf8)
            try await withPeer({ try .sipp(scenario, port: port + 2) }) { sipp in
                #expect(await PeerProcess.waitForUDP(port + 2))
                let call = try #require(try await instance.handle.request("call", args: ["to": .string("sip:service@127.0.0.1:\(port + 2)")], timeout: .seconds(10))["call"]?.stringValue)
                let degraded = await events.wait(timeout: .seconds(10)) { $0.type == "call.quality.degraded" }
                #expect((degraded?.data["loss_pct"]?.doubleValue ?? 0) >= 15, "\(String(describing: degraded?.data))")
                #expect(degraded?.data["message"]?.stringValue?.contains("check the network path") == true)
                let fallback = await events.wait(timeout: .seconds(10)) { $0.type == "call.codec.fallback" }
                #expect(fallback?.data["from"]?.stringValue == "PCMU" && fallback?.data["to"]?.stringValue == "PCMA"
                        && fallback?.data["accepted"]?.boolValue == true, "\(String(describing: fallback?.data))")
                let listed = try await instance.handle.request("calls")["calls"]?.arrayValue?.first
                #expect(listed?["codec"]?.stringValue == "PCMA" && listed?["state"]?.stringValue == "connected")
                _ = try await instance.handle.request("hangup", args: ["call": .string(call)])
                #expect(await sipp.exitStatus() == 0, "\(sipp.file("errors.log").suffix(1500))")
            }
        }
    }
}

extension ProcessGroupTests.RestartSurvivalTests {
    /// Binds a UDP port on 127.0.0.1 (to take a port away from a restarting media worker); nil while it is busy.
    static func holdPort(_ port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        if ok == 0 { return fd }
        close(fd)
        return nil
    }

    /// The worker restarts while another program took its call's port: the call comes back on a new port and a
    /// re-INVITE gives the peer the new address; audio resumes.
    @Test func aWorkerThatCannotGetItsPortBackMovesTheCallByReInvite() async throws {
        let port = TestPorts.base(), portB = TestPorts.base()
        let flags = ProcessGroupTests.MediaFlowTests.flags
        try await withInstance { a in
            try await withInstance(root: a.root) { b in
                _ = try await a.up(flags(port, true))
                // No standby: it would take the port back within milliseconds, before the test can take it.
                _ = try await b.up(flags(portB, false) + ["--set", "rtp.standby=0"])
                let bEvents = try await EventRecorder(b)
                defer { bEvents.stop() }
                let (bCall, aCall) = try await ProcessGroupTests.MediaFlowTests.connect(b, to: a, port: port)
                let oldPort = try #require(bCall["media_port"]?.intValue)
                let meter = try GapMeter(address: a.endpoints.mediaTaps(worker: "rtp-1"), stream: try #require(aCall["streams"]?["playback"]?.intValue))
                let source = try ToneInjector(b, stream: try #require(bCall["streams"]?["capture"]?.intValue), frequency: 1000, amplitude: 8000)
                defer { meter.stop(); source.stop() }
                #expect(await eventually { meter.voicedFrames >= 25 })
                let victim = try await b.pid(of: "rtp-1")
                kill(victim, SIGKILL)
                var held: Int32?
                #expect(await eventually(timeout: .seconds(2)) { held = Self.holdPort(oldPort); return held != nil }, "took the port")
                defer { if let held { close(held) } }
                let moved = await bEvents.wait(timeout: .seconds(5)) { $0.type == "call.media.moved" }
                let newPort = try #require(moved?.data["port"]?.intValue)
                #expect(newPort != oldPort)
                // A learnt the new address from B's re-INVITE, and B's audio reaches A again.
                let aCallID = try #require(aCall["call_id"]?.stringValue)
                #expect(try await eventually(timeout: .seconds(5)) {
                    let state = try await a.handle.request("calls")["calls"]?.arrayValue?.first?["state"]?.stringValue
                    let remote = try await a.handle.request("call_stats", args: ["call": .string(aCallID)])["remote"]?.stringValue
                    return state == "connected" && remote?.hasSuffix(":\(newPort)") == true
                })
                let after = MonotonicClock.now()
                #expect(await eventually(timeout: .seconds(5)) { meter.voicedFrames(after: after) >= 25 }, "audio flows again on the new port")
                _ = try await b.handle.request("hangup", args: ["all": true])
            }
        }
    }
}
