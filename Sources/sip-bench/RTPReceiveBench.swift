import ArgumentParser
import AudioIO
import Foundation
import MediaWorker
import Synchronization
import Wire

/// The product's receive path as a command for the speech-quality benchmark (scripts/media/pesq_bench.py):
/// a real media engine session (RTP parsing, jitter buffer, concealment, G.711) listening on one port, whose
/// played frames are written to a WAV file instead of going to sip-audio.
struct RTPReceive: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rtp-receive")
    @Option var port: Int
    @Option var seconds: Double
    @Option var out: String
    @Option var payloadType = 0

    func run() async throws {
        let recorder = WAVRecorder()
        let engine = MediaEngine(audio: recorder) { _ in }
        engine.setHost("127.0.0.1")
        engine.start()
        guard case .success = await engine.allocate(call: "bench", port: port) else { throw ValidationError("cannot bind port \(port)") }
        let remote = RemoteMedia(address: "127.0.0.1", port: 9, codec: payloadType == 8 ? .pcma : .pcmu, payloadType: payloadType,
                                 direction: .recvonly)
        let spec = try MediaStartSpec(MediaAPI.Start(call: "bench", remote: remote, streams: PCMStreams(playback: 0, capture: 0)))
        _ = await engine.start(call: "bench", spec: spec)
        try await Task.sleep(for: .seconds(seconds))
        _ = await engine.release(call: "bench")
        await engine.shutdown()
        try recorder.write(to: out)
    }
}

/// Collects played frames (from the first non-silent one on) and writes 8 kHz mono 16-bit WAV.
final class WAVRecorder: MediaPlayoutSink {
    private let samples = Mutex<[Int16]>([])
    private let started = Mutex(false)

    func play(_ frame: PlayedFrame) {
        let go = started.withLock { s -> Bool in
            if !frame.silent { s = true }
            return s
        }
        if go { samples.withLock { $0 += frame.samples } }
    }

    func endStream(_ stream: UInt32, sequence: UInt32, timestamp: UInt64) {}

    func write(to path: String) throws {
        let wav = WAVFile(sampleRate: 8000, channels: 1, samples: samples.withLock { $0 })
        try Data(wav.serialized()).write(to: URL(fileURLWithPath: path))
    }
}
