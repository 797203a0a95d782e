import AudioIO
import Dispatch

/// Records one call to a WAV file on demand (`media.record`): both directions, either as stereo (left: what we send,
/// right: what we receive and play) or mixed to mono. Frames are collected on the event loop without I/O and written
/// once a second on a background queue, so the 20 ms tick never waits for the disk.
final class CallRecorder: @unchecked Sendable {  // used from the event loop; writes on `writes`
    enum Mode: String, Sendable { case stereo, mixed }

    let path: String
    let mode: Mode
    private let writer: WAVStreamWriter
    private var pending: [Int16] = []
    private(set) var frames = 0
    private var failure: String?
    private static let writes = DispatchQueue(label: "sip-rtp.recordings")
    /// Frames collected before a write is queued (one second).
    private static let batchFrames = 50

    init(path: String, mode: Mode) throws(WAVStreamWriter.WriteError) {
        self.path = path
        self.mode = mode
        writer = try WAVStreamWriter(path: path, sampleRate: 8000, channels: mode == .stereo ? 2 : 1)
        pending.reserveCapacity(Self.batchFrames * 320)
    }

    /// One 20 ms frame of each direction (160 samples each; missing audio is silence).
    func add(sent: UnsafeBufferPointer<Int16>, received: UnsafeBufferPointer<Int16>?) {
        for i in 0..<160 {
            let local = i < sent.count ? sent[i] : 0
            let remote = received.map { i < $0.count ? $0[i] : 0 } ?? 0
            if mode == .stereo {
                pending.append(local)
                pending.append(remote)
            } else {
                pending.append(Int16(clamping: Int(local) + Int(remote)))
            }
        }
        frames += 1
        if frames % Self.batchFrames == 0 { flush() }
    }

    private func flush() {
        guard !pending.isEmpty else { return }
        let batch = pending
        pending.removeAll(keepingCapacity: true)
        let writer = writer
        Self.writes.async {
            do { try batch.withUnsafeBufferPointer { try writer.append($0) } } catch { /* reported at finish */ }
        }
    }

    /// Writes what is left and closes the file; returns the seconds recorded. Waits for the queued writes.
    func finish() -> Double {
        flush()
        let writer = writer
        Self.writes.sync { writer.close() }
        return Double(frames) / 50
    }
}
