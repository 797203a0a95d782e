import MediaQuality
import Testing

/// Reference values computed from the G.107 formulas (cross-checked in Python).
@Suite("E-model (ITU-T G.107) and MOS (Annex B)")
struct EModelTests {
    @Test func defaultsGiveROf93Point2AndMOS4Point41() {
        let model = EModel()
        #expect(model.rFactor == 93.2)
        #expect(abs(model.mos - 4.4093) < 0.0005)
        #expect(abs(EModel.meanOpinionScore(rFactor: 93.2) - 4.41) < 0.005)
        #expect(EModel(codec: .g711WithPLC, packetLossPercent: 0, oneWayDelayMilliseconds: 0).mos == model.mos)
    }

    @Test(arguments: [
        (1.0, 25.1, 3.6398), (2.0, 25.1, 7.0111), (5.0, 25.1, 15.7807), (10.0, 25.1, 27.0655),
        (1.0, 4.3, 17.9245), (2.0, 4.3, 30.1587), (5.0, 4.3, 51.0753),
    ])
    func effectiveEquipmentImpairment(ppl: Double, bpl: Double, expected: Double) {
        let codec = EModel.Codec(equipmentImpairment: 0, lossRobustness: bpl)
        #expect(abs(EModel.effectiveEquipmentImpairment(codec: codec, packetLossPercent: ppl) - expected) < 0.0005)
    }

    @Test func burstyLossHurtsMore() {
        let random = EModel.effectiveEquipmentImpairment(codec: .g711WithPLC, packetLossPercent: 2, burstRatio: 1)
        let bursty = EModel.effectiveEquipmentImpairment(codec: .g711WithPLC, packetLossPercent: 2, burstRatio: 2)
        #expect(abs(bursty - 7.2797) < 0.0005)
        #expect(bursty > random)
        // A codec's own impairment is the floor: Ie = 10 at 0% loss stays 10.
        #expect(EModel.effectiveEquipmentImpairment(codec: .init(equipmentImpairment: 10, lossRobustness: 19), packetLossPercent: 0) == 10)
    }

    @Test(arguments: [
        (50.0, 0.0), (100.0, 0.0), (150.0, 0.16353), (200.0, 3.04441), (300.0, 14.76069), (400.0, 24.07009), (1000.0, 43.78957),
    ])
    func delayImpairment(ta: Double, expected: Double) {
        #expect(abs(EModel.delayImpairment(oneWayDelayMilliseconds: ta) - expected) < 0.0005)
    }

    @Test func combinedReferencePoints() {
        // G.711+PLC, 1% loss, 150 ms: R = 93.2 − 0.1635 − 3.6398 = 89.3966.
        let model = EModel(codec: .g711WithPLC, packetLossPercent: 1, oneWayDelayMilliseconds: 150)
        #expect(abs(model.rFactor - 89.3966) < 0.0005)
        #expect(abs(model.mos - 4.3239) < 0.0005)
        // 300 ms alone: R = 78.4393, MOS 3.9637.
        let slow = EModel(oneWayDelayMilliseconds: 300)
        #expect(abs(slow.mos - 3.9637) < 0.0005)
        // 5% loss without PLC drops well below "toll quality".
        #expect(EModel(codec: .g711, packetLossPercent: 5).mos < 3)
    }

    @Test func mosMappingEdges() {
        #expect(EModel.meanOpinionScore(rFactor: -5) == 1)
        #expect(EModel.meanOpinionScore(rFactor: 0) == 1)
        #expect(EModel.meanOpinionScore(rFactor: 100) == 4.5)
        #expect(EModel.meanOpinionScore(rFactor: 120) == 4.5)
        #expect(EModel.meanOpinionScore(rFactor: .nan) == 1)
        #expect(abs(EModel.meanOpinionScore(rFactor: 50) - 2.575) < 1e-9)
        // Garbage inputs stay in range.
        let weird = EModel(packetLossPercent: .infinity, burstRatio: -3, oneWayDelayMilliseconds: .infinity)
        #expect(weird.mos >= 1 && weird.mos <= 4.5)
    }

    @Test func monotonicInLossAndDelay() {
        var previous = Double.infinity
        for step in 0...400 {
            let mos = EModel(packetLossPercent: Double(step) * 0.1).mos
            #expect(mos <= previous)
            previous = mos
        }
        previous = .infinity
        var previousR = Double.infinity
        for ta in stride(from: 0.0, through: 1000, by: 5) {
            let model = EModel(packetLossPercent: 1, oneWayDelayMilliseconds: ta)
            #expect(model.mos <= previous)
            #expect(ta <= 100 ? model.rFactor == previousR || previousR == .infinity : model.rFactor < previousR)
            previous = model.mos
            previousR = model.rFactor
        }
    }
}
