import Foundation
import Synchronization
import Testing
import Wire
@testable import Bus

/// The endpoint's allocation-free PCM path: pooled slots sent zero-copy to several sockets at once, and inbound
/// messages lent to a frame handler instead of arriving as `BusMessage`s.
@Suite struct BorrowedFramesTests {
    final class Received: Sendable {
        let frames = Mutex<[(socket: Int, bytes: [UInt8], parts: Int)]>([])
    }

    /// PULL sockets bound at `names` in `dir` that lend every message to a handler collecting it into `received`,
    /// and PUSH sockets connected to each.
    static func endpoints(_ dir: ScratchDirectory, _ names: [String], into received: Received) throws -> (sink: BusEndpoint, source: BusEndpoint) {
        let pulls = names.map { name in
            var spec = SocketSpec(type: .pull, bind: ["ipc://\(dir.path)/\(name).sock"])
            spec.borrowsFrames = true
            return spec
        }
        let sink = try BusEndpoint(name: "sink", sockets: pulls, frameHandler: { message in
            received.frames.withLock { $0.append((message.socket, Array(message.bytes), message.parts)) }
        })
        let source = try BusEndpoint(name: "source", sockets: names.map { SocketSpec(type: .push, connect: ["ipc://\(dir.path)/\($0).sock"]) })
        return (sink, source)
    }

    @Test func aSlotSentToTwoSocketsArrivesOnBothAsBorrowedBytesAndIsReleased() async throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let received = Received()
        let (sink, source) = try Self.endpoints(dir, ["a", "b"], into: received)
        defer {
            source.shutdown()
            sink.shutdown()
        }
        let pool = FrameSlotPool(count: 2, slotCapacity: 64)
        var sent: [[UInt8]] = []
        for n in 0..<20 {
            let slot = pool.take()
            let bytes = (0..<40).map { UInt8(truncatingIfNeeded: n * 7 + $0) }
            bytes.withUnsafeBytes { slot.buffer.copyMemory(from: $0) }
            source.send(slot: slot, count: bytes.count, on: BusSockets.socket(0).union(.socket(1)))
            sent.append(bytes)
        }
        #expect(await eventually { received.frames.withLock { $0.count } == 40 })
        let frames = received.frames.withLock { $0 }
        #expect(frames.filter { $0.socket == 0 }.map(\.bytes) == sent)
        #expect(frames.filter { $0.socket == 1 }.map(\.bytes) == sent)
        #expect(frames.allSatisfy { $0.parts == 1 })
        #expect(pool.count <= 20)
        #expect(source.stats.sent == 40)
        #expect(sink.stats.received == 40)
    }

    @Test func aMultipartMessageOnABorrowingSocketComesWithItsPartCountAndNoBytes() async throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let received = Received()
        let (sink, source) = try Self.endpoints(dir, ["a"], into: received)
        defer {
            source.shutdown()
            sink.shutdown()
        }
        source.send([[1, 2], [3], [4, 5, 6]], on: 0)
        source.send([[9, 9]], on: 0)
        #expect(await eventually { received.frames.withLock { $0.count } == 2 })
        let frames = received.frames.withLock { $0 }
        #expect(frames.map(\.parts) == [3, 1])
        #expect(frames.map(\.bytes) == [[], [9, 9]])
    }

    @Test func thePoolGivesOnlySlotsNoSendHoldsAndGrowsWhenAllAreHeld() {
        let pool = FrameSlotPool(count: 2, slotCapacity: 16)
        let a = pool.take(), b = pool.take()
        #expect(a !== b)
        #expect(pool.take() === a)  // neither is in flight: round-robin
        a.holders.add(1, ordering: .relaxed)
        b.holders.add(1, ordering: .relaxed)
        let c = pool.take()
        #expect(c !== a && c !== b)
        #expect(pool.count == 3)
        b.holders.subtract(1, ordering: .relaxed)
        #expect(pool.take() === b)
    }
}
