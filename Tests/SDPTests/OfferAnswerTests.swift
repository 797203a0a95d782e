import Testing
@testable import SDP

private func offer(_ media: String, session: String = "c=IN IP4 203.0.113.5\n") throws -> SessionDescription {
    try SDPParser.parse("v=0\no=- 1 1 IN IP4 203.0.113.5\ns=-\n" + session + "t=0 0\n" + media)
}

private let local = LocalCapabilities(codecs: [.pcma, .pcmu], address: "192.0.2.1", audioPorts: [4000, 4002])

@Test func answerPicksLocalPriorityEchoesEventAndPtime() throws {
    let r = OfferAnswer.answer(offer: try SDPParser.parse(Fixtures.softphone), local: local)
    #expect(r.isAcceptable)
    let a = try #require(r.acceptedAudio.first)
    #expect(a.codec == .pcma && a.payloadType == 8)
    #expect(a.telephoneEventPayloadType == 101)
    #expect(a.remoteAddress == "192.0.2.10" && a.remotePort == 49170 && a.localPort == 4000)
    let m = r.answer.media[0]
    #expect(m.formats == ["8", "101"])
    #expect(m.fmtp(for: "101")?.parameters == "0-16")
    #expect(m.ptime == 20)
    #expect(m.direction == .sendrecv)
    #expect(r.answer.connection?.address == "192.0.2.1")
    // The answer itself must be valid SDP.
    #expect(try SDPParser.parse(r.answer.serialize()) == r.answer)
}

@Test func telephoneEventDynamicPTEchoed() throws {
    let o = try offer("m=audio 5000 RTP/AVP 0 96\na=rtpmap:96 telephone-event/8000\n")
    let r = OfferAnswer.answer(offer: o, local: local)
    #expect(r.acceptedAudio.first?.telephoneEventPayloadType == 96)
    #expect(r.answer.media[0].formats == ["0", "96"])
    #expect(r.answer.media[0].ptime == nil)
}

@Test func staticPTWithoutRtpmapMatches() throws {
    let r = OfferAnswer.answer(offer: try offer("m=audio 5000 RTP/AVP 18 0\n"), local: local)
    #expect(r.acceptedAudio.first?.codec == .pcmu)
}

@Test func noCommonCodecRejectedWithPortZero() throws {
    let r = OfferAnswer.answer(offer: try offer("m=audio 5000 RTP/AVP 18 9\n"), local: local)
    #expect(!r.isAcceptable)
    #expect(r.streams == [.rejected(mediaIndex: 0, reason: .noCommonCodec)])
    #expect(r.answer.media[0].port == 0)
    #expect(r.answer.media[0].formats == ["18", "9"])
}

@Test func videoRejectedAudioAcceptedInOrder() throws {
    let r = OfferAnswer.answer(offer: try SDPParser.parse(Fixtures.withVideo), local: local)
    #expect(r.answer.media.count == 2)
    #expect(r.answer.media.map(\.type) == ["audio", "video"])
    #expect(r.answer.media.map(\.port) == [4000, 0])
    #expect(r.streams[1] == .rejected(mediaIndex: 1, reason: .unsupportedMediaType))
    #expect(r.acceptedAudio.first?.telephoneEventPayloadType == 96)
    #expect(r.isAcceptable)
}

@Test func otherRejectReasons() throws {
    var r = OfferAnswer.answer(offer: try offer("m=audio 5000 RTP/SAVP 0\n"), local: local)
    #expect(r.streams == [.rejected(mediaIndex: 0, reason: .unsupportedTransport)])
    r = OfferAnswer.answer(offer: try offer("m=audio 0 RTP/AVP 0\n"), local: local)
    #expect(r.streams == [.rejected(mediaIndex: 0, reason: .disabledInOffer)])
    r = OfferAnswer.answer(offer: try offer("m=audio 5000 RTP/AVP 0\n", session: ""), local: local)
    #expect(r.streams == [.rejected(mediaIndex: 0, reason: .missingConnection)])
    r = OfferAnswer.answer(offer: try offer(String(repeating: "m=audio 5000 RTP/AVP 0\n", count: 3)), local: local)
    #expect(r.answer.media.map(\.port) == [4000, 4002, 0])
    #expect(r.streams[2] == .rejected(mediaIndex: 2, reason: .noLocalPort))
}

@Test(arguments: [
    (MediaDirection.sendonly, MediaDirection.sendrecv, MediaDirection.recvonly),
    (.recvonly, .sendrecv, .sendonly),
    (.inactive, .sendrecv, .inactive),
    (.sendrecv, .sendrecv, .sendrecv),
    (.sendrecv, .sendonly, .sendonly),
    (.sendrecv, .recvonly, .recvonly),
    (.sendonly, .sendonly, .inactive),
])
func directionRules(_ offered: MediaDirection, _ localDir: MediaDirection, _ expected: MediaDirection) throws {
    var caps = local
    caps.direction = localDir
    let r = OfferAnswer.answer(offer: try offer("m=audio 5000 RTP/AVP 0\na=\(offered.rawValue)\n"), local: caps)
    #expect(r.answer.media[0].direction == expected)
    #expect(r.acceptedAudio.first?.direction == expected)
}

@Test func sessionLevelDirectionInherited() throws {
    let o = try offer("m=audio 5000 RTP/AVP 0\n", session: "c=IN IP4 203.0.113.5\na=sendonly\n")
    // a= after c= but before t= is out of canonical order; parser is lenient about it.
    #expect(OfferAnswer.answer(offer: o, local: local).answer.media[0].direction == .recvonly)
}

@Test func rtcpMuxEchoedOnlyWhenBothSupport() throws {
    let o = try offer("m=audio 5000 RTP/AVP 0\na=rtcp-mux\n")
    #expect(!OfferAnswer.answer(offer: o, local: local).answer.media[0].rtcpMux)
    var caps = local
    caps.rtcpMux = true
    #expect(OfferAnswer.answer(offer: o, local: caps).answer.media[0].rtcpMux)
}

@Test func makeOfferIsAnswerableAndIPv6Aware() throws {
    var caps = LocalCapabilities(address: "2001:db8::9", audioPorts: [7000])
    caps.rtcpMux = true
    let o = OfferAnswer.makeOffer(caps)
    #expect(o.connection?.addressType == "IP6" && o.origin.addressType == "IP6")
    let m = o.media[0]
    #expect(m.formats == ["0", "8", "101"] && m.ptime == 20 && m.direction == .sendrecv && m.rtcpMux)
    #expect(m.fmtp(for: "101")?.parameters == "0-16")
    let reparsed = try SDPParser.parse(o.serialize())
    #expect(reparsed == o)
    let r = OfferAnswer.answer(offer: reparsed, local: local)
    #expect(r.acceptedAudio.first?.codec == .pcma)
    #expect(r.acceptedAudio.first?.remoteAddress == "2001:db8::9")
}
