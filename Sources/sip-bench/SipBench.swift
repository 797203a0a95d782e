import ArgumentParser
import Bus
import Foundation
import ProcessSupport
import Timebase
import Wire

/// sip-bench: micro-benchmarks of the bus across two real processes (run by scripts/bench).
@main
struct SipBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sip-bench",
        abstract: "Bus benchmarks between two processes.",
        subcommands: [BusRTT.self, PCMThroughput.self, EchoServer.self, PCMSink.self, SIPParse.self, G711Bench.self,
                      MediaEngineBench.self, PCMPeerBench.self, RTPPeerBench.self, RTPReceive.self, JitterBufferBench.self, AudioBench.self, CallSetupBench.self])
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

func scratchDirectory() -> String {
    var template = Array("/tmp/sbb-XXXXXX".utf8CString)
    return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
}

func spawnSelf(_ arguments: [String]) throws -> pid_t {
    guard let dir = Executables.selfDirectory() else { throw ValidationError("cannot find own executable") }
    return try ChildProcess.spawn(dir + "/sip-bench", arguments: arguments)
}

func reap(_ pid: pid_t) -> Int32 {
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    return status
}

/// Request/reply round trip through the product's ControlClient/ControlServer (DEALER/ROUTER), another process
/// answering.
struct BusRTT: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bus-rtt")
    @Option var transport = "ipc"
    @Option var count = 10_000
    @Option var warmup = 500

    func run() async throws {
        let dir = scratchDirectory()
        defer { unlink(dir + "/rtt.sock"); rmdir(dir) }
        let endpoint = transport == "ipc" ? "ipc://\(dir)/rtt.sock" : "tcp://127.0.0.1:\(Int.random(in: 40000...49999))"
        let server = try spawnSelf(["echo-server", "--endpoint", endpoint])
        defer { kill(server, SIGTERM); _ = reap(server) }
        let client = try ControlClient(connectTo: endpoint)
        defer { client.shutdown() }
        // Wait for the server process to bind.
        for _ in 0..<500 { if (try? await client.request("echo", timeout: .milliseconds(100))) != nil { break } }
        for _ in 0..<warmup { _ = try await client.request("echo") }
        var samples: [Double] = []
        samples.reserveCapacity(count)
        let args: [String: JSONValue] = ["seq": 1]
        for _ in 0..<count {
            let t0 = MonotonicClock.now()
            _ = try await client.request("echo", args: args)
            samples.append(Double(MonotonicClock.now().since(t0).nanosecondsClamped) / 1000)
        }
        samples.sort()
        let result: JSONValue = ["bench": "bus-rtt", "transport": .string(transport), "count": .init(count),
                                 "p50_us": .number(percentile(samples, 0.5)), "p99_us": .number(percentile(samples, 0.99)),
                                 "mean_us": .number(samples.reduce(0, +) / Double(samples.count))]
        print(result.encodedString())
    }
}

struct EchoServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "echo-server")
    @Option var endpoint: String

    func run() async throws {
        let server = try ControlServer(bindTo: endpoint)
        let signals = SignalStream.watch()
        let serving = Task {
            for await inbound in server.messages {
                if case .request(let r) = inbound.message { server.reply(inbound, Reply(id: r.id, result: .object(r.args))) }
            }
        }
        for await _ in signals { break }
        serving.cancel()
        server.shutdown()
    }
}

/// One-way PCM frames over PUSH/PULL with zero-copy sends from a ring of preallocated slots; the receiving
/// process validates every frame header and reports the rate.
struct PCMThroughput: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pcm-throughput")
    @Option var rate: UInt32 = 8000
    @Option var channels: UInt16 = 1
    @Option var frames = 200_000

    func run() async throws {
        let dir = scratchDirectory()
        defer { unlink(dir + "/pcm.sock"); unlink(dir + "/result.json"); rmdir(dir) }
        let endpoint = "ipc://\(dir)/pcm.sock"
        let sink = try spawnSelf(["pcm-sink", "--endpoint", endpoint, "--frames", String(frames), "--out", dir + "/result.json"])
        let ctx = try ZMQContext()
        var spec = SocketSpec(type: .push, connect: [endpoint])
        spec.sendHighWaterMark = 1000
        let push = try ZMQSocket(context: ctx, spec: spec)
        let slots = (0..<2048).map { _ in FrameSlot() }
        let samples = [Int16](repeating: 1234, count: Int(rate / 50) * Int(channels))
        var next = 0
        for seq in 0..<frames {
            var slot = slots[next % slots.count]
            while slot.isInFlight { next += 1; slot = slots[next % slots.count] }  // libzmq still holds it
            next += 1
            let h = PCMFrameHeader.twentyMilliseconds(streamID: 1, sequence: UInt32(truncatingIfNeeded: seq),
                                                      timestamp: UInt64(seq) * UInt64(rate / 50), sampleRate: rate, channels: channels)
            let n = try samples.withUnsafeBufferPointer { try PCMFrame.encode(h, samples: $0, into: slot.buffer) }
            guard push.send(slot: slot, count: n, blocking: true) == .sent else { throw ValidationError("send failed") }
        }
        let status = reap(sink)
        push.close()
        guard status == 0, let text = try? readSmallFile(dir + "/result.json") else { throw ValidationError("sink failed (\(status))") }
        print(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

struct PCMSink: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pcm-sink")
    @Option var endpoint: String
    @Option var frames: Int
    @Option var out: String

    func run() async throws {
        let ctx = try ZMQContext()
        var spec = SocketSpec(type: .pull, bind: [endpoint])
        spec.receiveHighWaterMark = 1000
        let pull = try ZMQSocket(context: ctx, spec: spec)
        var buffer = [UInt8](repeating: 0, count: PCMFrame.slotSize)
        var received = 0, malformed = 0, bytes = 0
        var start = MonotonicClock.now()
        var lastSeq: UInt32 = 0
        var gaps = 0
        while received + malformed < frames {
            guard pull.waitReadable(timeoutMs: 10_000) else { break }
            while let n = buffer.withUnsafeMutableBytes({ pull.receive(into: $0) }) {
                if received == 0 { start = MonotonicClock.now() }
                let header = buffer.withUnsafeBytes { raw -> PCMFrameHeader? in
                    try? PCMFrame.decodeHeader(UnsafeRawBufferPointer(rebasing: raw[0..<min(n, raw.count)]))
                }
                if let header {
                    if received > 0, header.sequence != lastSeq &+ 1 { gaps += 1 }
                    lastSeq = header.sequence
                    received += 1
                    bytes += n
                } else {
                    malformed += 1
                }
                if received + malformed >= frames { break }
            }
        }
        let seconds = MonotonicClock.now().since(start).seconds
        let result: JSONValue = ["bench": "pcm-throughput", "frames": .init(received), "malformed": .init(malformed),
                                 "gaps": .init(gaps), "frame_bytes": .init(received > 0 ? bytes / received : 0),
                                 "frames_per_s": .number(Double(received) / seconds),
                                 "mb_per_s": .number(Double(bytes) / seconds / 1e6),
                                 "realtime_streams": .number(Double(received) / seconds / 50)]
        try result.encodedString().write(toFile: out, atomically: true, encoding: .utf8)
        pull.close()
    }
}
