import Foundation
import Testing
@testable import SIPCore

/// Hostile-input properties: no input traps, every failure is a typed error.
/// The loops are bounded and seeded so failures reproduce.
@Suite("Robustness")
struct RobustnessTests {
    let parser = SIPMessageParser()

    @Test func everyPrefixOfAnInviteIsHandled() throws {
        let full = try Fixture.bytes("invite-sdp")
        let headerEnd = try #require(full.indices.first { full[$0...].starts(with: [13, 10, 13, 10]) }) + 4
        for n in 0...full.count {
            let prefix = Array(full.prefix(n))
            let r = Result { () throws(SIPParseError) -> SIPMessage in try parser.parseDatagram(prefix) }
            switch r {
            case .success(let m):
                // Only prefixes that include the blank line parse; the body is then what arrived
                // and Content-Length (251) exceeds it until the very end.
                #expect(n >= headerEnd && n == full.count, "prefix \(n) parsed: \(m.startLine)")
            case .failure(let e):
                #expect(n < full.count, "full message failed: \(e)")
                #expect(!e.reasonPhrase.isEmpty)
            }
            fuzzParseSIPBytes(prefix)
            // Streams: a prefix is never a message, it just waits.
            var framer = SIPStreamFramer()
            var buf = prefix
            if n < full.count { #expect(try framer.decode(buffer: &buf) == .needMoreData) }
        }
    }

    @Test func everyPrefixOfEveryFixtureIsHandled() throws {
        for name in Fixture.all where name != "longreq" && name != "mpart01" {
            let full = try Fixture.bytes(name)
            for n in stride(from: 0, through: full.count, by: 3) {
                let prefix = Array(full.prefix(n))
                _ = caught { () throws(SIPParseError) in try parser.parseDatagram(prefix) }
                var framer = SIPStreamFramer()
                var buf = prefix
                _ = caught { () throws(SIPParseError) in try framer.decode(buffer: &buf) }
            }
        }
    }

    @Test func randomMutationsNeverTrap() throws {
        var rng = SplitMix64(seed: 0x5EED_51C0)
        let seeds = try Fixture.all.map { try Fixture.bytes($0) }
        let interesting: [UInt8] = Array(" \t\r\n:;,<>\"\\@%[]=?&/*0".utf8) + [0x00, 0x7F, 0x80, 0xC3, 0xFF]
        var parsed = 0, rejected = 0
        // SIPCORE_FUZZ_ITERATIONS raises the count for a longer local soak.
        let iterations = ProcessInfo.processInfo.environment["SIPCORE_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 3_000
        for iteration in 0..<iterations {
            var b = seeds[Int(rng.next() % UInt64(seeds.count))]
            let edits = 1 + Int(rng.next() % 8)
            for _ in 0..<edits where !b.isEmpty {
                let i = Int(rng.next() % UInt64(b.count))
                switch rng.next() % 5 {
                case 0: b[i] = UInt8(truncatingIfNeeded: rng.next())
                case 1: b[i] = interesting[Int(rng.next() % UInt64(interesting.count))]
                case 2: b.remove(at: i)
                case 3: b.insert(interesting[Int(rng.next() % UInt64(interesting.count))], at: i)
                default:   // duplicate a chunk (grows header counts, lengths)
                    let len = min(b.count - i, Int(rng.next() % 64))
                    b.insert(contentsOf: b[i..<(i + len)], at: i)
                }
            }
            switch Result(catching: { () throws(SIPParseError) -> SIPMessage in try parser.parseDatagram(b) }) {
            case .success: parsed += 1
            case .failure: rejected += 1
            }
            fuzzParseSIPBytes(b)
            _ = iteration
        }
        // Sanity: the loop exercised both outcomes.
        #expect(parsed > 100 && rejected > 100, "parsed \(parsed), rejected \(rejected)")
    }

    @Test func randomBytesNeverTrap() {
        var rng = SplitMix64(seed: 42)
        for _ in 0..<500 {
            let n = Int(rng.next() % 600)
            var b = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if rng.next() % 2 == 0 { b = Array("INVITE sip:a@b SIP/2.0\r\n".utf8) + b }
            fuzzParseSIPBytes(b)
        }
    }

    func fuzzParseSIPBytes(_ b: [UInt8]) {
        b.withUnsafeBytes { fuzzParseSIP($0) }
    }
}
