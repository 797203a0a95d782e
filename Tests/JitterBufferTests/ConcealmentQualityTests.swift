import Testing
@testable import JitterBuffer

@Suite("Concealment quality")
struct ConcealmentQualityTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var signal: @Sendable (Int64) -> Int16
        var testDescription: String { name }
    }

    static let signals = [
        Case(name: "300 Hz tone", signal: TestSignal.tone300),
        Case(name: "300 + 800 Hz", signal: TestSignal.tones),
        Case(name: "voiced pulse train", signal: TestSignal.voiced),
    ]

    @Test(arguments: signals)
    func randomSingleLossesAreConcealedFarBetterThanSilence(_ signal: Case) throws {
        var buffer = AdaptiveJitterBuffer()
        let sender = SimulatedSender(signal: signal.signal)
        let network = SimulatedNetwork(jitter: .uniform(maxMs: 10), lossRate: 0.05, seed: 21)
        let (arrivals, lost) = network.deliver(sender.packets(count: 1500))
        var receiver = SimulatedReceiver()
        let frames = receiver.run(&buffer, arrivals: arrivals, pulls: 1480)
        let concealed = PlayoutChecks.snr(frames, start: sender.startTimestamp, signal: signal.signal) {
            $0.kind == .concealed
        }
        #expect(concealed.frames >= 40, "only \(concealed.frames) concealed frames for \(lost.count) losses")
        // Silence substitution scores 0 dB on the same frames.
        #expect(concealed.output > concealed.silence + 6, "\(signal.name): concealed SNR \(concealed.output) dB")
        #expect(PlayoutChecks.continuityBreaks(frames) == 0)
    }

    @Test(arguments: signals)
    func outputNeverJumpsAtLossBoundaries(_ signal: Case) throws {
        var buffer = AdaptiveJitterBuffer()
        let sender = SimulatedSender(signal: signal.signal)
        let network = SimulatedNetwork(lossRate: 0.05, burstLossEvery: 97, seed: 4)
        let arrivals = network.deliver(sender.packets(count: 1500)).arrivals
        var receiver = SimulatedReceiver()
        let frames = receiver.run(&buffer, arrivals: arrivals, pulls: 1480)
        let playing = Array(frames.drop { $0.timestamp == nil })
        let natural = (1..<16000).map { abs(Int(signal.signal($0)) - Int(signal.signal($0 - 1))) }.max() ?? 0
        let largest = PlayoutChecks.maxStep(playing)
        #expect(largest <= natural * 3 / 2, "\(signal.name): step \(largest), signal's own \(natural)")
        #expect(buffer.stats.concealedFrames > 50)
    }

    @Test func burstsOfThreeFadeToSilenceAndRecover() {
        var buffer = AdaptiveJitterBuffer()
        let sender = SimulatedSender(signal: TestSignal.tones)
        let network = SimulatedNetwork(burstLossEvery: 50, seed: 2)
        let arrivals = network.deliver(sender.packets(count: 600)).arrivals
        var receiver = SimulatedReceiver()
        let frames = receiver.run(&buffer, arrivals: arrivals, pulls: 590)
        #expect(PlayoutChecks.continuityBreaks(frames) == 0)
        // 60 ms lost: the third frame of each burst is attenuated most; none is louder than the signal.
        let peak = frames.flatMap(\.samples).map { abs(Int($0)) }.max() ?? 0
        #expect(peak <= 10_500)
        #expect(buffer.stats.concealedFrames >= 3 * 10)
        #expect(buffer.stats.concealedMs >= 600)
    }
}
