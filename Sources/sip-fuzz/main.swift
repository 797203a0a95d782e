// libFuzzer targets over every parser that reads bytes from outside: SIP (datagram and stream), SDP, RTP, RTCP,
// bus messages (control JSON and PCM frame headers) and the YAML configuration. One binary; the target is chosen
// by $SIPC_FUZZ_TARGET (sip, sdp, rtp, rtcp, bus, config; unset: all of them on every input). Built only by
// scripts/fuzz (`--sanitize=fuzzer`); in an ordinary build it is an empty program.
import Config
import Foundation
import MediaCore
import SDP
import SIPCore
import Wire

enum FuzzTarget: String, CaseIterable {
    case sip, sdp, rtp, rtcp, bus, config

    static let selected: [FuzzTarget] = {
        guard let name = ProcessInfo.processInfo.environment["SIPC_FUZZ_TARGET"], !name.isEmpty else { return allCases }
        guard let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("SIPC_FUZZ_TARGET=\(name) is not one of \(allCases.map(\.rawValue))\n".utf8))
            exit(2)
        }
        return [target]
    }()

    func run(_ buffer: UnsafeRawBufferPointer) {
        switch self {
        case .sip: fuzzParseSIP(buffer)
        case .sdp: _ = try? SDPParser.parse(Array(buffer))
        case .rtp: fuzzParseRTP(buffer)
        case .rtcp: fuzzParseRTCP(buffer)
        case .bus: fuzzDecodeBusMessage(buffer)
        case .config: fuzzLoadConfiguration(buffer)
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func sipFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let buffer = UnsafeRawBufferPointer(start: data, count: size)
    for target in FuzzTarget.selected { target.run(buffer) }
    return 0
}
