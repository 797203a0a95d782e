import Foundation
import Testing
@testable import Wire

@Suite struct ControlMessageTests {
    static let samples: [ControlMessage] = [
        .request(Request(id: "7", command: "status", args: ["verbose": true])),
        .reply(Reply(id: "7", result: ["components": [["name": "sig", "pid": 42]]])),
        .reply(Reply(id: "8", error: WireError(.unknownCommand, "no such command"))),
        .event(Event(seq: 12, type: "component.up", time: 1764000000.25, data: ["name": "rtp-1", "restarts": 0])),
        .hello(Hello(name: "rtp-1", role: "rtp", pid: 1234, version: "0.1.0")),
        .heartbeat(Heartbeat(name: "audio", pid: 99, stats: ["frames_in": 10])),
        .configure(Configure(generation: 3, restarts: 1, config: ["rtp": ["workers": 2]])),
    ]

    @Test(arguments: samples)
    func roundTrip(_ message: ControlMessage) throws {
        let decoded = try ControlMessage.decode(message.encoded())
        #expect(decoded == message)
    }

    @Test func goldenBytesMatchTheProtocolDocument() throws {
        // These exact bytes appear in docs/PROTOCOL.md; a change here is a protocol change.
        let request = ControlMessage.request(Request(id: "1", command: "status"))
        #expect(String(decoding: request.encoded(), as: UTF8.self) == #"{"args":{},"command":"status","id":"1","kind":"request","v":1}"#)
        let error = ControlMessage.reply(Reply(id: "1", error: WireError(.unknownCommand, "unknown command 'dance'")))
        #expect(String(decoding: error.encoded(), as: UTF8.self)
            == #"{"error":{"code":"unknown_command","message":"unknown command 'dance'"},"id":"1","kind":"reply","ok":false,"v":1}"#)
        let hello = ControlMessage.hello(Hello(name: "rtp-1", role: "rtp", pid: 4242, version: "0.1.0"))
        #expect(String(decoding: hello.encoded(), as: UTF8.self)
            == #"{"kind":"hello","name":"rtp-1","pid":4242,"role":"rtp","v":1,"version":"0.1.0"}"#)
    }

    @Test func decodesMessagesWrittenByOtherImplementations() throws {
        // Extra fields, other key order and whitespace, as a Python peer may send.
        let text = #" { "v" : 1, "kind":"request", "command":"ping", "id":"abc", "args":{}, "x-extra": [1,2] } "#
        #expect(try ControlMessage.decode(Array(text.utf8)) == .request(Request(id: "abc", command: "ping")))
        let noArgs = #"{"v":1,"kind":"request","command":"ping","id":"1"}"#
        #expect(try ControlMessage.decode(Array(noArgs.utf8)) == .request(Request(id: "1", command: "ping")))
    }

    static let malformed: [(String, ErrorCode, String)] = [
        ("", .malformed, "not valid JSON"),
        ("{", .malformed, "not valid JSON"),
        ("[1,2]", .malformed, "not a JSON object"),
        (#"{"kind":"request"}"#, .malformed, "missing field 'v'"),
        (#"{"v":"1","kind":"request"}"#, .malformed, "field 'v' must be an integer"),
        (#"{"v":2,"kind":"request","id":"1","command":"x"}"#, .unsupportedVersion, "protocol version 2"),
        (#"{"v":1,"kind":"launch"}"#, .unknownKind, "unknown message kind 'launch'"),
        (#"{"v":1,"kind":"request","id":"1"}"#, .malformed, "missing field 'command'"),
        (#"{"v":1,"kind":"request","id":1,"command":"x"}"#, .malformed, "field 'id' must be a string"),
        (#"{"v":1,"kind":"request","id":"1","command":""}"#, .malformed, "field 'command' must be 1"),
        (#"{"v":1,"kind":"request","id":"1","command":"x","args":[]}"#, .malformed, "field 'args' must be an object"),
        (#"{"v":1,"kind":"hello","name":"a","role":"r","pid":-5,"version":"1"}"#, .malformed, "field 'pid' must be a process id"),
        (#"{"v":1,"kind":"hello","name":"a","role":"r","pid":1.5,"version":"1"}"#, .malformed, "field 'pid' must be an integer"),
        (#"{"v":1,"kind":"reply","id":"1","ok":false,"error":{"code":"x"}}"#, .malformed, "missing field 'error.message'"),
        (#"{"v":1,"kind":"event","seq":-1,"type":"a","time":0}"#, .malformed, "field 'seq' must not be negative"),
    ]

    @Test(arguments: malformed)
    func malformedInputIsATypedError(_ input: String, _ code: ErrorCode, _ phrase: String) {
        #expect {
            _ = try ControlMessage.decode(Array(input.utf8))
        } throws: { error in
            guard let error = error as? WireError else { return false }
            return error.code == code && error.message.contains(phrase)
        }
    }

    @Test func oversizeIsRefusedBeforeParsing() {
        let big = [UInt8](repeating: UInt8(ascii: " "), count: WireLimits.maxControlMessageBytes + 1)
        #expect(throws: WireError.self) { try ControlMessage.decode(big) }
        do { _ = try ControlMessage.decode(big) } catch { #expect(error.code == .tooLarge) }
    }

    @Test func randomBytesNeverTrap() {
        var rng = SplitMix64(seed: 0x5eed)
        let seeds = Self.samples.map { $0.encoded() }
        var rejected = 0
        for i in 0..<5_000 {
            var bytes = seeds[i % seeds.count]
            for _ in 0..<(1 + Int(rng.next() % 4)) where !bytes.isEmpty {
                let at = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                case 1: bytes.remove(at: at)
                default: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)
                }
            }
            if (try? ControlMessage.decode(bytes)) == nil { rejected += 1 }
        }
        #expect(rejected > 1_000)  // most mutations break the message, and none traps
    }
}

/// A tiny deterministic generator so fuzz-style loops are repeatable.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
