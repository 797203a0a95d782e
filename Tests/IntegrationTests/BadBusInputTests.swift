import Bus
import Foundation
import ProcessSupport
import Testing
import Wire

extension ProcessGroupTests {
    /// Garbage on the real instance's sockets: request sockets answer with an error reply, stream sockets drop and
    /// count, and no process dies.
    @Suite(.serialized) struct BadBusInputTests {
        @Test func orchAnswersMalformedRequestsWithErrorsAndKeepsRunning() async throws {
            try await withInstance { instance in
            let before = try await instance.up()
            let raw = try BusEndpoint(name: "raw", sockets: [SocketSpec(type: .dealer, connect: [instance.endpoints.control])])
            defer { raw.shutdown() }
            var replies = raw.inbound.makeAsyncIterator()
            let garbage: [([UInt8], ErrorCode)] = [
                (Array("\u{0}\u{1}garbage".utf8), .malformed),
                (Array(#"{"v":1,"kind":"request","id":"x1","command":"open_the_pod_bay_doors"}"#.utf8), .unknownCommand),
                (Array(#"{"v":7,"kind":"request","id":"x2","command":"status"}"#.utf8), .unsupportedVersion),
                (Array(#"{"v":1,"kind":"warp","id":"x3"}"#.utf8), .unknownKind),
            ]
            for (bytes, code) in garbage {
                raw.send([bytes])
                let reply = try #require(await replies.next())
                guard case .reply(let r) = try ControlMessage.decode(reply.frames.last!), case .failure(let error) = r.outcome else {
                    Issue.record("expected an error reply for \(code)")
                    continue
                }
                #expect(error.code == code)
            }
            let after = try await instance.status()
            #expect(instance.handle.pids(in: after) == instance.handle.pids(in: before))
            let rejected = instance.component("orch", in: after)?.stats?["control_rejected"]?.intValue
            #expect(rejected == 3)  // the unknown command was well-formed: answered, not rejected
            }
        }

        @Test func audioDropsAndCountsMalformedFramesAndAcceptsValidOnes() async throws {
            try await withInstance { instance in
            let config = try instance.writeConfig("supervision:\n  heartbeat_interval_ms: 100\n")
            _ = try await instance.up(["--config", config])
            let audioPID = try await instance.pid(of: "audio")
            var spec = SocketSpec(type: .push, connect: [instance.endpoints.audioPlayback])
            spec.sendHighWaterMark = 100
            let push = try BusEndpoint(name: "push", sockets: [spec])
            defer { push.shutdown() }

            var frame = [UInt8](repeating: 0, count: PCMFrame.slotSize)
            let h = PCMFrameHeader.twentyMilliseconds(streamID: 1, sequence: 0, timestamp: 0, sampleRate: 8000, channels: 1)
            let n = try [Int16](repeating: 100, count: 160).withUnsafeBufferPointer { s in
                try frame.withUnsafeMutableBytes { try PCMFrame.encode(h, samples: s, into: $0) }
            }
            let good = Array(frame[0..<n])
            var badVersion = good
            badVersion[2] = 99
            for _ in 0..<5 { push.send([good]) }
            push.send([Array("hello".utf8)])            // truncated
            push.send([badVersion])                     // unsupported version
            push.send([Array(good.dropLast(2))])        // length mismatch
            push.send([good, good])                     // multipart
            let counted = try await eventually {
                let stats = instance.component("audio", in: try await instance.status())?.stats
                return stats?["frames_in"]?.intValue == 5 && stats?["frames_malformed"]?.intValue == 4
            }
            #expect(counted)
            #expect(try await instance.pid(of: "audio") == audioPID)
            #expect(ChildProcess.isRunning(audioPID))
            }
        }
    }
}
