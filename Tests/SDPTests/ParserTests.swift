import Testing
@testable import SDP

@Test func parsesTypicalSoftphoneOffer() throws {
    let sdp = try SDPParser.parse(Fixtures.softphone)
    #expect(sdp.origin.username == "alice")
    #expect(sdp.origin.sessionID == 2890844526)
    #expect(sdp.connection == Connection(addressType: "IP4", address: "192.0.2.10"))
    #expect(sdp.media.count == 1)
    let m = sdp.media[0]
    #expect(m.type == "audio" && m.port == 49170 && m.proto == "RTP/AVP")
    #expect(m.formats == ["0", "8", "101"])
    #expect(m.rtpMap(for: "101") == RTPMap(payloadType: 101, encoding: "telephone-event", clockRate: 8000))
    #expect(m.fmtp(for: "101")?.parameters == "0-16")
    #expect(m.ptime == 20)
    #expect(m.direction == .sendrecv)
    #expect(!m.rtcpMux)
}

@Test func parsesVideoAndKeepsUnknown() throws {
    let sdp = try SDPParser.parse(Fixtures.withVideo)
    #expect(sdp.media.map(\.type) == ["audio", "video"])
    #expect(sdp.otherLines == [SDPLine(type: "i", value: "info"), SDPLine(type: "b", value: "AS:512")])
    #expect(sdp.attributes == [Attribute("tool", "foo")])
    #expect(sdp.media[0].attributes.contains(Attribute("x-unknown", "abc")))
    #expect(sdp.media[0].connection == nil)
    #expect(sdp.effectiveConnection(for: sdp.media[0])?.address == "198.51.100.1")
    #expect(sdp.media[1].rtpMap(for: "97")?.clockRate == 90000)
    #expect(sdp.media[1].rtcpMux)
    #expect(sdp.media[1].otherLines == [SDPLine(type: "b", value: "AS:384")])
}

@Test func parsesIPv6MediaConnectionAndPortCount() throws {
    let sdp = try SDPParser.parse(Fixtures.mediaLevelConnectionIPv6)
    #expect(sdp.connection == nil)
    #expect(sdp.origin.addressType == "IP6")
    #expect(sdp.media[0].connection == Connection(addressType: "IP6", address: "2001:db8::2"))
    #expect(sdp.media[0].portCount == 2)
    #expect(sdp.media[0].direction == .recvonly)
}

@Test func parsesBytesAndRTPMapChannels() throws {
    let text = "v=0\no=- 1 1 IN IP4 h\ns=-\nt=0 0\nm=audio 1 RTP/AVP 120\na=rtpmap:120 opus/48000/2\n"
    let sdp = try SDPParser.parse(Array(text.utf8))
    #expect(sdp.media[0].rtpMap(for: "120")?.channels == 2)
}

@Test(arguments: [Fixtures.softphone, Fixtures.withVideo, Fixtures.mediaLevelConnectionIPv6])
func roundTrips(_ text: String) throws {
    let first = try SDPParser.parse(text)
    let out = first.serialize()
    #expect(!out.contains("\n") || out.split(separator: "\n").allSatisfy { $0.hasSuffix("\r") })
    let second = try SDPParser.parse(out)
    #expect(second == first)
    #expect(second.serialize() == out)
}

@Test func canonicalTextIsStable() throws {
    #expect(try SDPParser.parse(Fixtures.softphone).serialize() == Fixtures.softphone)
}

@Test func rtpmapForUnknownPayloadTypeTolerated() throws {
    let text = "v=0\no=- 1 1 IN IP4 h\ns=-\nt=0 0\nm=audio 1 RTP/AVP 0\na=rtpmap:99 foo/8000\na=rtpmap:bad\n"
    let sdp = try SDPParser.parse(text)
    #expect(sdp.media[0].rtpMaps == [RTPMap(payloadType: 99, encoding: "foo", clockRate: 8000)])
    #expect(sdp.media[0].attributes.count == 2)
}

private let head = "v=0\no=- 1 1 IN IP4 h\ns=-\nt=0 0\n"

@Test(arguments: [
    ("", SDPParseError.empty),
    ("\n\n", .empty),
    ("o=- 1 1 IN IP4 h\ns=-\nt=0 0\n", .missingVersion(line: 1)),
    ("v=1\n", .unsupportedVersion(line: 1, value: "1")),
    ("v=0\nv=0\n", .duplicateField(line: 2, type: "v")),
    ("v=0\ns=-\nt=0 0\n", .missingField("o")),
    ("v=0\no=- 1 1 IN IP4 h\nt=0 0\n", .missingField("s")),
    ("v=0\no=- 1 1 IN IP4 h\ns=-\n", .missingField("t")),
    ("v=0\no=- x 1 IN IP4 h\n", .invalidOrigin(line: 2)),
    ("v=0\no=- 1 1 IN IP4\n", .invalidOrigin(line: 2)),
    (head + "c=IN IP4\n", .invalidConnection(line: 5)),
    ("v=0\no=- 1 1 IN IP4 h\ns=-\nt=0\n", .invalidTiming(line: 4)),
    (head + "m=audio 1 RTP/AVP\n", .invalidMedia(line: 5)),
    (head + "m=audio x RTP/AVP 0\n", .invalidMediaPort(line: 5, value: "x")),
    (head + "m=audio 70000 RTP/AVP 0\n", .invalidMediaPort(line: 5, value: "70000")),
    (head + "m=audio -1 RTP/AVP 0\n", .invalidMediaPort(line: 5, value: "-1")),
    (head + "m=audio 1/0 RTP/AVP 0\n", .invalidMediaPort(line: 5, value: "1/0")),
    (head + "m=audio 1/2/3 RTP/AVP 0\n", .invalidMediaPort(line: 5, value: "1/2/3")),
    (head + "a=:x\n", .invalidAttribute(line: 5)),
    (head + "a=\n", .invalidAttribute(line: 5)),
    (head + "garbage\n", .malformedLine(line: 5)),
    (head + "X=1\n", .malformedLine(line: 5)),
    (head + "m=audio 1 RTP/AVP 0\nt=0 0\n", .unexpectedLine(line: 6, type: "t")),
    (head + "m=audio 1 RTP/AVP 0\nc=IN IP4 a\nc=IN IP4 b\n", .duplicateField(line: 7, type: "c")),
    (head + "c=IN IP4 a\nc=IN IP4 b\n", .duplicateField(line: 6, type: "c")),
    (head + "s=again\n", .duplicateField(line: 5, type: "s")),
] as [(String, SDPParseError)])
func malformedInputGivesTypedError(_ text: String, _ expected: SDPParseError) {
    #expect(throws: expected) { try SDPParser.parse(text) }
}

@Test func invalidUTF8() {
    let bytes = Array((head + "s=").utf8) + [0xFF, 0x0A]
    #expect(throws: SDPParseError.invalidEncoding) { try SDPParser.parse(bytes) }
}

@Test func limitsEnforced() {
    let big = head + String(repeating: "a=x\n", count: 20_000)
    #expect(throws: SDPParseError.tooLarge(size: big.utf8.count, limit: 65536)) { try SDPParser.parse(big) }
    let long = head + "a=" + String(repeating: "y", count: 4095) + "\n"
    #expect(throws: SDPParseError.lineTooLong(line: 5, length: 4097, limit: 4096)) { try SDPParser.parse(long) }
    let many = head + String(repeating: "m=audio 1 RTP/AVP 0\n", count: 65)
    #expect(throws: SDPParseError.tooManyMediaSections(line: 69, limit: 64)) { try SDPParser.parse(many) }
    let ok = head + String(repeating: "m=audio 1 RTP/AVP 0\n", count: 64)
    #expect((try? SDPParser.parse(ok))?.media.count == 64)
}

@Test func everyPrefixParsesOrThrowsWithoutTrapping() {
    for fixture in [Fixtures.softphone, Fixtures.withVideo, Fixtures.mediaLevelConnectionIPv6] {
        let bytes = Array(fixture.utf8)
        for n in 0...bytes.count {
            do { _ = try SDPParser.parse(Array(bytes[..<n])) } catch { _ = error }
        }
    }
    // Non-ASCII split mid-character must also be safe.
    let bytes = Array((head + "s=héllo\n").utf8)
    for n in 0...bytes.count { _ = try? SDPParser.parse(Array(bytes[..<n])) }
}
