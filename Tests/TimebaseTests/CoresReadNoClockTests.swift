import Foundation
import Testing

/// The pure cores take the time as `now:` and never read a clock: only adapters call `MonotonicClock.now()`.
/// This scans their sources, so a clock read slipping into a core fails here with its file and line.
@Suite("Cores read no clock")
struct CoresReadNoClockTests {
    static let coreModules = ["SIPCore", "SIPTransaction", "SIPDialog", "SIPRegistration", "SIPDigest", "SDP", "SIPSession",
                              "MediaCore", "MediaQuality", "JitterBuffer", "Wire", "MediaWorker/Session",
                              "Orchestrator/Coordinator", "Orchestrator/Journal"]
    static let coreFiles = ["Orchestrator/SupervisorCore.swift"]

    /// Ways of reading a clock, as they appear in Swift source.
    static let forbidden: [(name: String, spellings: [String])] = [
        ("MonotonicClock.now", ["MonotonicClock.now"]),
        ("DispatchTime", ["DispatchTime", "DispatchWallTime"]),
        ("ContinuousClock", ["ContinuousClock"]),
        ("SuspendingClock", ["SuspendingClock"]),
        ("clock_gettime", ["clock_gettime", "gettimeofday", "mach_absolute_time"]),
        ("Date()", ["Date()", "Date.now"]),
    ]

    /// The clock reads on one line of Swift, ignoring what follows `//`: the spellings above, and `.now` on
    /// anything named like a clock (`clock.now`, `NIODeadline.now()`, `instant.now`).
    static func clockReads(in line: Substring) -> [String] {
        let code = line.range(of: "//").map { line[..<$0.lowerBound] } ?? line
        var reads = forbidden.filter { entry in entry.spellings.contains { code.contains($0) } }.map(\.name)
        var rest = code[...]
        while let dot = rest.range(of: ".now") {
            var receiver = code[..<dot.lowerBound]
            if receiver.hasSuffix("()") { receiver = receiver.dropLast(2) }
            let name = String(receiver.reversed().prefix(while: isIdentifierCharacter).reversed()).lowercased()
            let endsThere = code[dot.upperBound...].first.map { !isIdentifierCharacter($0) } ?? true
            if endsThere, ["clock", "deadline", "instant"].contains(where: name.contains) {
                reads.append(".now on a clock")
                break
            }
            rest = code[dot.upperBound...]
        }
        return reads
    }

    static func isIdentifierCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }

    @Test func noCoreReadsAClock() throws {
        // The detector itself.
        #expect(Self.clockReads(in: "let t = ContinuousClock.now").contains("ContinuousClock"))
        #expect(Self.clockReads(in: "x = clock.now - origin") == [".now on a clock"])
        #expect(Self.clockReads(in: "let d = NIODeadline.now() + .seconds(1)") == [".now on a clock"])
        #expect(Self.clockReads(in: "let d = Date()") == ["Date()"])
        #expect(Self.clockReads(in: "f(now: MonotonicClock.now())").contains("MonotonicClock.now"))
        #expect(Self.clockReads(in: "let next = clock.nowhere + x.now").isEmpty)
        #expect(Self.clockReads(in: "mutating func advance(to now: MonotonicTime) // no DispatchTime here").isEmpty)

        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        var files = Self.coreFiles.map { sources.appendingPathComponent($0) }
        for module in Self.coreModules {
            let directory = sources.appendingPathComponent(module)
            let found = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)?
                .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
            #expect(!found.isEmpty, "no Swift sources found for core \(module) at \(directory.path)")
            files += found
        }
        var violations: [String] = []
        for file in files.sorted(by: { $0.path < $1.path }) {
            let text = try String(contentsOf: file, encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                for read in Self.clockReads(in: line) {
                    let relative = file.path.replacingOccurrences(of: sources.deletingLastPathComponent().path + "/", with: "")
                    violations.append("\(relative):\(number + 1): \(read): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        #expect(violations.isEmpty, "cores must take `now:` instead of reading a clock:\n\(violations.joined(separator: "\n"))")
    }
}
