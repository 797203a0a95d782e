import Bus
import Foundation
import Synchronization
import Wire

/// Receives the PCM frames meant for the speaker on sip-audio's PULL socket (`audio-out.sock`).
///
/// Every frame is validated against the PCM frame layout; a malformed one is dropped and counted, never
/// played (noise on a call is worse than a gap). The null backend discards valid frames after counting them;
/// device backends (issue 5) consume them.
public final class PlaybackSink: Sendable {
    public struct Counters: Sendable, Equatable {
        public var frames = 0
        public var samples = 0
        public var malformed = 0
        public var lastError: String?
    }

    private let endpoint: BusEndpoint
    private let counters = Mutex(Counters())
    private let pump: Mutex<Task<Void, Never>?> = Mutex(nil)

    public init(bindTo address: String) throws(BusError) {
        var spec = SocketSpec(type: .pull, bind: [address])
        spec.receiveHighWaterMark = 50  // one second of 20 ms frames; older audio is useless
        spec.maxMessageSize = Int64(PCMFrame.slotSize)
        endpoint = try BusEndpoint(name: "playback", sockets: [spec], inboundBuffer: 50)
        let inbound = endpoint.inbound
        let task = Task { [weak self] in
            for await message in inbound {
                self?.consume(message.frames)
            }
        }
        pump.withLock { $0 = task }
    }

    private func consume(_ frames: [[UInt8]]) {
        guard frames.count == 1 else {
            counters.withLock {
                $0.malformed += 1
                $0.lastError = "multipart message of \(frames.count) parts; a PCM frame is one part"
            }
            return
        }
        let result = frames[0].withUnsafeBytes { bytes -> Result<PCMFrameHeader, PCMFrameError> in
            do throws(PCMFrameError) { return .success(try PCMFrame.decodeHeader(bytes)) } catch { return .failure(error) }
        }
        counters.withLock {
            switch result {
            case .success(let header):
                $0.frames += 1
                $0.samples += header.totalSamples
            case .failure(let error):
                $0.malformed += 1
                $0.lastError = "\(error)"
            }
        }
    }

    public var stats: Counters { counters.withLock { $0 } }

    public func shutdown() {
        endpoint.shutdown()
        pump.withLock { $0?.cancel() }
    }
}
