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

    @Test func aSlotSentToTwoSocketsArrivesOnBothAsBorrowedBytesAndIsReleased() async throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let received = Received()
        var pull = SocketSpec(type: .pull, bind: ["ipc://\(dir.path)/a.sock"])
        pull.borrowsFrames = true
        var other = SocketSpec(type: .pull, bind: ["ipc://\(dir.path)/b.sock"])
        other.borrowsFrames = true
        let sink = try BusEndpoint(name: "sink", sockets: [pull, other], frameHandler: { message in
            received.frames.withLock { $0.append((message.socket, Array(message.bytes), message.parts)) }
        })
        let source = try BusEndpoint(name: "source", sockets: [SocketSpec(type: .push, connect: ["ipc://\(dir.path)/a.sock"]),
                                                                SocketSpec(type: .push, connect: ["ipc://\(dir.path)/b.sock"])])
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
        var pull = SocketSpec(type: .pull, bind: ["ipc://\(dir.path)/a.sock"])
        pull.borrowsFrames = true
        let sink = try BusEndpoint(name: "sink", sockets: [pull], frameHandler: { message in
            received.frames.withLock { $0.append((message.socket, Array(message.bytes), message.parts)) }
        })
        let source = try BusEndpoint(name: "source", sockets: [SocketSpec(type: .push, connect: ["ipc://\(dir.path)/a.sock"])])
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
