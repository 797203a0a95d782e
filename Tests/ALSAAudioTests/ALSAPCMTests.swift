import Foundation
import Synchronization
import Testing
@testable import ALSAAudio
import AudioIO
#if canImport(Glibc)
import Glibc
#endif

/// The ALSA backend through real alsa-lib code, without a sound card: ALSA's own `null`, `file` and `multi`
/// plugins, defined in a test configuration. Nothing paces in real time, so every loop is bounded by a count.
@Suite("ALSA PCM", .serialized) struct ALSAPCMTests {
    let alsa = ALSATestConfig.shared

    @Test func classifiesReturnCodes() {
        #expect(ALSAPCM.classify(-EAGAIN) == .again)
        #expect(ALSAPCM.classify(-EINTR) == .again)
        #expect(ALSAPCM.classify(-EPIPE) == .recover)
        #expect(ALSAPCM.classify(-ESTRPIPE) == .recover)
        for fatal in [ENODEV, EIO, EBADFD, ENOTTY, ENXIO, EINVAL] {
            #expect(ALSAPCM.classify(-fatal) == .fatal)
        }
        #expect(ALSAPCM.classify(EPIPE) == .recover)  // a positive errno reads the same
    }

    @Test(arguments: [AudioFormat(sampleRate: 8000, channels: 1), AudioFormat(sampleRate: 48000, channels: 2)])
    func captureReadsTheExactSamplesOfTheInfile(format: AudioFormat) throws {
        let mic = try ALSACapture.open(device: "sipc_mic", format: format)
        defer { mic.close() }
        #expect(mic.format == format)
        #expect(mic.name == "sipc_mic")
        #expect(mic.periodFrames == format.frames(milliseconds: 20))
        let frames = format.sampleRate / 2  // 0.5 s; the infile holds 1 s at 48 kHz stereo
        let got = try readFrames(mic, frames: frames)
        #expect(got == Array(alsa.micSamples.prefix(frames * format.channels)))
        #expect(mic.xruns == 0)
    }

    @Test func playbackWritesTheExactSamplesToTheFile() throws {
        let spk = try ALSAPlayback.open(device: "sipc_spk", format: .call, periodMilliseconds: 10)
        #expect(spk.format == .call)
        #expect(spk.periodFrames == 80)
        let samples = (0..<8000).map(ALSATestConfig.pattern)
        #expect(try writeAll(spk, samples) == samples.count)
        spk.close()  // the file plugin writes its last buffer on close
        spk.close()  // idempotent
        #expect(try alsa.samples(inFile: "spk.raw") == samples)
    }

    /// `sipc_spk_stereo` takes exactly 2 channels (a `multi` over `null`): mono is refused, stereo is accepted.
    @Test func channelsFallBackToWhatTheDeviceTakes() throws {
        let spk = try ALSAPlayback.open(device: "sipc_spk_stereo", format: AudioFormat(sampleRate: 48000, channels: 1))
        #expect(spk.format == AudioFormat(sampleRate: 48000, channels: 2))
        #expect(spk.periodFrames == 960)
        let samples = (0..<(2 * 4800)).map(ALSATestConfig.pattern)
        #expect(try writeAll(spk, samples) == samples.count)
        spk.close()
        #expect(try alsa.samples(inFile: "spk-stereo.raw") == samples)
    }

    @Test func unknownDeviceIsNotFound() {
        let error = #expect(throws: AudioDeviceError.self) {
            _ = try ALSAPlayback.open(device: "sipc_no_such_device", format: .call)
        }
        #expect(error == .notFound(device: "sipc_no_such_device", detail: "No such file or directory"))
        #expect(error?.cause == "device_not_found")
        #expect(throws: AudioDeviceError.notFound(device: "sipc_no_such_device", detail: "No such file or directory")) {
            _ = try ALSACapture.open(device: "sipc_no_such_device", format: .call)
        }
    }

    @Test func unusableFormatsAreRefusedBeforeALSA() {
        for format in [AudioFormat(sampleRate: 96000, channels: 1), AudioFormat(sampleRate: 4000, channels: 1),
                       AudioFormat(sampleRate: 8000, channels: 3), AudioFormat(sampleRate: 8000, channels: 0)] {
            // Even for a name ALSA does not know: the request is checked first.
            let error = #expect(throws: AudioDeviceError.self) {
                _ = try ALSACapture.open(device: "sipc_no_such_device", format: format)
            }
            #expect(error?.cause == "unsupported_format")
            #expect(throws: AudioDeviceError.self) { _ = try ALSAPlayback.open(device: "sipc_spk_unused", format: format) }
        }
    }

    @Test func closedDeviceReportsItselfClosed() throws {
        let mic = try ALSACapture.open(device: "sipc_mic", format: .call)
        mic.close()
        var buffer = [Int16](repeating: 0, count: 160)
        #expect(throws: AudioDeviceError.disconnected(device: "sipc_mic", detail: "device was closed")) {
            _ = try buffer.withUnsafeMutableBufferPointer { try mic.read(into: $0, maxFrames: 160) }
        }
    }

    /// A device that disappears mid-call and comes back, through real ALSA code and plugins only:
    /// - the `file` plugin writes to a pipe given as a file descriptor (`file <fd>`, so opening never blocks the way
    ///   a FIFO path would); closing the pipe's read end makes its next flush fail with EPIPE (SIGPIPE ignored),
    ///   which alsa-lib 1.2.8 returns from snd_pcm_writei *and* snd_pcm_readi (capture tees into `file`) as -EIO;
    /// - removing the PCM definition from a file in ALSA_CONFIG_PATH (new mtime) makes the next snd_pcm_open
    ///   reload the configuration and fail with "Unknown PCM" (-ENOENT); putting it back makes it work again.
    @Test func deviceLossIsReportedAndTheDeviceCanComeBack() throws {
        var spkPipe = try TestPipe(), micPipe = try TestPipe()
        try alsa.writeLossConfig(speakerFD: spkPipe.writeFD, microphoneFD: micPipe.writeFD)
        var spk = try ALSAPlayback.open(device: "sipc_lost_spk", format: .call)
        var mic = try ALSACapture.open(device: "sipc_lost_mic", format: .call)

        // Working: what is written reaches the pipe (the plugin holds back one buffer), capture reads the infile.
        let samples = (0..<1600).map(ALSATestConfig.pattern)
        #expect(try writeAll(spk, samples) == samples.count)
        let piped = spkPipe.drain()
        #expect(!piped.isEmpty && piped == Array(samples.prefix(piped.count)))
        #expect(try readFrames(mic, frames: 1600) == Array(alsa.micSamples.prefix(1600)))
        _ = micPipe.drain()

        // Lost: the sinks' readers go away.
        spkPipe.closeReadEnd()
        micPipe.closeReadEnd()
        let spkError = firstError(maxCalls: 100) { try writeAll(spk, Array(samples.prefix(160))) }
        #expect(spkError == .disconnected(device: "sipc_lost_spk", detail: "snd_pcm_writei: Input/output error"))
        #expect(spkError?.cause == "device_lost")
        let micError = firstError(maxCalls: 100) { try readFrames(mic, frames: 160) }
        #expect(micError == .disconnected(device: "sipc_lost_mic", detail: "snd_pcm_readi: Input/output error"))
        spk.close()
        mic.close()
        spkPipe.closeWriteEnd()
        micPipe.closeWriteEnd()

        // Gone: reopening fails the way an unplugged card's name does.
        try alsa.writeLossConfig(speakerFD: nil, microphoneFD: nil)
        #expect(throws: AudioDeviceError.notFound(device: "sipc_lost_spk", detail: "No such file or directory")) {
            _ = try ALSAPlayback.open(device: "sipc_lost_spk", format: .call)
        }
        #expect(throws: AudioDeviceError.notFound(device: "sipc_lost_mic", detail: "No such file or directory")) {
            _ = try ALSACapture.open(device: "sipc_lost_mic", format: .call)
        }

        // Back: the same names open and carry sound again.
        spkPipe = try TestPipe()
        micPipe = try TestPipe()
        defer { spkPipe.closeReadEnd(); spkPipe.closeWriteEnd(); micPipe.closeReadEnd(); micPipe.closeWriteEnd() }
        try alsa.writeLossConfig(speakerFD: spkPipe.writeFD, microphoneFD: micPipe.writeFD)
        spk = try ALSAPlayback.open(device: "sipc_lost_spk", format: .call)
        mic = try ALSACapture.open(device: "sipc_lost_mic", format: .call)
        #expect(try writeAll(spk, samples) == samples.count)
        #expect(try readFrames(mic, frames: 800) == Array(alsa.micSamples.prefix(800)))
        spk.close()
        mic.close()
        #expect(spkPipe.drain() == samples)  // close flushed the rest
    }
}

// MARK: Helpers

/// Reads `frames` frames period by period (the plugins always have data; the bound only stops a broken loop).
private func readFrames(_ mic: ALSACapture, frames: Int) throws -> [Int16] {
    let channels = mic.format.channels
    var out: [Int16] = []
    var chunk = [Int16](repeating: 0, count: mic.periodFrames * channels)
    for _ in 0..<10_000 where out.count < frames * channels {
        let want = min(mic.periodFrames, frames - out.count / channels)
        let n = try chunk.withUnsafeMutableBufferPointer { try mic.read(into: $0, maxFrames: want) }
        out += chunk[0..<(n * channels)]
    }
    return out
}

/// Writes all of `samples` period by period; returns the samples the device took.
@discardableResult
private func writeAll(_ spk: ALSAPlayback, _ samples: [Int16]) throws -> Int {
    let channels = spk.format.channels
    var offset = 0
    for _ in 0..<10_000 where offset < samples.count {
        let frames = min(spk.periodFrames, (samples.count - offset) / channels)
        let n = try samples.withUnsafeBufferPointer {
            try spk.write(UnsafeBufferPointer(rebasing: $0[offset...]), frames: frames)
        }
        offset += n * channels
    }
    return offset
}

/// Repeats `body` until it throws an `AudioDeviceError` (at most `maxCalls` times).
private func firstError(maxCalls: Int, _ body: () throws -> Any) -> AudioDeviceError? {
    for _ in 0..<maxCalls {
        do { _ = try body() } catch let error as AudioDeviceError { return error } catch { return nil }
    }
    return nil
}

/// A pipe standing in for a device's sink: the test reads (non-blocking) what the `file` plugin wrote.
struct TestPipe {
    private(set) var readFD: Int32 = -1
    private(set) var writeFD: Int32 = -1

    init() throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw POSIXError(.EMFILE) }
        readFD = fds[0]
        writeFD = fds[1]
        // Close-on-exec: a child process (sox in other tests) must not keep the read end alive.
        _ = fcntl(readFD, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeFD, F_SETFD, FD_CLOEXEC)
        _ = fcntl(readFD, F_SETFL, O_NONBLOCK)
    }

    /// Everything written so far, as samples (pipes never hold more than 64 KiB, so drain before that).
    func drain() -> [Int16] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(readFD, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return ALSATestConfig.decode(bytes)
    }

    mutating func closeReadEnd() {
        if readFD >= 0 { Glibc.close(readFD) }
        readFD = -1
    }

    mutating func closeWriteEnd() {
        if writeFD >= 0 { Glibc.close(writeFD) }
        writeFD = -1
    }
}

/// The ALSA configuration of this test process, written once: ALSA_CONFIG_PATH is process-wide, so every test
/// (of any suite) that opens ALSA devices should use these names rather than set its own path.
/// alsa-lib re-reads the files named there whenever one's mtime or inode changes (snd_config_update, at every
/// snd_pcm_open), which is what `writeLossConfig` relies on.
final class ALSATestConfig: Sendable {
    static let shared = ALSATestConfig()

    let directory: String
    /// The infile of `sipc_mic`: 1 s of 48 kHz stereo, long enough for every read (past its end the file
    /// plugin repeats stale samples instead of failing).
    let micSamples: [Int16]
    private let lossConfig: String
    private let lossGeneration = Mutex(0)

    /// A sequence that never repeats within 65536 samples, so an offset or a dropped period shows.
    static func pattern(_ i: Int) -> Int16 { Int16(truncatingIfNeeded: i &* 7919 &+ 11) }

    private init() {
        signal(SIGPIPE, SIG_IGN)  // as in sip-audio: a broken pipe is an error return, not death
        directory = NSTemporaryDirectory() + "sipc-alsa-\(getpid())"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        micSamples = (0..<96000).map(Self.pattern)
        _ = FileManager.default.createFile(atPath: directory + "/mic.raw", contents: Self.encode(micSamples))
        let main = directory + "/test.conf"
        lossConfig = directory + "/loss.conf"
        let text = """
            pcm.sipc_mic { type file; slave.pcm "null"; file "/dev/null"; infile "\(directory)/mic.raw"; format "raw" }
            pcm.sipc_spk { type file; slave.pcm "null"; file "\(directory)/spk.raw"; format "raw" }
            pcm.sipc_stereo_only {
                type multi; slaves.a.pcm "null"; slaves.a.channels 2
                bindings.0 { slave a; channel 0 }
                bindings.1 { slave a; channel 1 }
            }
            pcm.sipc_spk_stereo { type file; slave.pcm "sipc_stereo_only"; file "\(directory)/spk-stereo.raw"; format "raw" }

            """
        _ = FileManager.default.createFile(atPath: main, contents: Data(text.utf8))
        try? writeLossConfig(speakerFD: nil, microphoneFD: nil)
        alsaTestDirectory.withLock { [directory] in $0 = directory }
        atexit { alsaTestDirectory.withLock { if let dir = $0 { try? FileManager.default.removeItem(atPath: dir) } } }
        // alsa.conf first: it defines `null` and the plugin types; ours only add names.
        setenv("ALSA_CONFIG_PATH", "/usr/share/alsa/alsa.conf:\(main):\(lossConfig)", 1)
    }

    /// Defines `sipc_lost_spk` / `sipc_lost_mic` writing to the given pipe descriptors, or removes them (nil).
    /// The file is replaced (new inode) and given a new mtime, so alsa-lib notices within the same second.
    func writeLossConfig(speakerFD: Int32?, microphoneFD: Int32?) throws {
        var text = "# sipc_lost_spk and sipc_lost_mic exist only while the device-loss test plugs them in\n"
        if let speakerFD {
            text += "pcm.sipc_lost_spk { type file; slave.pcm \"null\"; file \(speakerFD); format \"raw\" }\n"
        }
        if let microphoneFD {
            text += "pcm.sipc_lost_mic { type file; slave.pcm \"null\"; file \(microphoneFD); infile \"\(directory)/mic.raw\"; format \"raw\" }\n"
        }
        let generation = lossGeneration.withLock { g in g += 1; return g }
        let temporary = lossConfig + ".new"
        try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_000_000_000 + Double(generation))],
                                              ofItemAtPath: temporary)
        guard rename(temporary, lossConfig) == 0 else { throw POSIXError(.EIO) }
    }

    func samples(inFile name: String) throws -> [Int16] {
        Self.decode(Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))))
    }

    static func encode(_ samples: [Int16]) -> Data {
        samples.withUnsafeBufferPointer { Data(buffer: $0) }  // little-endian host, like S16_LE
    }

    static func decode(_ bytes: [UInt8]) -> [Int16] {
        stride(from: 0, to: bytes.count - 1, by: 2).map { Int16(bitPattern: UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8) }
    }
}

/// For the atexit cleanup, which cannot capture context.
private let alsaTestDirectory = Mutex<String?>(nil)
