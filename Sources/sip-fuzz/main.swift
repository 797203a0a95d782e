// libFuzzer target over every parser that reads bytes from the network: SIP (datagram and stream), SDP, RTP and
// RTCP. Built only by scripts/fuzz (`--sanitize=fuzzer`); in an ordinary build it is an empty program.
import MediaCore
import SDP
import SIPCore

@_cdecl("LLVMFuzzerTestOneInput")
public func sipFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let buffer = UnsafeRawBufferPointer(start: data, count: size)
    fuzzParseSIP(buffer)
    _ = try? SDPParser.parse(Array(buffer))
    fuzzParseRTP(buffer)
    fuzzParseRTCP(buffer)
    return 0
}
