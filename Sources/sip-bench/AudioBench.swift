import ArgumentParser
import Bus
import Foundation
import GroupControl
import ProcessSupport
import Timebase
import Wire

/// sip-audio in a running instance: CPU at idle, then during a call (frames pushed at 20 ms on the playback
/// socket, microphone frames subscribed), with the latency figures sip-audio measures itself.
struct AudioBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audio-call",
                                                    abstract: "CPU and latency of sip-audio in a running instance (scripts/bench-audio).")
    @Option var runDir: String
    @Option var instance: String
    @Option var seconds: Int = 10

    func run() async throws {
        let handle = InstanceHandle(runDirectory: RunDirectory(instance: instance, path: runDir))
        let status = try await handle.request("status")
        guard let pid = status["components"]?.arrayValue?.first(where: { $0["role"]?.stringValue == "audio" })?["pid"]?.intValue else {
            throw ValidationError("no sip-audio in the instance")
        }
        let idle = try await cpuPercent(pid: Int32(pid), over: .seconds(seconds))
        let endpoints = handle.endpoints
        var sub = SocketSpec(type: .sub, connect: [endpoints.audioCapture])
        sub.subscriptions = [PCMFrame.streamPrefix(9001)]
        var push = SocketSpec(type: .push, connect: [endpoints.audioPlayback])
        push.sendHighWaterMark = 20
        let bus = try BusEndpoint(name: "bench", sockets: [push, sub])
        defer { bus.shutdown() }
        let received = Counter()
        let inbound = bus.inbound
        let drain = Task { for await m in inbound where m.socket == 1 { _ = m; received.add() } }
        _ = try await handle.request("audio_attach", args: ["call": "bench", "streams": ["playback": 9000, "capture": 9001]])
        let pusher = Task {
            var n = 0
            let start = MonotonicClock.now()
            var frame = [UInt8](repeating: 0, count: 32 + 320)
            while !Task.isCancelled {
                let samples = (0..<160).map { i in Int16(8000 * sin(2 * .pi * 440 * Double(n * 160 + i) / 8000)) }
                let header = PCMFrameHeader.twentyMilliseconds(streamID: 9000, sequence: UInt32(n), timestamp: UInt64(n * 160), sampleRate: 8000, channels: 1)
                _ = frame.withUnsafeMutableBytes { out in samples.withUnsafeBufferPointer { try? PCMFrame.encode(header, samples: $0, into: out) } }
                bus.send([frame], on: 0)
                n += 1
                do { try await Task.sleep(for: (start + .milliseconds(20 * n)) - MonotonicClock.now()) } catch { return }
            }
        }
        try await Task.sleep(for: .seconds(1))  // let the devices open and the echo canceller start
        let busy = try await cpuPercent(pid: Int32(pid), over: .seconds(seconds))
        let state = try await handle.request("audio_state")
        pusher.cancel()
        drain.cancel()
        _ = try await handle.request("audio_detach", args: ["call": "bench"])
        let out: [String: JSONValue] = [
            "bench": "audio-call", "idle_cpu_pct": .number(idle), "call_cpu_pct": .number(busy),
            "playback_latency_p50_ms": state["playback_latency_ms"]?["p50"] ?? .null,
            "playback_latency_p99_ms": state["playback_latency_ms"]?["p99"] ?? .null,
            "capture_latency_p50_ms": state["capture_latency_ms"]?["p50"] ?? .null,
            "capture_latency_p99_ms": state["capture_latency_ms"]?["p99"] ?? .null,
            "tick_busy_us_avg": state["tick_busy_us_avg"] ?? .null, "frames_received": .init(received.value),
            "controls": state["controls"] ?? .null, "backend": state["backend"] ?? .null,
        ]
        print(String(decoding: try JSONEncoder.sorted.encode(JSONValue.object(out)), as: UTF8.self))
    }

    /// CPU time of `pid` (user + system, from /proc) over `duration`, in percent of one core.
    func cpuPercent(pid: Int32, over duration: Duration) async throws -> Double {
        func ticks() -> Double {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return 0 }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)  // utime, stime (fields 14, 15)
        }
        let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
        let t0 = ticks(), c0 = MonotonicClock.now()
        try await Task.sleep(for: duration)
        let t1 = ticks(), elapsed = MonotonicClock.now() - c0
        return ((t1 - t0) / hz) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) * 100
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}
