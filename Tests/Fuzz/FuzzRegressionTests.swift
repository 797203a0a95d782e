import Config
import Foundation
import MediaCore
import SDP
import SIPCore
import Testing
import Wire

/// Replays every seed and every input that once crashed a fuzz target (Tests/Fuzz/corpus and Tests/Fuzz/regressions)
/// through the same entry points libFuzzer drives, so a fixed crash stays fixed in every ordinary test run.
@Suite struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    static func inputs(_ target: String) -> [URL] {
        ["corpus", "regressions"].flatMap { folder -> [URL] in
            let dir = root.appendingPathComponent(folder).appendingPathComponent(target)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            return names.filter { $0 != "README" }.sorted().map { dir.appendingPathComponent($0) }
        }
    }

    @Test(arguments: ["sip", "sdp", "rtp", "rtcp", "bus", "config"])
    func everyKnownInputIsHandledWithoutATrap(_ target: String) throws {
        let files = Self.inputs(target)
        #expect(!files.isEmpty, "the \(target) target has a seed corpus")
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: file))
            bytes.withUnsafeBytes { buffer in
                switch target {
                case "sip": fuzzParseSIP(buffer)
                case "sdp": _ = try? SDPParser.parse(Array(buffer))
                case "rtp": fuzzParseRTP(buffer)
                case "rtcp": fuzzParseRTCP(buffer)
                case "bus": fuzzDecodeBusMessage(buffer)
                default: fuzzLoadConfiguration(buffer)
                }
            }
        }
    }
}
