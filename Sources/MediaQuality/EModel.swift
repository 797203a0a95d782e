#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#else
import Darwin
#endif

/// The ITU-T G.107 E-model, narrowband, reduced to what an RTP endpoint
/// measures: codec, packet loss and one-way delay. Every other parameter
/// keeps its G.107 default, so Ro − Is = 93.2 and echo impairments
/// (Idte, Idle) are taken as zero (echo fully controlled).
///
///     R     = 93.2 − Idd − Ie,eff + A
///     Idd   = 0                                                    Ta ≤ 100 ms
///           = 25 · [(1 + X⁶)^⅙ − 3·(1 + (X/3)⁶)^⅙ + 2],  X = log₂(Ta/100)   Ta > 100 ms
///     Ie,eff = Ie + (95 − Ie) · Ppl / (Ppl/BurstR + Bpl)
///     MOS   = 1                                                    R < 0
///           = 1 + 0.035R + R(R − 60)(100 − R)·7·10⁻⁶              0 ≤ R ≤ 100
///           = 4.5                                                  R > 100
///
/// Why a value type with inputs as properties: the call-quality reporter
/// fills it from an `RTCPSessionStatistics` snapshot (loss, RTT/2 plus
/// jitter-buffer and codec delay) and reads `rFactor` and `mos`.
public struct EModel: Sendable, Equatable {
    /// Equipment impairment Ie and packet-loss robustness Bpl (G.113 Appendix I).
    public struct Codec: Sendable, Equatable {
        public var equipmentImpairment: Double
        public var lossRobustness: Double

        public init(equipmentImpairment: Double, lossRobustness: Double) {
            self.equipmentImpairment = equipmentImpairment
            self.lossRobustness = lossRobustness
        }

        /// G.711 with packet-loss concealment: Ie = 0, Bpl = 25.1.
        public static let g711WithPLC = Codec(equipmentImpairment: 0, lossRobustness: 25.1)
        /// G.711 without concealment (silence insertion): Ie = 0, Bpl = 4.3.
        public static let g711 = Codec(equipmentImpairment: 0, lossRobustness: 4.3)
    }

    /// Ro − Is with all G.107 defaults.
    public static let defaultBaseR: Double = 93.2

    public var codec: Codec
    /// Ppl: random packet loss in percent (0–100; values outside are clamped).
    public var packetLossPercent: Double
    /// BurstR: 1 for random loss, > 1 for bursty loss.
    public var burstRatio: Double
    /// Ta: absolute one-way mouth-to-ear delay in milliseconds.
    public var oneWayDelayMilliseconds: Double
    /// A: advantage of access (0 for wired).
    public var advantageFactor: Double

    public init(
        codec: Codec = .g711WithPLC, packetLossPercent: Double = 0, burstRatio: Double = 1,
        oneWayDelayMilliseconds: Double = 0, advantageFactor: Double = 0
    ) {
        self.codec = codec
        self.packetLossPercent = packetLossPercent
        self.burstRatio = burstRatio
        self.oneWayDelayMilliseconds = oneWayDelayMilliseconds
        self.advantageFactor = advantageFactor
    }

    /// Idd, the impairment from absolute delay Ta (ms).
    public static func delayImpairment(oneWayDelayMilliseconds ta: Double) -> Double {
        guard !ta.isNaN, ta > 100 else { return 0 }
        guard ta.isFinite else { return 50 }  // the limit of the formula as X grows
        let x = log2(ta / 100)
        let x6 = pow(x, 6)
        return 25 * (pow(1 + x6, 1.0 / 6) - 3 * pow(1 + pow(x / 3, 6), 1.0 / 6) + 2)
    }

    /// Ie,eff, the impairment from the codec and packet loss.
    public static func effectiveEquipmentImpairment(codec: Codec, packetLossPercent: Double, burstRatio: Double = 1) -> Double {
        let ie = codec.equipmentImpairment
        let ppl = packetLossPercent.isFinite ? min(max(packetLossPercent, 0), 100) : 0
        let burst = burstRatio.isFinite && burstRatio > 0 ? burstRatio : 1
        let denominator = ppl / burst + codec.lossRobustness
        guard denominator > 0 else { return ie }
        return ie + (95 - ie) * ppl / denominator
    }

    /// The G.107 Annex B mapping from R to the estimated conversational MOS.
    public static func meanOpinionScore(rFactor r: Double) -> Double {
        guard !r.isNaN else { return 1 }
        if r < 0 { return 1 }
        if r > 100 { return 4.5 }
        return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6
    }

    public var delayImpairment: Double { Self.delayImpairment(oneWayDelayMilliseconds: oneWayDelayMilliseconds) }

    public var effectiveEquipmentImpairment: Double {
        Self.effectiveEquipmentImpairment(codec: codec, packetLossPercent: packetLossPercent, burstRatio: burstRatio)
    }

    /// The transmission rating factor R.
    public var rFactor: Double { Self.defaultBaseR - delayImpairment - effectiveEquipmentImpairment + advantageFactor }

    /// MOS-CQE from `rFactor`.
    public var mos: Double { Self.meanOpinionScore(rFactor: rFactor) }
}
