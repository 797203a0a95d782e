/// Entry point for the fuzzer (sip-fuzz) and its regression tests: one input as a bus message. Control messages
/// must decode to a typed error or to a message that encodes and decodes to itself; PCM headers must be refused
/// or describe a frame that fits the bytes exactly.
public func fuzzDecodeBusMessage(_ buffer: UnsafeRawBufferPointer) {
    if let message = try? ControlMessage.decode(Array(buffer)) {
        let again = try? ControlMessage.decode(message.encoded())
        precondition(again == message, "control message round trip changed it")
    }
    if let header = try? PCMFrame.decodeHeader(buffer) {
        precondition(header.frameBytes == buffer.count && header.totalSamples <= PCMFrame.maxTotalSamples, "PCM header accepted a bad length")
    }
}
