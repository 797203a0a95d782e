import AudioDSP
import AudioIO
import Bus
import Foundation
import Timebase
import Wire

/// `sipc call --play WAV`: sends a WAV file into the call in place of the microphone, through the call's media
/// worker's inject socket (docs/PROTOCOL.md, media worker sockets), paced at 20 ms; silence after its end.
final class CallFilePlayer: Sendable {
    private let samples: [Int16]

    /// Reads and converts the file (any 16-bit PCM WAV) to the call's 8 kHz mono now, so a bad file fails the
    /// command before the call is placed.
    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationFailure("cannot read '\(path)'; give an existing 16-bit PCM WAV file")
        }
        let wav: WAVFile
        do { wav = try WAVFile.parse([UInt8](data)) } catch { throw ValidationFailure("'\(path)': \(error)") }
        var mono = wav.samples
        if wav.channels == 2 {
            let interleaved = wav.samples
            mono = [Int16](repeating: 0, count: interleaved.count / 2)
            interleaved.withUnsafeBufferPointer { input in
                mono.withUnsafeMutableBufferPointer { SampleOps.downmix(input, channels: 2, frames: $0.count, into: $0) }
            }
        }
        if wav.sampleRate != 8000 {
            let resampler = try Resampler(channels: 1, inputRate: wav.sampleRate, outputRate: 8000)
            mono = resampler.process(mono) + resampler.process([Int16](repeating: 0, count: wav.sampleRate / 50))
        }
        samples = mono
    }

    /// Starts sending on the call's capture stream; stop it with `stop()` on the result.
    func start(address: String, stream: UInt32) throws -> Playing {
        var spec = SocketSpec(type: .push, connect: [address])
        spec.sendHighWaterMark = 20
        let endpoint = try BusEndpoint(name: "play", sockets: [spec])
        let samples = self.samples
        return Playing(endpoint: endpoint, task: Task {
            var n = 0
            let start = MonotonicClock.now()
            var frame = [UInt8](repeating: 0, count: PCMFrame.headerSize + 320)
            var chunk = [Int16](repeating: 0, count: 160)
            while !Task.isCancelled {
                let offset = n * 160
                for i in 0..<160 { chunk[i] = offset + i < samples.count ? samples[offset + i] : 0 }
                let header = PCMFrameHeader.twentyMilliseconds(streamID: stream, sequence: UInt32(truncatingIfNeeded: n), timestamp: UInt64(offset),
                                                               sampleRate: 8000, channels: 1, flags: offset >= samples.count ? [.silence] : [])
                _ = frame.withUnsafeMutableBytes { out in chunk.withUnsafeBufferPointer { try? PCMFrame.encode(header, samples: $0, into: out) } }
                endpoint.send([frame])
                n += 1
                do { try await Task.sleep(for: (start + .milliseconds(20 * n)) - MonotonicClock.now()) } catch { return }
            }
        })
    }

    struct Playing: Sendable {
        let endpoint: BusEndpoint
        let task: Task<Void, Never>
        func stop() {
            task.cancel()
            endpoint.shutdown()
        }
    }
}

/// `sipc call --record WAV`: what the far end sends (what the user hears), from the worker's tap socket, as an
/// 8 kHz mono WAV kept valid while it grows.
final class CallFileRecorder: Sendable {
    private let endpoint: BusEndpoint
    private let writer: WAVStreamWriter
    private let pump: Task<Void, Never>

    init(path: String, address: String, stream: UInt32) throws {
        writer = try WAVStreamWriter(path: path, sampleRate: 8000, channels: 1)
        var spec = SocketSpec(type: .sub, connect: [address])
        spec.subscriptions = [PCMFrame.streamPrefix(stream)]
        endpoint = try BusEndpoint(name: "record", sockets: [spec])
        let inbound = endpoint.inbound, writer = self.writer
        pump = Task {
            var samples = [Int16](repeating: 0, count: PCMFrame.maxTotalSamples)
            for await message in inbound where message.frames.count == 1 {
                message.frames[0].withUnsafeBytes { raw in
                    guard let h = try? PCMFrame.decodeHeader(raw), h.sampleRate == 8000, h.channels == 1 else { return }
                    let count = h.totalSamples
                    samples.withUnsafeMutableBufferPointer { buffer in
                        let target = UnsafeMutableBufferPointer(rebasing: buffer[0..<count])
                        guard (try? PCMFrame.readSamples(raw, header: h, into: target)) != nil else { return }
                        try? writer.append(UnsafeBufferPointer(target))
                    }
                }
            }
        }
    }

    var samplesWritten: Int { writer.samplesWritten }

    func close() {
        endpoint.shutdown()
        pump.cancel()
        writer.close()
    }
}

struct ValidationFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
