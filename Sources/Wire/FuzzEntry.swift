/// Entry point for the fuzzer (sip-fuzz) and its regression tests: one input as a bus message. Control messages
/// must decode to a typed error or to a message that encodes and decodes to itself; a request, reply or event must
/// decode into its typed message (docs/PROTOCOL.md's every command and event, `WireCatalog`) with a typed error or to a
/// value that survives its own encoding; PCM headers must be refused or describe a frame that fits the bytes exactly.
public func fuzzDecodeBusMessage(_ buffer: UnsafeRawBufferPointer) {
    if let message = try? ControlMessage.decode(Array(buffer)) {
        let again = try? ControlMessage.decode(message.encoded())
        precondition(again == message, "control message round trip changed it")
        fuzzTypedBodies(message)
    }
    if let header = try? PCMFrame.decodeHeader(buffer) {
        precondition(header.frameBytes == buffer.count && header.totalSamples <= PCMFrame.maxTotalSamples, "PCM header accepted a bad length")
    }
}

private func fuzzTypedBodies(_ message: ControlMessage) {
    switch message {
    case .request(let request):
        for type in WireCatalog.commands where type.name == request.command { roundTrip(request, as: type) }
    case .reply(let reply):
        // The reply does not say which command it answers: every result type must cope with it.
        for type in WireCatalog.commands { roundTrip(reply, resultOf: type) }
    case .event(let event):
        for type in WireCatalog.events where type.type == event.type { roundTrip(event, as: type) }
    case .configure(let configure):
        if let content = try? configure.content() {
            precondition((try? ConfigureContent(json: content.jsonObject)) == content, "configure content round trip changed it")
        }
    case .hello, .heartbeat:
        break
    }
}

private func roundTrip<C: WireCommand>(_ request: Request, as type: C.Type) {
    guard let command = try? request.decode(C.self) else { return }
    precondition((try? Request(id: request.id, command).decode(C.self)) == command, "\(C.name): typed round trip changed it")
}

private func roundTrip<C: WireCommand>(_ reply: Reply, resultOf type: C.Type) {
    guard let result = try? reply.decode(C.Result.self) else { return }
    precondition((try? Reply(id: reply.id, typed: result).decode(C.Result.self)) == result, "\(C.name) result: typed round trip changed it")
}

private func roundTrip<E: WireEvent>(_ event: Event, as type: E.Type) {
    guard let typed = try? event.decode(E.self) else { return }
    precondition((try? Event(seq: event.seq, time: event.time, typed).decode(E.self)) == typed, "\(E.type): typed round trip changed it")
}
