import Foundation
import Testing
@testable import Wire

/// The hand-written JSON writer and reader against Foundation's, on random documents and on the edge cases.
@Suite struct JSONCodecTests {
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static let samples = ["", "a", "héllo wörld", "quote\" back\\slash /", "tab\tnl\ncr\r", "\u{1}\u{1f}", "emoji 🎉 𝄞", "日本語"]

    static func value(_ r: inout Random, depth: Int = 0) -> JSONValue {
        switch depth > 3 ? r.below(4) : r.below(6) {
        case 0: return .null
        case 1: return .bool(r.below(2) == 0)
        case 2:
            let choices: [Double] = [0, -1, 42, 1.5, -0.25, 1e-7, 123456789012, 3.0e20, Double(r.below(1_000_000)) / 7]
            return .number(choices[r.below(choices.count)])
        case 3: return .string(samples[r.below(samples.count)])
        case 4: return .array((0..<r.below(4)).map { _ in value(&r, depth: depth + 1) })
        default:
            var o: [String: JSONValue] = [:]
            for _ in 0..<r.below(4) { o[samples[r.below(samples.count)] + String(r.below(9))] = value(&r, depth: depth + 1) }
            return .object(o)
        }
    }

    @Test func randomDocumentsRoundTripAndAgreeWithFoundation() throws {
        var r = Random(state: 7)
        for _ in 0..<2000 {
            let v = Self.value(&r)
            let ours = v.encodedBytes()
            #expect(try JSONValue.decode(ours) == v)
            let foundation = try JSONDecoder().decode(JSONValue.self, from: Data(ours))
            #expect(foundation == v, "Foundation reads our output the same: \(String(decoding: ours, as: UTF8.self))")
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let theirs = try encoder.encode(v)
            #expect(try JSONValue.decode(Array(theirs)) == v, "we read Foundation's output the same")
        }
    }

    @Test func edgeCases() throws {
        #expect(try JSONValue.decode(Array(#" { "a" : [ 1 , 2.5e3 , -0 , true , null ] , "b" : "\u00e9\ud83c\udf89\/" } "#.utf8))
                == ["a": [1, 2500, 0, true, nil], "b": "é🎉/"])
        #expect(JSONValue.number(.infinity).encodedString() == "null")
        #expect(JSONValue.string("a\u{0}b").encodedString() == #""a\u0000b""#)
        for bad in ["", "{", "[1,]", "{\"a\":}", "01", "1.", ".5", "+1", "tru", "\"\\x\"", "\"\u{1}\"", "\"\\ud800\"", "[1] x",
                    "{\"a\" 1}", "1e", "-", "\"abc", "nan", "1e999"] {
            #expect(throws: WireError.self, "\(bad)") { _ = try JSONValue.decode(Array(bad.utf8)) }
        }
        #expect(throws: WireError.self) { _ = try JSONValue.decode([0x22, 0xFF, 0x22]) }  // not UTF-8
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(throws: WireError.self) { _ = try JSONValue.decode(Array(deep.utf8)) }
        let ok = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: Never.self) { _ = try JSONValue.decode(Array(ok.utf8)) }
    }
}
