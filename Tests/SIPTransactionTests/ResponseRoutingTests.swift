import Testing
import SIPCore
@testable import SIPTransaction

@Suite("Via stamping and response routing (RFC 3261 §18.2, RFC 3581)")
struct ResponseRoutingTests {
    let natSource = SIPTransportAddress(transport: .udp, host: "198.51.100.7", port: 40000)

    @Test func emptyRportIsFilledAndReceivedAddedAndResponsesFollowThem() throws {
        var layer = SIPTransactionLayer()
        let invite = makeRequest(via: "SIP/2.0/UDP client.example.com:5062;rport",
                                 extraVias: ["SIP/2.0/UDP inner.example.com;branch=z9hG4bKi"])
        let (delivered, id) = try deliver(invite, into: &layer, from: natSource)
        let top = try #require(try delivered.topVia())
        #expect(top.rport == 40000)
        #expect(top.received == "198.51.100.7")
        #expect(top.branch == "z9hG4bKinv1" && top.host == "client.example.com" && top.port == 5062)
        #expect(try delivered.vias().count == 2)   // the second Via survives the rewrite

        let ringing = SIPResponseBuilder.response(to: delivered, status: 180, toTag: "x")
        #expect(layer.sendResponse(ringing, transaction: id, now: .zero) == [.send(ringing, to: natSource)])
        #expect(try ringing.topVia()?.rport == 40000)
        #expect(layer.responseDestination(for: id) == natSource)
    }

    @Test func rportIsEchoedWithReceivedEvenWhenTheAddressMatches() throws {
        let source = SIPTransportAddress(transport: .udp, host: "192.0.2.10", port: 5070)
        let stamped = SIPResponseRouting.stampingReceived(
            makeRequest(via: "SIP/2.0/UDP 192.0.2.10:5070;rport"), from: source)
        let via = try #require(try stamped.topVia())
        #expect(via.received == "192.0.2.10" && via.rport == 5070)
    }

    @Test func differentSentByGetsReceivedAndResponseGoesThereOnTheSentByPort() throws {
        var layer = SIPTransactionLayer()
        let source = SIPTransportAddress(transport: .udp, host: "198.51.100.7", port: 6000)
        let (delivered, id) = try deliver(makeRequest(.options, via: "SIP/2.0/UDP 10.0.0.5:5070"),
                                          into: &layer, from: source)
        let via = try #require(try delivered.topVia())
        #expect(via.received == "198.51.100.7" && !via.hasRport)
        #expect(layer.responseDestination(for: id) == SIPTransportAddress(transport: .udp, host: "198.51.100.7",
                                                                          port: 5070))
    }

    @Test func matchingSentByIsLeftAloneAndDefaultPortIs5060() throws {
        let source = SIPTransportAddress(transport: .udp, host: "192.0.2.10", port: 5060)
        let request = makeRequest(via: "SIP/2.0/UDP 192.0.2.10")
        let stamped = SIPResponseRouting.stampingReceived(request, from: source)
        #expect(stamped == request)
        #expect(SIPResponseRouting.destination(forResponseTo: stamped, receivedFrom: source) == source)
    }

    @Test func hostnameSentByAlwaysGetsReceived() throws {
        let stamped = SIPResponseRouting.stampingReceived(makeRequest(via: "SIP/2.0/UDP pc.example.com"),
                                                          from: udpPeer)
        #expect(try stamped.topVia()?.received == "192.0.2.10")
    }

    @Test func ipv6SourceIsWrittenBareAndReparses() throws {
        let source = SIPTransportAddress(transport: .udp, host: "2001:db8::7", port: 5060)
        let stamped = SIPResponseRouting.stampingReceived(makeRequest(via: "SIP/2.0/UDP [2001:db8::1];rport"),
                                                          from: source)
        let reparsed = try SIPMessageParser().parseDatagram(stamped.serialized())
        #expect(try reparsed.topVia()?.received == "2001:db8::7")
        #expect(SIPResponseRouting.destination(forResponseTo: reparsed, receivedFrom: source) == source)
    }

    @Test func reliableTransportsAnswerOnTheConnection() throws {
        var layer = SIPTransactionLayer()
        let conn = SIPTransportAddress(transport: .tcp, host: "198.51.100.7", port: 51234)
        let (_, id) = try deliver(makeRequest(.options, via: "SIP/2.0/TCP pc.example.com:5060"), into: &layer,
                                  from: conn)
        #expect(layer.responseDestination(for: id) == conn)
    }

    @Test func maddrWinsOnUdp() {
        let request = makeRequest(via: "SIP/2.0/UDP 192.0.2.10:5080;maddr=239.255.255.1")
        #expect(SIPResponseRouting.destination(forResponseTo: request, receivedFrom: udpPeer)
                == SIPTransportAddress(transport: .udp, host: "239.255.255.1", port: 5080))
    }
}
