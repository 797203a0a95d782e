#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A 16-bit PCM WAV writer for long recordings (the file backend's loudspeaker, call recording) that never loses
/// more than about a second of audio if the process dies.
///
/// Why it works this way: a WAV header holds the RIFF and data sizes, which are only known at the end. A writer
/// that fixes them only on close leaves a file that claims zero samples after a crash. So the header is written
/// at open with the sizes of an empty file (valid at once), samples are appended with write(2) straight from the
/// caller's buffer, and the two size fields are rewritten in place with pwrite(2) at most once per
/// `headerRefreshSamples` (default one second) and on close. At any moment the file parses; its sizes lag the data
/// by less than `headerRefreshSamples` samples. There is no fsync: that protects against power loss, not process
/// death, and would stall the audio thread; the kernel's page cache already survives the process.
///
/// Sizes are kept to the format's 32-bit limit: past 4 GiB (about 37 hours at 16 kHz stereo) the header stops
/// growing while samples are still appended.
///
/// Thread safety: single-thread-owned. `@unchecked Sendable` only so it can be created on one thread and handed to
/// the audio thread; it must not be used from two threads at once.
public final class WAVStreamWriter: @unchecked Sendable {
    public enum WriteError: Error, Sendable, Equatable, CustomStringConvertible {
        case cannotOpen(path: String, reason: String)
        case writeFailed(path: String, reason: String)

        public var description: String {
            switch self {
            case .cannotOpen(let path, let reason):
                "cannot create the WAV file '\(path)': \(reason); check that the directory exists and is writable"
            case .writeFailed(let path, let reason):
                "cannot write to the WAV file '\(path)': \(reason); check free disk space (df) and that the file system is still mounted and writable"
            }
        }
    }

    public let path: String
    public let sampleRate: Int
    public let channels: Int
    /// Samples (interleaved, counting every channel) between two header refreshes.
    public let headerRefreshSamples: Int
    /// Interleaved samples written so far (all channels counted: frames × channels).
    public private(set) var samplesWritten = 0

    private var descriptor: Int32
    /// `samplesWritten` when the header sizes were last written.
    private var samplesInHeader = 0
    /// Byte-swapping scratch for big-endian hosts only (allocated once); nil on little-endian ones, which write the
    /// caller's buffer directly.
    private let swapBuffer: UnsafeMutableBufferPointer<UInt16>?

    private static let headerBytes = 44
    private static let swapChunk = 4096

    /// Creates (or truncates) the file, mode 0644, and writes a header describing an empty recording.
    ///
    /// - Parameter headerRefreshSamples: interleaved samples between header rewrites; default one second
    ///   (`sampleRate × channels`). Smaller loses less on a crash for a few more system calls.
    public init(path: String, sampleRate: Int, channels: Int, headerRefreshSamples: Int? = nil) throws(WriteError) {
        guard sampleRate > 0, channels > 0 else {
            throw .cannotOpen(path: path, reason: "invalid format (\(channels) channel(s) at \(sampleRate) Hz); use at least 1 channel and a positive rate")
        }
        // Open and write the header before any stored property is set, so a failure leaves nothing to undo.
        descriptor = try Self.create(path: path, sampleRate: sampleRate, channels: channels)
        self.path = path
        self.sampleRate = sampleRate
        self.channels = channels
        self.headerRefreshSamples = max(1, headerRefreshSamples ?? sampleRate * channels)
        swapBuffer = 1.littleEndian == 1 ? nil : .allocate(capacity: Self.swapChunk)
    }

    /// Opens (creating or truncating) the file and writes the header of an empty recording; returns the descriptor.
    private static func create(path: String, sampleRate: Int, channels: Int) throws(WriteError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: errorText(errno)) }
        var header = [UInt8](repeating: 0, count: headerBytes)
        func put16(_ value: Int, at offset: Int) {
            header[offset] = UInt8(truncatingIfNeeded: value)
            header[offset + 1] = UInt8(truncatingIfNeeded: value >> 8)
        }
        func put32(_ value: Int, at offset: Int) {
            put16(value & 0xFFFF, at: offset)
            put16(value >> 16, at: offset + 2)
        }
        func putTag(_ tag: String, at offset: Int) {
            for (i, byte) in tag.utf8.enumerated() { header[offset + i] = byte }
        }
        putTag("RIFF", at: 0); put32(36, at: 4); putTag("WAVE", at: 8)
        putTag("fmt ", at: 12); put32(16, at: 16); put16(1, at: 20); put16(channels, at: 22)
        put32(sampleRate, at: 24); put32(sampleRate * channels * 2, at: 28); put16(channels * 2, at: 32); put16(16, at: 34)
        putTag("data", at: 36); put32(0, at: 40)
        let failure = header.withUnsafeBytes { writeAll(fd, $0.baseAddress!, $0.count) }
        if let failure {
            closeDescriptor(fd)
            throw .writeFailed(path: path, reason: failure)
        }
        return fd
    }

    deinit {
        close()
        swapBuffer?.deallocate()
    }

    /// Appends interleaved samples. The header is refreshed when `headerRefreshSamples` more have been written
    /// since the last refresh. A failed write leaves the file parseable up to what reached the disk.
    public func append(_ samples: UnsafeBufferPointer<Int16>) throws(WriteError) {
        guard descriptor >= 0 else { throw .writeFailed(path: path, reason: "the writer is already closed") }
        guard let base = samples.baseAddress, samples.count > 0 else { return }
        if let scratch = swapBuffer, let scratchBase = scratch.baseAddress {
            var done = 0
            while done < samples.count {
                let n = min(scratch.count, samples.count - done)
                for i in 0..<n { scratchBase[i] = UInt16(bitPattern: base[done + i]).littleEndian }
                if let failure = Self.writeAll(descriptor, scratchBase, n * 2) { throw .writeFailed(path: path, reason: failure) }
                samplesWritten += n
                done += n
            }
        } else {
            if let failure = Self.writeAll(descriptor, base, samples.count * 2) { throw .writeFailed(path: path, reason: failure) }
            samplesWritten += samples.count
        }
        if samplesWritten - samplesInHeader >= headerRefreshSamples {
            if let failure = writeSizes() { throw .writeFailed(path: path, reason: failure) }
        }
    }

    /// Fixes the header's sizes and closes the file. Idempotent; `deinit` calls it. A failure here cannot be
    /// reported (the samples are already in the file, and a reader copes with stale sizes), so it is ignored.
    public func close() {
        guard descriptor >= 0 else { return }
        _ = writeSizes()
        closeDescriptor(descriptor)
        descriptor = -1
    }

    /// Rewrites the RIFF and data sizes (offsets 4 and 40) without moving the append position.
    private func writeSizes() -> String? {
        let dataBytes = min(samplesWritten * 2, Int(UInt32.max) - 36)
        var riff = UInt32(dataBytes + 36).littleEndian
        var data = UInt32(dataBytes).littleEndian
        if let failure = Self.pwriteAll(descriptor, &riff, 4, at: 4) { return failure }
        if let failure = Self.pwriteAll(descriptor, &data, 4, at: 40) { return failure }
        samplesInHeader = samplesWritten
        return nil
    }

    /// write(2) until everything is written, retrying on EINTR and short writes; returns the error text on failure.
    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> String? {
        var done = 0
        while done < count {
            let n = write(fd, bytes + done, count - done)
            if n > 0 { done += n; continue }
            if n < 0 && errno == EINTR { continue }
            return n == 0 ? "the write made no progress" : errorText(errno)
        }
        return nil
    }

    private static func pwriteAll(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int, at offset: Int) -> String? {
        var done = 0
        while done < count {
            let n = pwrite(fd, bytes + done, count - done, off_t(offset + done))
            if n > 0 { done += n; continue }
            if n < 0 && errno == EINTR { continue }
            return n == 0 ? "the write made no progress" : errorText(errno)
        }
        return nil
    }

    private static func errorText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return "\(String(cString: text)) (errno \(code))"
    }
}

/// `close` is shadowed by the method inside the class; this names the C function unambiguously.
@inline(__always)
private func closeDescriptor(_ fd: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(fd)
    #elseif canImport(Musl)
    _ = Musl.close(fd)
    #elseif canImport(Darwin)
    _ = Darwin.close(fd)
    #endif
}
