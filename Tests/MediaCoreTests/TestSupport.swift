import Foundation
import MediaCore

/// Deterministic PRNG so the mutation loops are reproducible (fixed seeds).
struct SplitMix64: RandomNumberGenerator {
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

enum Fixture {
    struct Missing: Error { let name: String }

    static func bytes(_ name: String) throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
            throw Missing(name: name)
        }
        return [UInt8](try Data(contentsOf: url))
    }

    /// Little-endian Int16 table.
    static func int16s(_ name: String) throws -> [Int16] {
        let raw = try bytes(name)
        return stride(from: 0, to: raw.count, by: 2).map { Int16(bitPattern: UInt16(raw[$0]) | UInt16(raw[$0 + 1]) << 8) }
    }
}

/// Parse result as a value, for comparing expected outcomes in loops.
func rtpResult(_ bytes: [UInt8]) -> Result<RTPPacket, RTPParseError> {
    Result { () throws(RTPParseError) -> RTPPacket in try RTPPacket.parse(bytes) }
}

func rtcpResult(_ bytes: [UInt8], requireReportFirst: Bool = true) -> Result<RTCPCompound, RTCPParseError> {
    Result { () throws(RTCPParseError) -> RTCPCompound in
        try RTCPCompound.parse(bytes, requireReportFirst: requireReportFirst)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
    var success: Success? { try? get() }
}

/// Big-endian helpers for building hand-written packets.
func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
func be32(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
}
