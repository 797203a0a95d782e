import Testing
import SIPCore
@testable import SIPTransaction
import Timebase

/// Property test: whatever order messages, TU answers and timers come in, the layer never
/// traps, everything it sends re-parses, and once the TU has answered everything and all
/// timers have run, no transaction is left.
@Suite("Random interleavings")
struct RandomInterleavingTests {
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func layerDrainsToZero(seed: UInt64) throws {
        var rng = SIPSplitMix64(seed: seed)
        let transports: [SIPTransportAddress] = [udpPeer, tcpPeer,
                                                 SIPTransportAddress(transport: .udp, host: "198.51.100.7", port: 40000)]
        var layer = SIPTransactionLayer(configuration: .init(maxTransactions: 40), seed: seed)
        var now = MonotonicTime.zero
        var clientIDs: [SIPClientTransactionID] = []
        var outgoing: [SIPMessage] = []
        var sentTotal = 0

        func check(_ actions: [SIPTransactionAction]) {
            for m in actions.sent {
                sentTotal += 1
                #expect((try? SIPMessageParser().parseDatagram(m.serialized())) != nil)
            }
        }

        let methods: [SIPMethod] = [.invite, .invite, .options, .bye, .cancel, .ack, .register]
        for _ in 0..<600 {
            now = now + .milliseconds(Int64.random(in: 0...700, using: &rng))
            check(layer.advance(to: now))
            let source = transports.randomElement(using: &rng) ?? udpPeer
            switch Int.random(in: 0..<6, using: &rng) {
            case 0, 1:   // a request from the network, often a retransmission (small branch space)
                let method = methods.randomElement(using: &rng) ?? .options
                let n = Int.random(in: 0..<12, using: &rng)
                let legacy = Bool.random(using: &rng) && n % 3 == 0
                let transport = source.transport.viaToken
                let request = makeRequest(method, branch: legacy ? "" : "z9hG4bKf\(n)",
                                          via: "SIP/2.0/\(transport) 192.0.2.10:5060" + (n % 2 == 0 ? ";rport" : ""),
                                          fromTag: "f\(n % 4)", toTag: n % 5 == 0 ? "t\(n)" : nil,
                                          callID: "call-\(n % 6)", cseq: UInt32(n % 3))
                check(layer.receive(request, from: source, now: now))
            case 2:   // the TU answers a random live server transaction
                let live = layer.servers.keys.sorted()
                if let id = live.randomElement(using: &rng), let request = layer.request(for: id) {
                    let status = [100, 180, 200, 486, 487, 503].randomElement(using: &rng) ?? 200
                    check(layer.sendResponse(SIPResponseBuilder.response(to: request, status: status, toTag: "u"),
                                             transaction: id, now: now))
                }
            case 3:   // the TU starts a client transaction
                let method: SIPMethod = Bool.random(using: &rng) ? .invite : .options
                let request = makeOutgoing(method, branch: SIPBranch.make(using: &rng))
                if let (id, actions) = try? layer.sendRequest(request, to: source, now: now) {
                    clientIDs.append(id)
                    outgoing.append(request)
                    check(actions)
                }
            case 4:   // a response from the network for one of ours (or a stray copy)
                if let request = outgoing.randomElement(using: &rng) {
                    let status = [100, 180, 200, 404, 486].randomElement(using: &rng) ?? 180
                    check(layer.receive(makeResponse(status, to: request), from: source, now: now))
                }
            default:  // transport trouble
                if let id = clientIDs.randomElement(using: &rng), Int.random(in: 0..<4, using: &rng) == 0 {
                    check(layer.transportFailed(client: id, now: now))
                }
            }
            #expect(layer.count <= 40 + clientIDs.count)
        }

        // The TU finishes its duties: final answers to every server transaction, a final
        // response for every client INVITE still proceeding (as a CANCEL would cause).
        for id in layer.servers.keys.sorted() {
            if let request = layer.request(for: id) {
                check(layer.sendResponse(SIPResponseBuilder.response(to: request, status: 487, toTag: "u"),
                                         transaction: id, now: now))
            }
        }
        for id in clientIDs {
            if let request = layer.request(for: id) {
                check(layer.receive(makeResponse(487, to: request), from: udpPeer, now: now))
            }
        }
        var guardCount = 0
        while let deadline = layer.nextDeadline, guardCount < 10_000 {
            check(layer.advance(to: deadline))
            guardCount += 1
        }
        #expect(layer.count == 0)
        #expect(layer.nextDeadline == nil)
        #expect(layer.clientIndex.isEmpty && layer.serverIndex.isEmpty && layer.mergeIndex.isEmpty)
        #expect(sentTotal > 0)
    }
}
