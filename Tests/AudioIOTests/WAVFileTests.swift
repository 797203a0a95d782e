import Foundation
import Testing
@testable import AudioIO

/// The file backend's WAV handling, including files made by a third-party tool (sox) and bad ones.
@Suite("WAV files") struct WAVFileTests {
    @Test func roundTripKeepsEverySample() throws {
        let wav = WAVFile(sampleRate: 8000, channels: 1, samples: (0..<800).map { Int16(truncatingIfNeeded: $0 &* 97) })
        #expect(try WAVFile.parse(wav.serialized()) == wav)
        #expect(wav.duration == 0.1)
    }

    @Test func readsAFileMadeBySox() throws {
        let path = NSTemporaryDirectory() + "wav-\(getpid())-sox.wav"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sox = Process()
        sox.executableURL = URL(fileURLWithPath: "/usr/bin/sox")
        sox.arguments = ["-n", "-r", "16000", "-c", "2", "-b", "16", path, "synth", "0.5", "sine", "1000"]
        try sox.run()
        sox.waitUntilExit()
        try #require(sox.terminationStatus == 0)
        let wav = try WAVFile.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        #expect(wav.sampleRate == 16000 && wav.channels == 2 && wav.samples.count == 16000)
        #expect(wav.samples.map { abs(Int($0)) }.max() ?? 0 > 20000)  // a full-scale sine, not silence
    }

    @Test func badFilesAreRefusedWithTheCauseAndTheFix() throws {
        #expect(throws: WAVFile.ParseError.notRIFF) { try WAVFile.parse(Array("ID3 this is an mp3".utf8)) }
        #expect(throws: WAVFile.ParseError.truncated(needed: 12, available: 4)) { try WAVFile.parse(Array("RIFF".utf8)) }
        var bytes = WAVFile(sampleRate: 8000, channels: 1, samples: [1, 2, 3]).serialized()
        bytes[20] = 3  // format tag 3: IEEE float
        let float = bytes
        let floatResult = Result { () throws(WAVFile.ParseError) in try WAVFile.parse(float) }
        #expect(floatResult == .failure(.unsupportedFormat(formatTag: 3, bitsPerSample: 16)))
        let mono96k = WAVFile(sampleRate: 96000, channels: 1, samples: [0]).serialized()
        #expect(throws: WAVFile.ParseError.unsupportedLayout(sampleRate: 96000, channels: 1)) { try WAVFile.parse(mono96k) }
        // A data chunk that claims more than the file holds (writer died): read what is there.
        let cut = Array(WAVFile(sampleRate: 8000, channels: 1, samples: [5, 6, 7, 8]).serialized().dropLast(4))
        #expect(try WAVFile.parse(cut).samples == [5, 6])
        #expect(WAVFile.ParseError.notRIFF.description.contains("sox"))
        // Random bytes never trap.
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            var bytes = (0..<Int.random(in: 0...80, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if bytes.count >= 12, Bool.random(using: &rng) { bytes.replaceSubrange(0..<12, with: Array("RIFF\u{0}\u{0}\u{0}\u{0}WAVE".utf8)) }
            _ = try? WAVFile.parse(bytes)
        }
    }
}
