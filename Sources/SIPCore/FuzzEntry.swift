/// Entry point for a libFuzzer target (`LLVMFuzzerTestOneInput` calls this).
///
/// Why in the library: the fuzz executable then stays a three-line `main.swift`
/// and this function is also exercised by the unit tests' mutation loop, so it
/// cannot rot. It drives every parser on the input and checks invariants that
/// must hold for any input: no trap, serializer output re-parses, framing by
/// stream and by datagram agree on the head.
public func fuzzParseSIP(_ data: UnsafeRawBufferPointer) {
    let bytes = Array(data.prefix(SIPParserLimits.default.maxMessageSize + 16))
    let parser = SIPMessageParser()

    // Datagram path, then everything a UA would touch.
    switch Result(catching: { () throws(SIPParseError) -> SIPMessage in try parser.parseDatagram(bytes) }) {
    case .success(let msg):
        exerciseTypedHeaders(msg)
        let wire = msg.serialized()
        // Invariant: our own output must parse again.
        if (try? parser.parseDatagram(wire)) == nil {
            // Serializer output may exceed limits if the input was near them; only then is failure allowed.
            let l = SIPParserLimits.default
            precondition(wire.count > l.maxMessageSize || msg.headers.count >= l.maxHeaderCount
                         || msg.headers.contains { $0.name.canonical.utf8.count + $0.value.utf8.count + 2 > l.maxLineLength },
                         "serialized message failed to re-parse")
        }
    case .failure(let error):
        _ = SIPErrorResponse.make(forRawRequest: bytes, error: error)
    }

    // Stream path: feed in two pieces to exercise resumption.
    var framer = SIPStreamFramer()
    var buffer = Array(bytes.prefix(bytes.count / 2))
    var produced = 0
    _ = try? framer.decode(buffer: &buffer)
    buffer += bytes.dropFirst(bytes.count / 2)
    while produced < 64, let r = try? framer.decode(buffer: &buffer), case .message(let m) = r {
        produced += 1
        exerciseTypedHeaders(m)
    }

    // Stand-alone grammars on the raw text.
    if let text = String(validating: bytes.prefix(4096), as: UTF8.self) {
        _ = try? SIPURI.parse(text)
        _ = try? SIPAddress.parse(text)
        _ = try? SIPVia.parseList(text)
        _ = try? SIPAuthHeader.parse(text)
        _ = try? SIPContact.parseList(text)
    }
}

/// Touches every typed accessor and the validator; results are ignored.
func exerciseTypedHeaders(_ m: SIPMessage) {
    _ = try? m.vias()
    _ = try? m.from()
    _ = try? m.to()
    _ = try? m.callID()
    _ = try? m.cseq()
    _ = try? m.maxForwards()
    _ = try? m.contacts()
    _ = try? m.routes()
    _ = try? m.recordRoutes()
    _ = try? m.contentType()
    _ = try? m.expires()
    _ = try? m.allow()
    _ = try? m.supported()
    _ = try? m.require()
    _ = try? m.wwwAuthenticate()
    _ = try? m.authorization()
    _ = try? m.date()
    _ = try? m.accept()
    if let e = Result(catching: { () throws(SIPParseError) in try SIPMessageValidator.validate(m) }).failureValue {
        _ = SIPErrorResponse.make(for: m, error: e)
    }
}

extension Result {
    var failureValue: Failure? {
        if case .failure(let f) = self { return f }
        return nil
    }
}
