import SDP
import SIPCore
import Wire

/// Turns orch's media allocation into SDP (offers and answers) and the peer's SDP into the `remote_media`
/// object of events. The SDP logic itself is in the SDP module; this only maps settings onto it.
struct MediaNegotiation: Sendable {
    var codecs: [AudioCodec]
    var sessionID: UInt64
    var sessionVersion: UInt64 = 1

    init(codecNames: [String], sessionID: UInt64) {
        let known: [String: AudioCodec] = ["PCMU": .pcmu, "PCMA": .pcma]
        let list = codecNames.compactMap { known[$0.uppercased()] }
        codecs = list.isEmpty ? [.pcmu, .pcma] : list
        self.sessionID = sessionID
    }

    func capabilities(address: String, port: UInt16, direction: MediaDirection = .sendrecv) -> LocalCapabilities {
        LocalCapabilities(codecs: codecs, telephoneEventPayloadType: 101, address: address, audioPorts: [port],
                          direction: direction, ptime: 20, username: "sip-client", sessionID: sessionID,
                          sessionVersion: sessionVersion)
    }

    func offer(address: String, port: UInt16) -> [UInt8] {
        Array(OfferAnswer.makeOffer(capabilities(address: address, port: port)).serialize().utf8)
    }

    /// The answer to an offer, or the reason no audio stream could be accepted (the INVITE gets 488).
    func answer(offerBody: [UInt8], address: String, port: UInt16) -> Result<(body: [UInt8], audio: OfferAnswer.AcceptedAudio), MediaFailure> {
        let offer: SessionDescription
        do { offer = try SDPParser.parse(offerBody) } catch {
            return .failure(.unparsable("\(error)"))
        }
        let result = OfferAnswer.answer(offer: offer, local: capabilities(address: address, port: port))
        guard let audio = result.acceptedAudio.first else {
            return .failure(.noCommonCodec(offered: Self.offeredCodecs(offer)))
        }
        return .success((Array(result.answer.serialize().utf8), audio))
    }

    /// Reads an SDP answer to our offer: the first accepted audio stream. `direction` in the result is ours (what
    /// the media worker does), like everywhere on the bus.
    static func remoteMedia(answerBody: [UInt8]) -> JSONValue? {
        guard let sdp = try? SDPParser.parse(answerBody),
              let m = sdp.media.first(where: { $0.type == "audio" && $0.port != 0 }),
              let conn = sdp.effectiveConnection(for: m), let first = m.formats.first else { return nil }
        let encoding = m.rtpMap(for: first)?.encoding ?? (first == "0" ? "PCMU" : first == "8" ? "PCMA" : first)
        var o: [String: JSONValue] = ["address": .string(conn.address), "port": .init(Int(m.port)), "codec": .string(encoding.uppercased()),
                                      "payload_type": .init(Int(first) ?? -1),
                                      // Our direction: the peer's answer seen from our side (its recvonly is our sendonly).
                                      "direction": .string(Self.ourSide(of: sdp.effectiveDirection(for: m)).rawValue)]
        if let te = m.formats.lazy.compactMap({ m.rtpMap(for: $0) }).first(where: { $0.encoding.lowercased() == "telephone-event" }) {
            o["telephone_event"] = .init(Int(te.payloadType))
        }
        return .object(o)
    }

    static func ourSide(of peer: MediaDirection) -> MediaDirection {
        MediaDirection(sends: peer.receives, receives: peer.sends)
    }

    /// `remote_media` of an answer we built: `direction` is already ours.
    static func json(_ a: OfferAnswer.AcceptedAudio) -> JSONValue {
        var o: [String: JSONValue] = ["address": .string(a.remoteAddress), "port": .init(Int(a.remotePort)),
                                      "codec": .string(a.codec.encoding), "payload_type": .init(Int(a.payloadType)),
                                      "direction": .string(a.direction.rawValue)]
        if let te = a.telephoneEventPayloadType { o["telephone_event"] = .init(Int(te)) }
        return .object(o)
    }

    static func offeredCodecs(_ sdp: SessionDescription) -> [String] {
        sdp.media.filter { $0.type == "audio" }.flatMap { m in m.formats.map { m.rtpMap(for: $0)?.encoding ?? $0 } }
    }
}

enum MediaFailure: Error, Sendable {
    case unparsable(String)
    case noCommonCodec(offered: [String])

    var description: String {
        switch self {
        case .unparsable(let why): "the SDP offer cannot be parsed: \(why)"
        case .noCommonCodec(let offered): "no codec in common (offered: \(offered.joined(separator: ", ")))"
        }
    }
}
