/// Entry points for a libFuzzer target (`LLVMFuzzerTestOneInput` calls these).
///
/// Why more than "parse and discard": besides proving the parsers never trap
/// or over-read, each accepted input is re-serialized and re-parsed, and the
/// two parses must agree. A `precondition` failure is a finding.
public func fuzzParseRTP(_ data: UnsafeRawBufferPointer) {
    guard let packet = try? RTPPacket.parse(data) else { return }
    precondition(packet.payloadRange.lowerBound >= RTPHeader.fixedSize)
    precondition(packet.payloadRange.upperBound + packet.paddingLength == data.count)
    let payload = UnsafeRawBufferPointer(rebasing: data[packet.payloadRange])
    let extensionData = packet.extensionRange.map { UnsafeRawBufferPointer(rebasing: data[$0]) }
        ?? UnsafeRawBufferPointer(start: nil, count: 0)
    withUnsafeTemporaryAllocation(byteCount: max(data.count, 1), alignment: 4) { buffer in
        let written: Int
        do {
            written = try packet.header.write(
                into: buffer, payload: payload, extensionProfile: packet.extensionProfile,
                extensionData: extensionData, paddingLength: packet.paddingLength)
        } catch {
            preconditionFailure("re-serializing a parsed RTP packet failed: \(error)")
        }
        precondition(written == data.count)
        let reparsed = try? RTPPacket.parse(UnsafeRawBufferPointer(rebasing: buffer[..<written]))
        precondition(reparsed == packet, "RTP round trip mismatch")
    }
    // Exercise the payload consumers too.
    withUnsafeTemporaryAllocation(of: Int16.self, capacity: 64) { samples in
        _ = G711Law.muLaw.decode(UnsafeRawBufferPointer(rebasing: payload.prefix(64)), into: samples)
    }
    var receiver = TelephoneEventReceiver()
    _ = receiver.receive(payload: payload, timestamp: packet.header.timestamp)
}

/// See `fuzzParseRTP`. Compounds are parsed leniently and strictly; an
/// accepted compound without skipped packets must survive a round trip
/// (unless it cannot be re-encoded, e.g. a reason that grew past 255 bytes
/// through UTF-8 repair).
public func fuzzParseRTCP(_ data: UnsafeRawBufferPointer) {
    _ = try? RTCPCompound.parse(data, requireReportFirst: true)
    guard let compound = try? RTCPCompound.parse(data, requireReportFirst: false) else { return }
    for packet in compound.packets {
        if case .other(_, _, let range) = packet {
            precondition(range.lowerBound >= 4 && range.upperBound <= data.count)
            return
        }
    }
    guard let bytes = try? compound.serialized() else { return }
    let reparsed = try? RTCPCompound.parse(bytes, requireReportFirst: false)
    precondition(reparsed == compound, "RTCP round trip mismatch")
}
