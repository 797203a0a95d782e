import Bus
import Foundation
import Synchronization
import Testing
import Timebase
import Wire

extension ProcessGroupTests {
    /// Audio through real media workers: frames injected on one instance come out, decoded, on the other, after a
    /// G.711 round trip over real RTP on loopback; DTMF; bad datagrams on a media port.
    @Suite(.serialized) struct MediaFlowTests {
        static func flags(_ port: Int, autoAnswer: Bool) -> [String] {
            ["--sip-listen", "127.0.0.1:\(port)", "--rtp-ports", "\(port + 220)-\(port + 249)", "--rtp-workers", "1"]
                + (autoAnswer ? ["--auto-answer"] : [])
        }

        /// Places a call from `b` to `a` (auto-answer) and waits until both see it connected.
        static func connect(_ b: TestInstance, to a: TestInstance, port: Int) async throws -> (bCall: JSONValue, aCall: JSONValue) {
            _ = try await b.handle.request("call", args: ["to": .string("sip:alice@127.0.0.1:\(port)")], timeout: .seconds(10))
            var bCall: JSONValue?, aCall: JSONValue?
            let up = await eventually(timeout: .seconds(10)) {
                bCall = try? await b.handle.request("calls")["calls"]?.arrayValue?.first { $0["state"]?.stringValue == "connected" }
                aCall = try? await a.handle.request("calls")["calls"]?.arrayValue?.first { $0["state"]?.stringValue == "connected" }
                return bCall != nil && aCall != nil
            }
            try #require(up, "the call did not connect")
            return (try #require(bCall), try #require(aCall))
        }

        @Test func toneInjectedOnEachSideArrivesOnTheOtherAtItsFrequencyAndLevel() async throws {
            let port = TestPorts.base(), portB = TestPorts.base()
            try await withInstance { a in
                try await withInstance(root: a.root) { b in
                    _ = try await a.up(Self.flags(port, autoAnswer: true))
                    _ = try await b.up(Self.flags(portB, autoAnswer: false))
                    let (bCall, aCall) = try await Self.connect(b, to: a, port: port)
                    let aTap = try FrameTap(a, stream: try #require(aCall["streams"]?["playback"]?.intValue))
                    let bTap = try FrameTap(b, stream: try #require(bCall["streams"]?["playback"]?.intValue))
                    let bSource = try ToneInjector(b, stream: try #require(bCall["streams"]?["capture"]?.intValue), frequency: 1000, amplitude: 8000)
                    let aSource = try ToneInjector(a, stream: try #require(aCall["streams"]?["capture"]?.intValue), frequency: 440, amplitude: 8000)
                    defer { aTap.stop(); bTap.stop(); aSource.stop(); bSource.stop() }
                    // 1.5 s of audio each way, then judge the last second of what arrived.
                    #expect(await eventually(timeout: .seconds(8)) { aTap.voicedSamples.count >= 8000 && bTap.voicedSamples.count >= 8000 })
                    // Judge the tone itself: leave out frames of silence sent while the injector was not yet running.
                let atA = Tone.withoutSilentFrames(aTap.voicedSamples).suffix(8000).map { $0 }
                let atB = Tone.withoutSilentFrames(bTap.voicedSamples).suffix(8000).map { $0 }
                    #expect(Tone.dominant(atA, among: [440, 1000, 2000]) == 1000, "A hears B's 1 kHz")
                    #expect(Tone.dominant(atB, among: [440, 1000, 2000]) == 440, "B hears A's 440 Hz")
                    // G.711 keeps the level within half a dB (8000 peak -> RMS 5657).
                    #expect(abs(Tone.decibels(Tone.rms(atA) / 5657)) < 0.5 && abs(Tone.decibels(Tone.rms(atB) / 5657)) < 0.5)
                    // Decoded frames also went to sip-audio (its null backend counts them).
                    #expect(await eventually {
                        let s = try? await a.status()
                        return (s.flatMap { a.component("audio", in: $0)?.stats?["frames_in"]?.intValue } ?? 0) > 50
                    })
                    _ = try await b.handle.request("hangup", args: ["all": true])
                    // Nothing of the call outlives it: the worker's sessions and ports are released on both sides.
                    #expect(await eventually {
                        let sa = try? await a.status(), sb = try? await b.status()
                        return sa.flatMap { a.component("rtp-1", in: $0)?.stats?["sessions"]?.intValue } == 0
                            && sb.flatMap { b.component("rtp-1", in: $0)?.stats?["sessions"]?.intValue } == 0
                    })
                }
            }
        }

        @Test func dtmfDigitsArriveInOrder() async throws {
            let port = TestPorts.base(), portB = TestPorts.base()
            try await withInstance { a in
                try await withInstance(root: a.root) { b in
                    _ = try await a.up(Self.flags(port, autoAnswer: true))
                    _ = try await b.up(Self.flags(portB, autoAnswer: false))
                    let events = try await EventRecorder(a)
                    defer { events.stop() }
                    _ = try await Self.connect(b, to: a, port: port)
                    let run = try b.sipc(["dtmf", "1#9"])
                    #expect(run.status == 0, "\(run.stderr)")
                    #expect(await eventually(timeout: .seconds(5)) { events.all.filter { $0.type == "dtmf.received" }.count >= 3 })
                    let digits = events.all.filter { $0.type == "dtmf.received" }.compactMap { $0.data["digit"]?.stringValue }
                    #expect(digits == ["1", "#", "9"])
                }
            }
        }

        @Test func garbageOnAMediaPortIsCountedAndTheCallGoesOn() async throws {
            let port = TestPorts.base(), portB = TestPorts.base()
            try await withInstance { a in
                try await withInstance(root: a.root) { b in
                    _ = try await a.up(Self.flags(port, autoAnswer: true))
                    _ = try await b.up(Self.flags(portB, autoAnswer: false))
                    let (_, aCall) = try await Self.connect(b, to: a, port: port)
                    let mediaPort = try #require(aCall["media_port"]?.intValue)
                    let socket = UDPSender()
                    defer { socket.close() }
                    var rng = SystemRandomNumberGenerator()
                    for n in 0..<200 {
                        // Short junk, a wrong version, a CSRC count past the end, padding longer than the packet.
                        let junk: [UInt8] = switch n % 4 {
                        case 0: (0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                        case 1: [0x40, 0x00] + [UInt8](repeating: 1, count: 20)
                        case 2: [0x8F, 0x00, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]
                        default: [0xA0, 0x00, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xFF]
                        }
                        socket.send(junk, to: mediaPort)
                    }
                    let callID = try #require(aCall["call_id"]?.stringValue)
                    #expect(await eventually(timeout: .seconds(5)) {
                        let s = try? await a.handle.request("call_stats", args: ["call": .string(callID)])
                        return (s?["malformed"]?.intValue ?? 0) >= 150 && (s?["packets_received"]?.intValue ?? 0) > 20
                    })
                    let before = try await a.handle.request("call_stats", args: ["call": .string(callID)])["packets_received"]?.intValue ?? 0
                    #expect(await eventually { ((try? await a.handle.request("call_stats", args: ["call": .string(callID)]))?["packets_received"]?.intValue ?? 0) > before + 10 })
                }
            }
        }

        @Test func callsAreSpreadOverTheLeastLoadedWorkers() async throws {
            let port = TestPorts.base(), portB = TestPorts.base()
            try await withInstance { a in
                try await withInstance(root: a.root) { b in
                    _ = try await a.up(["--sip-listen", "127.0.0.1:\(port)", "--rtp-ports", "\(port + 200)-\(port + 249)", "--rtp-workers", "2",
                                        "--auto-answer"])
                    _ = try await b.up(Self.flags(portB, autoAnswer: false))
                    for _ in 0..<2 {
                        _ = try await b.handle.request("call", args: ["to": .string("sip:alice@127.0.0.1:\(port)")], timeout: .seconds(10))
                    }
                    var workers: [String] = []
                    #expect(await eventually(timeout: .seconds(10)) {
                        let calls = (try? await a.handle.request("calls"))?["calls"]?.arrayValue ?? []
                        workers = calls.filter { $0["state"]?.stringValue == "connected" }.compactMap { $0["worker"]?.stringValue }
                        return workers.count == 2
                    })
                    #expect(Set(workers) == ["rtp-1", "rtp-2"])
                    _ = try await b.handle.request("hangup", args: ["all": true])
                }
            }
        }

        /// Issue 9 (e): origin stamps carried in the PCM frames give the pipeline latency across the processes. The
        /// worker reports a captured frame's device read (in sip-audio) to its RTP packet's write (`audio_to_rtp_ms`);
        /// sip-audio reports an RTP packet's arrival (at the worker) to its frame's write to the device (`rtp_to_device_ms`).
        @Test func pipelineLatencyIsMeasuredFromFrameStampsAcrossTheProcesses() async throws {
            let port = TestPorts.base(), portB = TestPorts.base()
            try await withInstance { a in
                try await withInstance(root: a.root) { b in
                    try AudioDeviceTests.writeTone(a.root + "/a-in.wav", frequency: 440, amplitude: 0.25, seconds: 30, rate: 8000, channels: 1)
                    try AudioDeviceTests.writeTone(a.root + "/b-in.wav", frequency: 1000, amplitude: 0.25, seconds: 30, rate: 8000, channels: 1)
                    _ = try await a.up(Self.flags(port, autoAnswer: true) + ["--audio", "file:\(a.root)/a-in.wav,\(a.root)/a-out.wav"]
                                       + AudioDeviceTests.plain)
                    _ = try await b.up(Self.flags(portB, autoAnswer: false) + ["--audio", "file:\(a.root)/b-in.wav,\(a.root)/b-out.wav"]
                                       + AudioDeviceTests.plain)
                    let (bCall, _) = try await Self.connect(b, to: a, port: port)
                    let callID = try #require(bCall["call_id"]?.stringValue)
                    var stats: JSONValue?, audio: JSONValue?
                    #expect(await eventually(timeout: .seconds(10)) {
                        stats = try? await b.handle.request("call_stats", args: ["call": .string(callID)])
                        audio = try? await b.handle.request("audio_state")
                        return stats?["audio_to_rtp_ms"] != nil && audio?["rtp_to_device_ms"] != nil && (audio?["frames_played"]?.intValue ?? 0) >= 100
                            && (audio?["frames_played"]?.intValue ?? 0) >= 100
                    }, "stats \(String(describing: stats)) audio \(String(describing: audio))")
                    // Uplink: at least the frame's 20 ms in the capture FIFO, and far less than a second on loopback.
                    let up = stats?["audio_to_rtp_ms"]?["p50"]?.doubleValue ?? -1
                    #expect(up >= 15 && up < 200, "audio_to_rtp p50 \(up) ms")
                    // Downlink: the jitter buffer's delay plus sip-audio's queue; positive and bounded.
                    let down = audio?["rtp_to_device_ms"]?["p50"]?.doubleValue ?? -1
                    let jb = stats?["jb_delay_ms"]?.doubleValue ?? 0
                    #expect(down > 0 && down < 300, "rtp_to_device p50 \(down) ms (jitter buffer \(jb) ms)")
                    #expect((audio?["rtp_to_device_ms"]?["p99"]?.doubleValue ?? 0) >= down)
                    _ = try await b.handle.request("hangup", args: ["all": true])
                }
            }
        }

        @Test func rtcpReportsFlowBothWaysAndGiveTheRoundTrip() async throws {
            let port = TestPorts.base(), portB = TestPorts.base()
            try await withInstance { a in
                try await withInstance(root: a.root) { b in
                    _ = try await a.up(Self.flags(port, autoAnswer: true))
                    _ = try await b.up(Self.flags(portB, autoAnswer: false))
                    let (bCall, _) = try await Self.connect(b, to: a, port: port)
                    let callID = try #require(bCall["call_id"]?.stringValue)
                    // RFC 3550 intervals: the first report within about 3 s, the next about 5 s later; an RTT needs a
                    // sender report from us and the peer's report block about it.
                    var stats: JSONValue?
                    #expect(await eventually(timeout: .seconds(15)) {
                        stats = try? await b.handle.request("call_stats", args: ["call": .string(callID)])
                        return stats?["rtt_ms"] != nil && (stats?["rtcp_received"]?.intValue ?? 0) >= 1
                    })
                    #expect((stats?["rtt_ms"]?.doubleValue ?? 99) < 20)  // loopback
                    #expect((stats?["rtcp_sent"]?.intValue ?? 0) >= 1)
                    #expect(stats?["remote_loss_pct"]?.doubleValue == 0)
                    let mos = stats?["mos"]?.doubleValue ?? 0
                    #expect(mos > 4.3 && mos <= 4.5, "MOS \(mos)")  // G.711, no loss, short delay
                    _ = try await b.handle.request("hangup", args: ["all": true])
                }
            }
        }
    }
}

/// Collects decoded frames of one stream from a PUB socket: a worker's taps, or sip-audio's microphone frames.
final class FrameTap: Sendable {
    private final class Store: Sendable {
        let samples = Mutex<[Int16]>([])
        /// Every frame, silent or not, with its arrival time.
        let arrivals = Mutex<[MonotonicTime]>([])
    }
    private let endpoint: BusEndpoint
    private let store = Store()
    private let task: Task<Void, Never>

    convenience init(_ instance: TestInstance, stream: Int, worker: String = "rtp-1") throws {
        try self.init(address: instance.endpoints.mediaTaps(worker: worker), stream: stream)
    }

    init(address: String, stream: Int) throws {
        var spec = SocketSpec(type: .sub, connect: [address])
        spec.subscriptions = [PCMFrame.streamPrefix(UInt32(stream))]
        endpoint = try BusEndpoint(name: "tap", sockets: [spec])
        let inbound = endpoint.inbound
        let store = self.store
        task = Task {
            for await message in inbound where message.frames.count == 1 {
                message.frames[0].withUnsafeBytes { raw in
                    guard let h = try? PCMFrame.decodeHeader(raw) else { return }
                    store.arrivals.withLock { $0.append(MonotonicClock.now()) }
                    guard !h.flags.contains(.silence) else { return }
                    var out = [Int16](repeating: 0, count: h.totalSamples)
                    _ = out.withUnsafeMutableBufferPointer { try? PCMFrame.readSamples(raw, header: h, into: $0) }
                    store.samples.withLock { $0 += out }
                }
            }
        }
    }

    /// Samples of frames that were not flagged silent.
    var voicedSamples: [Int16] { store.samples.withLock { $0 } }
    var arrivals: [MonotonicTime] { store.arrivals.withLock { $0 } }

    func stop() {
        task.cancel()
        endpoint.shutdown()
    }
}

/// Pushes a tone as PCM frames of one stream, paced at 20 ms: into a worker's inject socket (a call's capture
/// stream) or into sip-audio's playback socket.
final class ToneInjector: Sendable {
    private let endpoint: BusEndpoint
    private let task: Task<Void, Never>

    convenience init(_ instance: TestInstance, stream: Int, frequency: Double, amplitude: Double, worker: String = "rtp-1") throws {
        try self.init(address: instance.endpoints.mediaInject(worker: worker), stream: stream, frequency: frequency, amplitude: amplitude)
    }

    init(address: String, stream: Int, frequency: Double, amplitude: Double, sampleRate: Int = 8000) throws {
        var spec = SocketSpec(type: .push, connect: [address])
        spec.sendHighWaterMark = 20
        let endpoint = try BusEndpoint(name: "inject", sockets: [spec])
        self.endpoint = endpoint
        let count = sampleRate / 50
        task = Task {
            var n = 0
            let start = MonotonicClock.now()
            while !Task.isCancelled {
                let samples = (0..<count).map { i in Int16(amplitude * sin(2 * .pi * frequency * Double(n * count + i) / Double(sampleRate))) }
                let header = PCMFrameHeader.twentyMilliseconds(streamID: UInt32(stream), sequence: UInt32(n), timestamp: UInt64(n * count),
                                                               sampleRate: UInt32(sampleRate), channels: 1)
                var frame = [UInt8](repeating: 0, count: header.frameBytes)
                _ = frame.withUnsafeMutableBytes { out in samples.withUnsafeBufferPointer { try? PCMFrame.encode(header, samples: $0, into: out) } }
                endpoint.send([frame])
                n += 1
                do { try await Task.sleep(for: (start + .milliseconds(20 * n)) - MonotonicClock.now()) } catch { return }
            }
        }
    }

    func stop() {
        task.cancel()
        endpoint.shutdown()
    }
}

/// Tone measurements: Goertzel power at candidate frequencies, RMS, decibels.
enum Tone {
    static func power(_ x: [Int16], frequency: Double, rate: Double = 8000) -> Double {
        let w = 2 * Double.pi * frequency / rate
        let c = 2 * cos(w)
        var s1 = 0.0, s2 = 0.0
        for v in x {
            let s0 = Double(v) + c * s1 - s2
            s2 = s1
            s1 = s0
        }
        return s1 * s1 + s2 * s2 - c * s1 * s2
    }

    static func dominant(_ x: [Int16], among candidates: [Double]) -> Double? {
        candidates.max { power(x, frequency: $0) < power(x, frequency: $1) }
    }

    static func rms(_ x: [Int16]) -> Double {
        guard !x.isEmpty else { return 0 }
        return (x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(x.count)).squareRoot()
    }

    static func decibels(_ ratio: Double) -> Double { 20 * log10(max(ratio, 1e-9)) }

    /// The samples without the 20 ms frames that are all zero.
    static func withoutSilentFrames(_ x: [Int16]) -> [Int16] {
        stride(from: 0, to: x.count - 159, by: 160).flatMap { i -> ArraySlice<Int16> in
            let frame = x[i..<i + 160]
            return frame.allSatisfy { $0 == 0 } ? [] : frame
        }
    }
}

/// A bare UDP socket for throwing datagrams at a port.
final class UDPSender: @unchecked Sendable {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)

    func send(_ bytes: [UInt8], to port: Int) {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = bytes.withUnsafeBytes { buf in
            withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, buf.baseAddress, buf.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
    }

    func close() { Foundation.close(fd) }
}
