import Foundation
import Testing
import SIPCore

/// RFC 4475 torture messages (fixtures written from the RFC's text) and robustness of the parser.
@Suite struct TortureTests {
    static func fixture(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "dat"))
        return [UInt8](try Data(contentsOf: url))
    }

    /// RFC 4475 section 3.1.1 (valid messages) and our own typical messages: parsed and valid.
    static let valid = ["wsinv", "intmeth", "esc01", "escnull", "esc02", "lwsdisp", "longreq", "dblreq", "semiuri",
                        "transports", "mpart01", "unreason", "noreason", "novelsc", "unkscm", "unksm2", "regescrt",
                        "zeromf", "cparam01", "cparam02", "sdp01", "regaut01", "invut", "invite-sdp", "invite-ipv6",
                        "challenge-401"]

    /// RFC 4475 section 3.1.2 (invalid messages): refused by the parser or by request validation.
    static let invalid = ["badinv01", "clerr", "scalar02", "scalarlg", "quotbal", "ltgtruri", "lwsruri", "lwsstart",
                          "trws", "escruri", "baddate", "regbadct", "badaspec", "baddn", "badvers", "mismatch01",
                          "mismatch02", "multi01", "insuf", "mcl01", "ncl", "bigcode"]

    @Test(arguments: valid)
    func validMessagesParseAndValidate(_ name: String) throws {
        let message = try SIPMessageParser().parseDatagram(try Self.fixture(name))
        #expect(SIPMessageValidator.isValid(message), "\(name)")
    }

    @Test(arguments: invalid)
    func invalidMessagesAreRefused(_ name: String) throws {
        let bytes = try Self.fixture(name)
        guard let message = try? SIPMessageParser().parseDatagram(bytes) else { return }  // refused by the parser
        #expect(!SIPMessageValidator.isValid(message), "\(name) was accepted")
    }

    @Test func inviteRoundTripsThroughTheSerializer() throws {
        let parsed = try SIPMessageParser().parseDatagram(try Self.fixture("invite-sdp"))
        #expect(parsed.method == .invite)
        #expect(!parsed.body.isEmpty)
        let again = try SIPMessageParser().parseDatagram(SIPSerializer().serialize(parsed))
        #expect(again.method == parsed.method)
        #expect(again.requestURI == parsed.requestURI)
        #expect(again.body == parsed.body)
        #expect(again.firstValue(.callID) == parsed.firstValue(.callID))
    }

    @Test func everyPrefixOfAnInviteIsHandledWithoutTrapping() throws {
        let bytes = try Self.fixture("invite-sdp")
        var refused = 0
        for n in 0..<bytes.count where (try? SIPMessageParser().parseDatagram(Array(bytes.prefix(n)))) == nil { refused += 1 }
        #expect(refused > 0)
    }

    @Test func randomMutationsNeverTrap() throws {
        let seeds = try Self.valid.map { try Self.fixture($0) }
        var state: UInt64 = 0x51_9C0DE
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 11
        }
        for i in 0..<3000 {
            var bytes = seeds[i % seeds.count]
            for _ in 0..<(1 + Int(next() % 6)) where !bytes.isEmpty {
                let at = Int(next() % UInt64(bytes.count))
                if next() % 2 == 0 { bytes[at] = UInt8(truncatingIfNeeded: next()) } else { bytes.remove(at: at) }
            }
            if let m = try? SIPMessageParser().parseDatagram(bytes) {
                _ = SIPMessageValidator.isValid(m)
                _ = SIPSerializer().serialize(m)
            }
        }
    }
}
