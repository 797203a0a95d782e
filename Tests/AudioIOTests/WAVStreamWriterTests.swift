import Foundation
import Testing
@testable import AudioIO

/// Long recordings written as they play: the file must parse at any moment (a crash loses at most a second).
@Suite("WAV stream writer") struct WAVStreamWriterTests {
    static func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "wavstream-\(getpid())-\(name).wav"
    }

    static func parse(_ path: String) throws -> WAVFile {
        let data = try #require(FileManager.default.contents(atPath: path))
        return try WAVFile.parse([UInt8](data))
    }

    /// A deterministic, non-repeating test signal so that any misplaced sample shows.
    static func signal(count: Int) -> [Int16] {
        (0..<count).map { Int16(truncatingIfNeeded: $0 &* 7919 &+ ($0 >> 3)) }
    }

    @Test func roundTripWhileWritingAndAfterClose() throws {
        let path = Self.temporaryPath("mono")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let rate = 8000
        let all = Self.signal(count: 3 * rate)
        let writer = try WAVStreamWriter(path: path, sampleRate: rate, channels: 1)
        #expect(writer.headerRefreshSamples == rate)

        // Parseable from the start: an empty recording.
        let empty = try Self.parse(path)
        #expect(empty.sampleRate == rate && empty.channels == 1 && empty.samples.isEmpty)

        let chunks = [37, 113, 251, 7, 499]
        var written = 0, step = 0, checks = 0
        while written < all.count {
            let n = min(chunks[step % chunks.count], all.count - written)
            try all.withUnsafeBufferPointer { try writer.append(UnsafeBufferPointer(rebasing: $0[written..<written + n])) }
            written += n
            step += 1
            #expect(writer.samplesWritten == written)
            if step % 9 == 0 {
                // Mid-recording, as a reader (or a post-mortem) would see it: valid, lagging by less than a second.
                let partial = try Self.parse(path)
                #expect(partial.sampleRate == rate && partial.channels == 1)
                #expect(partial.samples.count <= written && written - partial.samples.count < rate)
                #expect(partial.samples[...] == all[..<partial.samples.count])
                checks += 1
            }
        }
        #expect(checks > 10)
        let beforeClose = try Self.parse(path)
        #expect(beforeClose.samples.count >= 2 * rate)  // the header really was refreshed along the way

        writer.close()
        let final = try Self.parse(path)
        #expect(final == WAVFile(sampleRate: rate, channels: 1, samples: all))
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == 44 + 2 * all.count)
        writer.close()  // idempotent
        #expect(try Self.parse(path) == final)
    }

    @Test func headerRefreshesExactlyAtTheInterval() throws {
        let path = Self.temporaryPath("stereo")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try WAVStreamWriter(path: path, sampleRate: 16000, channels: 2, headerRefreshSamples: 1000)
        let data = Self.signal(count: 2500)
        try data.withUnsafeBufferPointer { try writer.append(UnsafeBufferPointer(rebasing: $0[..<998])) }
        #expect(try Self.parse(path).samples.isEmpty)  // not yet: at most one rewrite per 1000 samples
        try data.withUnsafeBufferPointer { try writer.append(UnsafeBufferPointer(rebasing: $0[998..<1002])) }
        #expect(try Self.parse(path).samples == Array(data[..<1002]))
        try data.withUnsafeBufferPointer { try writer.append(UnsafeBufferPointer(rebasing: $0[1002..<1900])) }
        #expect(try Self.parse(path).samples == Array(data[..<1002]))  // 898 more: still lagging
        try data.withUnsafeBufferPointer { try writer.append(UnsafeBufferPointer(rebasing: $0[1900...])) }
        #expect(try Self.parse(path).samples == data)  // 1498 since the last refresh: refreshed
        writer.close()
        let final = try Self.parse(path)
        #expect(final == WAVFile(sampleRate: 16000, channels: 2, samples: data))
        #expect(final.duration == 2500.0 / 2 / 16000)
    }

    @Test func deinitFixesTheHeader() throws {
        let path = Self.temporaryPath("deinit")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let data = Self.signal(count: 333)
        do {
            let writer = try WAVStreamWriter(path: path, sampleRate: 8000, channels: 1)
            try data.withUnsafeBufferPointer { try writer.append($0) }
        }
        #expect(try Self.parse(path).samples == data)
    }

    @Test func appendAfterCloseIsRefused() throws {
        let path = Self.temporaryPath("closed")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try WAVStreamWriter(path: path, sampleRate: 8000, channels: 1)
        writer.close()
        let one: [Int16] = [1]
        #expect(throws: WAVStreamWriter.WriteError.self) { try one.withUnsafeBufferPointer { try writer.append($0) } }
        #expect(try Self.parse(path).samples.isEmpty)
    }

    @Test func aMissingDirectoryIsReportedWithThePathAndTheFix() {
        let path = NSTemporaryDirectory() + "no-such-dir-\(getpid())/rec.wav"
        do {
            _ = try WAVStreamWriter(path: path, sampleRate: 8000, channels: 1)
            Issue.record("opening \(path) should have failed")
        } catch {
            guard case .cannotOpen(let failedPath, let reason) = error else {
                Issue.record("expected cannotOpen, got \(error)")
                return
            }
            #expect(failedPath == path)
            #expect(reason.contains("No such file or directory"))
            #expect(error.description.contains(path))
            #expect(error.description.contains("directory exists and is writable"))
        }
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func aFullDiskIsReportedAsAWriteFailure() {
        let buffer = UnsafeMutableBufferPointer<Int16>.allocate(capacity: 160)
        buffer.initialize(repeating: 1000)
        defer { buffer.deallocate() }
        do throws(WAVStreamWriter.WriteError) {
            // /dev/full accepts open() and fails every write with ENOSPC: here already on the header.
            let writer = try WAVStreamWriter(path: "/dev/full", sampleRate: 8000, channels: 1)
            try writer.append(UnsafeBufferPointer(buffer))
            Issue.record("writing to /dev/full should have failed")
        } catch {
            guard case .writeFailed(let path, let reason) = error else {
                Issue.record("expected writeFailed, got \(error)")
                return
            }
            #expect(path == "/dev/full")
            #expect(reason.contains("No space left on device"))
            #expect(error.description.contains("disk space"))
        }
    }
}
