import SIPCore
import Testing
@testable import SIPTransport

/// Real sockets on loopback: what goes in one layer comes out of the other, framed and attributed.
@Suite("SIP transport on loopback", .serialized)
struct SIPTransportTests {
    static func options(branch: String, host: String = "127.0.0.1", port: UInt16 = 5060, transport: String = "UDP") -> SIPMessage {
        let text = "OPTIONS sip:bob@\(host.contains(":") ? "[\(host)]" : host) SIP/2.0\r\n"
            + "Via: SIP/2.0/\(transport) \(host.contains(":") ? "[\(host)]" : host):\(port);branch=\(branch);rport\r\n"
            + "From: <sip:alice@example.com>;tag=1\r\nTo: <sip:bob@example.com>\r\nCall-ID: \(branch)\r\n"
            + "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
        return try! SIPMessageParser().parse(text)
    }

    static func layer(_ host: String = "127.0.0.1") async throws -> (SIPTransportLayer, udp: SIPTransportAddress, tcp: SIPTransportAddress) {
        let layer = SIPTransportLayer(settings: SIPTransportSettings(listenHosts: [host], port: 0))
        let bound = try await layer.start()
        let udp = try #require(bound.first { $0.transport == .udp })
        let tcp = try #require(bound.first { $0.transport == .tcp })
        #expect(udp.port == tcp.port)
        return (layer, udp, tcp)
    }

    static func next(_ layer: SIPTransportLayer) async -> SIPInbound? {
        var it = layer.inbound.makeAsyncIterator()
        return await it.next()
    }

    @Test(arguments: ["127.0.0.1", "::1"])
    func udpDatagramArrivesParsedWithItsSource(host: String) async throws {
        let (a, aUDP, _) = try await Self.layer(host)
        let (b, bUDP, _) = try await Self.layer(host)
        try await a.send(Self.options(branch: "z9hG4bKudp", host: host, port: aUDP.port), to: bUDP)
        guard case .message(let m, let from, let local) = await Self.next(b) else { Issue.record("no message"); return }
        #expect(m.method == .options)
        #expect(try m.callID() == "z9hG4bKudp")
        #expect(from == aUDP)  // sent from the listener: the source port is our SIP port
        #expect(local == bUDP)
        #expect(a.counters.messagesOut == 1 && b.counters.messagesIn == 1)
        await a.shutdown(); await b.shutdown()
    }

    @Test func tcpConnectionIsReusedForTheAnswer() async throws {
        let (a, _, _) = try await Self.layer()
        let (b, _, bTCP) = try await Self.layer()
        try await a.send(Self.options(branch: "z9hG4bKtcp1", transport: "TCP"), to: bTCP)
        guard case .message(_, let from, _) = await Self.next(b) else { Issue.record("no message"); return }
        #expect(from.transport == .tcp)
        // b answers to the connection's remote address: the same connection carries it back.
        var response = SIPMessage.response(200, reasonPhrase: "OK")
        response.headers = Self.options(branch: "z9hG4bKtcp1").headers
        try await b.send(response, to: from)
        guard case .message(let r, _, _) = await Self.next(a) else { Issue.record("no answer"); return }
        #expect(r.statusCode == 200)
        try await a.send(Self.options(branch: "z9hG4bKtcp2", transport: "TCP"), to: bTCP)
        _ = await Self.next(b)
        #expect(b.counters.connectionsAccepted == 1)  // one accepted connection on b's side
        #expect(a.counters.connectionsAccepted == 1)  // one outbound connection on a's side, reused
        await a.shutdown(); await b.shutdown()
    }

    @Test func streamFramingAcrossPartialWritesAndGarbageClosesTheConnection() async throws {
        let (b, _, bTCP) = try await Self.layer()
        let raw = Self.options(branch: "z9hG4bKpart").serialized()
        let client = SIPTransportLayer(settings: SIPTransportSettings(listenHosts: ["127.0.0.1"], port: 0, transports: [.tcp]))
        try await client.start()
        // Half a message first, then the rest: one message comes out.
        try await client.send(bytes: Array(raw[..<40]), to: bTCP)
        try await client.send(bytes: Array(raw[40...]) + Array("\r\n\r\n".utf8), to: bTCP)
        guard case .message(let m, _, _) = await Self.next(b) else { Issue.record("no message"); return }
        #expect(try m.callID() == "z9hG4bKpart")
        try await client.send(bytes: Array("NOT SIP AT ALL\r\nfoo\r\n\r\n".utf8), to: bTCP)
        guard case .malformed(_, let error, _, _) = await Self.next(b) else { Issue.record("no rejection"); return }
        #expect(error.kind == .badStartLine || error.kind == .malformedHeaderLine)
        #expect(b.counters.malformed == 1 && b.counters.keepAlives >= 1)
        await client.shutdown(); await b.shutdown()
    }

    @Test func garbageDatagramIsReportedNotDropped() async throws {
        let (a, _, _) = try await Self.layer()
        let (b, bUDP, _) = try await Self.layer()
        try await a.send(bytes: Array("\r\n\r\n".utf8), to: bUDP)  // keep-alive: counted, not delivered
        try await a.send(bytes: [0xFF, 0x00, 0x13, 0x37], to: bUDP)
        guard case .malformed(let raw, _, _, _) = await Self.next(b) else { Issue.record("no rejection"); return }
        #expect(raw == [0xFF, 0x00, 0x13, 0x37])
        #expect(b.counters.keepAlives == 1)
        await a.shutdown(); await b.shutdown()
    }

    @Test func advertisedAddressFollowsTheDestinationFamily() async throws {
        let layer = SIPTransportLayer(settings: SIPTransportSettings(listenHosts: ["127.0.0.1", "::1"], port: 0))
        try await layer.start()
        #expect(layer.advertisedAddress(transport: .udp, towards: "::1")?.host == "::1")
        #expect(layer.advertisedAddress(transport: .udp, towards: "127.0.0.1")?.host == "127.0.0.1")
        await layer.shutdown()
    }

    @Test func portInUseFailsWithAMessageThatNamesIt() async throws {
        let (a, aUDP, _) = try await Self.layer()
        let b = SIPTransportLayer(settings: SIPTransportSettings(listenHosts: ["127.0.0.1"], port: aUDP.port, transports: [.tcp]))
        await #expect(throws: SIPTransportError.self) { try await b.start() }
        await a.shutdown(); await b.shutdown()
    }
}

@Suite struct SourceAddressProbeTests {
    @Test func aHostNameIsResolvedBeforeTheSourceAddressIsProbed() {
        #expect(SourceAddressProbe.localIP(towards: "127.0.0.1") == "127.0.0.1")
        #expect(SourceAddressProbe.localIP(towards: "localhost") == "127.0.0.1", "not a guess: the kernel's route to what the name resolves to")
        #expect(SourceAddressProbe.localIP(towards: "no-such-host.invalid") == nil)
    }
}
