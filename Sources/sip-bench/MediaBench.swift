import ArgumentParser
import Bus
import Foundation
import MediaCore
import MediaWorker
import NIOCore
import NIOPosix
import Timebase
import Wire

/// G.711 encode and decode cost per sample.
struct G711Bench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "g711")
    @Option var seconds = 8000 * 600

    func run() throws {
        let samples = (0..<160).map { Int16(truncatingIfNeeded: $0 &* 397 &- 20000) }
        var bytes = [UInt8](repeating: 0, count: 160)
        var decoded = [Int16](repeating: 0, count: 160)
        let frames = max(1, seconds / 160)
        var out: [String: Any] = ["bench": "g711", "samples": frames * 160]
        for law in [G711Law.muLaw, .aLaw] {
            let t0 = MonotonicClock.now()
            for _ in 0..<frames {
                _ = bytes.withUnsafeMutableBytes { o in samples.withUnsafeBufferPointer { law.encode($0, into: o) } }
            }
            let t1 = MonotonicClock.now()
            for _ in 0..<frames {
                _ = decoded.withUnsafeMutableBufferPointer { o in bytes.withUnsafeBytes { law.decode($0, into: o) } }
            }
            let t2 = MonotonicClock.now()
            let name = law == .muLaw ? "ulaw" : "alaw"
            out["\(name)_encode_ns_per_sample"] = nanoseconds(t1 - t0) / Double(frames * 160)
            out["\(name)_decode_ns_per_sample"] = nanoseconds(t2 - t1) / Double(frames * 160)
        }
        out["checksum"] = Int(decoded[7]) + Int(bytes[3])
        print(String(decoding: try JSONSerialization.data(withJSONObject: out, options: [.sortedKeys]), as: UTF8.self))
    }
}

func nanoseconds(_ d: Duration) -> Double { Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) / 1e9 }

/// The real media engine (what sip-rtp runs) with N sessions and no supervision around it, for measuring a
/// worker's CPU, memory and heap allocations per call. Its RTP peers are `rtp-peer` in another process; with
/// `--pcm-dir` its PCM goes over the real `MediaAudioLink` to `pcm-peer` (a sip-audio stand-in) in a third.
///
/// With scripts/malloc_count.c preloaded it counts the process's allocations over `--window` seconds of steady
/// state (after `--warmup`) and reports them per 20 ms frame of one call (one tick of one session: a packet and a
/// frame each way).
struct MediaEngineBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "media-engine")
    @Option var calls = 100
    @Option var basePort = 40000
    @Option var peerBasePort = 44000
    @Option var seconds = 12.0
    @Option(help: "A run directory where pcm-peer binds sip-audio's PCM sockets: the engine plays and captures through them.")
    var pcmDir: String?
    @Option var warmup = 3.0
    @Option var window = 8.0

    func run() async throws {
        let link = try pcmDir.map { try MediaAudioLink(runDirectory: $0, worker: "bench") }
        let engine = MediaEngine(audio: link) { _ in }
        let pump = link?.attach(to: engine)
        engine.setHost("127.0.0.1")
        engine.start()
        for i in 0..<calls {
            let call = "c\(i)"
            guard case .success = await engine.allocate(call: call, port: basePort + 2 * i) else {
                throw ValidationError("cannot bind port \(basePort + 2 * i)")
            }
            let remote = RemoteMedia(address: "127.0.0.1", port: UInt16(clamping: peerBasePort + 2 * i), codec: .pcmu, payloadType: 0, direction: .sendrecv)
            let streams = PCMStreams(playback: StreamID(rawValue: UInt32(PCMPeerBench.playbackBase + i)), capture: StreamID(rawValue: UInt32(PCMPeerBench.captureBase + i)))
            let spec = try MediaStartSpec(MediaAPI.Start(call: CallID(call), remote: remote, streams: streams))
            _ = await engine.start(call: call, spec: spec)
        }
        FileHandle.standardError.write(Data("ready \(getpid())\n".utf8))
        let counter = MallocCounter()
        try await Task.sleep(for: .seconds(warmup))
        let a0 = counter.count
        try await Task.sleep(for: .seconds(window))
        let a1 = counter.count
        try await Task.sleep(for: .seconds(max(0, seconds - warmup - window)))
        var received = 0, sent = 0, lost = 0, captured = 0
        for i in 0..<calls {
            guard let s = await engine.stats(call: "c\(i)") else { continue }
            received += s.packetsReceived
            sent += Int(s.packetsSent)
            lost += s.packetsLost
        }
        captured = await engine.framesCaptured()
        await engine.shutdown()
        pump?.cancel()
        let busSent = link?.counters.sent ?? 0
        link?.shutdown()
        var out: [String: JSONValue] = ["bench": "media-engine", "calls": .init(calls), "pcm": .bool(link != nil),
                                        "packets_received": .init(received), "packets_sent": .init(sent), "packets_lost": .init(lost),
                                        "frames_captured": .init(captured), "pcm_sent": .init(busSent)]
        if counter.available, calls > 0 {
            out["allocs_per_frame"] = .number(Double(a1 - a0) / (Double(calls) * window * 50))
        }
        print(JSONValue.object(out).encodedString())
    }
}

/// sip-audio's PCM sockets for `media-engine --pcm-dir`: binds the playback PULL and the capture PUB in the run
/// directory, publishes a 20 ms frame for each call's capture stream every 20 ms (zero-copy from pooled slots) and
/// counts the frames the worker plays. Reports its own allocations per frame too (what libzmq costs a process
/// whose Swift side allocates nothing).
struct PCMPeerBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pcm-peer")
    static let captureBase = 1, playbackBase = 100_000
    @Option var calls = 100
    @Option var dir: String
    @Option var seconds = 12.0
    @Option var warmup = 3.0
    @Option var window = 8.0

    func run() throws {
        let endpoints = InstanceEndpoints(runDirectory: dir)
        let ctx = try ZMQContext()
        var pullSpec = SocketSpec(type: .pull, bind: [endpoints.audioPlayback])
        pullSpec.receiveHighWaterMark = 1000
        let pull = try ZMQSocket(context: ctx, spec: pullSpec)
        var pubSpec = SocketSpec(type: .pub, bind: [endpoints.audioCapture])
        pubSpec.sendHighWaterMark = 1000
        let pub = try ZMQSocket(context: ctx, spec: pubSpec)
        defer {
            pull.close()
            pub.close()
        }
        let slots = FrameSlotPool(count: calls + 16, slotCapacity: 384)
        let samples = (0..<160).map { Int16(truncatingIfNeeded: $0 &* 397) }
        var buffer = [UInt8](repeating: 0, count: PCMFrame.slotSize)
        let counter = MallocCounter()
        let start = MonotonicClock.now()
        let ticks = Int(seconds * 50)
        var received = 0, a0: UInt64 = 0, a1: UInt64 = 0
        for n in 0..<ticks {
            if n == Int(warmup * 50) { a0 = counter.count }
            if n == Int((warmup + window) * 50) { a1 = counter.count }
            for i in 0..<calls {
                let slot = slots.take()
                let header = PCMFrameHeader.twentyMilliseconds(streamID: UInt32(Self.captureBase + i), sequence: UInt32(n),
                                                               timestamp: UInt64(n) * 160, sampleRate: 8000, channels: 1)
                guard let size = try? samples.withUnsafeBufferPointer({ try PCMFrame.encode(header, samples: $0, into: slot.buffer) }) else { continue }
                _ = pub.send(slot: slot, count: size)
            }
            MonotonicClock.sleep(until: start + .milliseconds(20 * Int64(n + 1)))
            while buffer.withUnsafeMutableBytes({ pull.receive(into: $0) }) != nil { received += 1 }
        }
        var out: [String: JSONValue] = ["bench": "pcm-peer", "calls": .init(calls), "frames_received": .init(received),
                                        "frames_sent": .init(calls * ticks)]
        if counter.available, calls > 0 { out["allocs_per_frame"] = .number(Double(a1 - a0) / (Double(calls) * window * 50)) }
        print(JSONValue.object(out).encodedString())
    }
}

/// N RTP peers on one event loop: each sends a 20 ms G.711 packet every 20 ms to its engine session and counts
/// what comes back.
struct RTPPeerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rtp-peer")
    @Option var calls = 100
    @Option var basePort = 44000
    @Option var enginePort = 40000
    @Option var seconds = 12.0

    func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let counter = PeerCounter()
        var channels: [any Channel] = []
        for i in 0..<calls {
            let channel = try await DatagramBootstrap(group: loop)
                .channelInitializer { ch in ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(PeerHandler(counter: counter)) } }
                .bind(host: "127.0.0.1", port: basePort + 2 * i).get()
            channels.append(channel)
        }
        let targets = try (0..<calls).map { try SocketAddress(ipAddress: "127.0.0.1", port: enginePort + 2 * $0) }
        let payload = [UInt8](repeating: 0xFF, count: 160)
        let start = NIODeadline.now()
        let ticks = Int(seconds * 50)
        let finished = loop.makePromise(of: Void.self)
        let chans = channels
        @Sendable func tick(_ n: Int) {
            if n >= ticks { finished.succeed(()); return }
            for (i, ch) in chans.enumerated() {
                var buffer = ch.allocator.buffer(capacity: 172)
                let header = RTPHeader(marker: n == 0, payloadType: 0, sequenceNumber: UInt16(truncatingIfNeeded: n),
                                       timestamp: UInt32(truncatingIfNeeded: n * 160), ssrc: UInt32(1000 + i))
                var bytes = [UInt8](repeating: 0, count: 172)
                _ = bytes.withUnsafeMutableBytes { out in payload.withUnsafeBytes { try? header.write(into: out, payload: $0) } }
                buffer.writeBytes(bytes)
                ch.writeAndFlush(AddressedEnvelope(remoteAddress: targets[i], data: buffer), promise: nil)
            }
            counter.sent += chans.count
            loop.scheduleTask(deadline: start + .milliseconds(Int64(20 * (n + 1)))) { tick(n + 1) }
        }
        loop.execute { tick(0) }
        try await finished.futureResult.get()
        let received = try await loop.submit { counter.received }.get()
        let sent = try await loop.submit { counter.sent }.get()
        for ch in channels { try? await ch.close() }
        try await group.shutdownGracefully()
        print("{\"bench\":\"rtp-peer\",\"calls\":\(calls),\"sent\":\(sent),\"received\":\(received)}")
    }
}

final class PeerCounter: @unchecked Sendable {  // touched only on the peer's event loop
    var received = 0
    var sent = 0
}

final class PeerHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let counter: PeerCounter
    init(counter: PeerCounter) { self.counter = counter }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) { counter.received += 1 }
}
