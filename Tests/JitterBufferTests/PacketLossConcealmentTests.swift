import Foundation
import Testing
@testable import JitterBuffer

@Suite("Packet loss concealment")
struct PacketLossConcealmentTests {
    private func frame(_ index: Int, signal: (Int64) -> Int16) -> [Int16] {
        (0..<160).map { signal(Int64(index * 160 + $0)) }
    }

    @Test(arguments: [64, 80, 100])
    func pitchEstimateFindsThePeriodOfAPeriodicSignal(period: Int) {
        var plc = PacketLossConcealment()
        let signal: (Int64) -> Int16 = { index in
            let phase = Double(index % Int64(period)) / Double(period)
            return Int16(6000 * sin(2 * .pi * phase) + 3000 * sin(4 * .pi * phase + 1))
        }
        for index in 0..<4 { _ = plc.process(frame(index, signal: signal), count: 160) }
        #expect(plc.estimatePitch() == period)
    }

    @Test func outputLagsInputByTheOverlapDelay() {
        var plc = PacketLossConcealment()
        #expect(plc.delaySamples == 30)
        let input = frame(0, signal: TestSignal.tones)
        let first = plc.process(input, count: 160)
        #expect(Array(first[30...]) == Array(input[..<130]))
        #expect(first.count == 160)
    }

    @Test func concealmentAttenuatesToSilenceAfterSixtyMilliseconds() {
        var plc = PacketLossConcealment()
        for index in 0..<5 { _ = plc.process(frame(index, signal: TestSignal.tones), count: 160) }
        var energies: [Double] = []
        for _ in 0..<5 {
            let output = plc.process(nil, count: 160)
            energies.append(output.reduce(0) { $0 + Double($1) * Double($1) })
        }
        #expect(energies[0] > energies[1])
        #expect(energies[1] > energies[2])
        #expect(energies[3] == 0 || energies[4] == 0)
        #expect(energies[4] == 0)
        #expect(plc.lastOutputWasSilent)
    }

    @Test func firstGoodFrameIsCrossFadedIn() {
        var plc = PacketLossConcealment()
        var output: [Int16] = []
        for index in 0..<5 { output += plc.process(frame(index, signal: TestSignal.tone300), count: 160) }
        output += plc.process(nil, count: 160)
        output += plc.process(nil, count: 160)
        // Resume with a phase-shifted tone: the join must still be smooth.
        for index in 8..<10 { output += plc.process(frame(index, signal: { TestSignal.tone300($0 + 13) }), count: 160) }
        let steps = zip(output, output.dropFirst()).map { abs(Int($0) - Int($1)) }
        let natural = (1..<200).map { abs(Int(TestSignal.tone300($0)) - Int(TestSignal.tone300($0 - 1))) }.max() ?? 0
        #expect(steps.max() ?? 0 <= natural * 3 / 2)
    }

    @Test func silenceInSilenceOut() {
        var plc = PacketLossConcealment()
        let output = plc.process(nil, count: 160)
        #expect(output.allSatisfy { $0 == 0 })
        #expect(plc.lastOutputWasSilent)
    }

    @Test func oddSizedBlocksAreSplit() {
        var plc = PacketLossConcealment(maxBlockSamples: 160)
        plc.receive((0..<1000).map { TestSignal.tones(Int64($0)) })
        plc.conceal(count: 999)
        #expect(plc.isConcealing)
        plc.receive([Int16](repeating: 100, count: 3))
        #expect(!plc.isConcealing)
    }
}
