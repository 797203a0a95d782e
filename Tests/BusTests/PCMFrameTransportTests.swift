import Foundation
import Testing
import Wire
@testable import Bus

/// PCM frames over PUSH/PULL with the zero-copy send path and allocation-free receive.
@Suite struct PCMFrameTransportTests {
    @Test func zeroCopyFramesArriveIntactAndSlotsAreReleased() throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let ctx = try ZMQContext()
        var pullSpec = SocketSpec(type: .pull, bind: ["ipc://\(dir.path)/pcm.sock"])
        pullSpec.receiveHighWaterMark = 1000
        let pull = try ZMQSocket(context: ctx, spec: pullSpec)
        let push = try ZMQSocket(context: ctx, spec: SocketSpec(type: .push, connect: ["ipc://\(dir.path)/pcm.sock"]))
        defer { push.close(); pull.close() }

        let slots = (0..<4).map { _ in FrameSlot() }
        var samples = [Int16](repeating: 0, count: 160)
        var receive = [UInt8](repeating: 0, count: PCMFrame.slotSize)
        var decoded = [Int16](repeating: 0, count: 160)
        for seq in 0..<100 as Range<UInt32> {
            for i in samples.indices { samples[i] = Int16(truncatingIfNeeded: Int(seq) * 1000 + i) }
            let h = PCMFrameHeader.twentyMilliseconds(streamID: 7, sequence: seq, timestamp: UInt64(seq) * 160, sampleRate: 8000, channels: 1)
            let slot = slots[Int(seq) % slots.count]
            let n = try samples.withUnsafeBufferPointer { try PCMFrame.encode(h, samples: $0, into: slot.buffer) }
            #expect(push.send(slot: slot, count: n, blocking: true) == .sent)
            #expect(pull.waitReadable(timeoutMs: 2000))
            let got = try #require(receive.withUnsafeMutableBytes { pull.receive(into: $0) })
            let header = try receive.withUnsafeBytes { try PCMFrame.decodeHeader(UnsafeRawBufferPointer(rebasing: $0[0..<got])) }
            #expect(header == h)
            try receive.withUnsafeBytes { raw in try decoded.withUnsafeMutableBufferPointer { try PCMFrame.readSamples(raw, header: header, into: $0) } }
            #expect(decoded == samples)
        }
        // libzmq released every slot it held: only our references remain.
        let released = (0..<400).contains { _ in
            if !slots.contains(where: \.isInFlight) { return true }
            usleep(5000)
            return false
        }
        #expect(released)
    }
}

