import SDP
import SIPCore
import Wire

/// The SDP side of offer/answer (RFC 3264): turns orch's media allocation into SDP (offers and answers) and the peer's
/// SDP into the `remote_media` object of events. The SDP logic itself is in the SDP module; this only maps settings
/// onto it. Sessions treat the body as opaque otherwise, as baresip's sipsess does.
public struct MediaNegotiation: Sendable {
    var codecs: [AudioCodec]
    var sessionID: UInt64
    var sessionVersion: UInt64 = 1
    /// Attributes a client asked to add to this call's audio stream (`sdp_attributes`).
    var extraAttributes: [Attribute] = []

    public init(codecNames: [String], sessionID: UInt64) {
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

    /// This negotiation with a call's own codec order and extra attributes, when its client gave any.
    func with(_ preferences: MediaPreferences?) -> MediaNegotiation {
        guard let preferences else { return self }
        var copy = self
        if let names = preferences.codecs { copy = MediaNegotiation(codecNames: names, sessionID: sessionID); copy.sessionVersion = sessionVersion }
        copy.extraAttributes = preferences.attributes
        return copy
    }

    /// `direction`: sendrecv, or sendonly / inactive to hold the call (RFC 3264 §8.4).
    func offer(address: String, port: UInt16, direction: MediaDirection = .sendrecv) -> [UInt8] {
        Array(decorated(OfferAnswer.makeOffer(capabilities(address: address, port: port, direction: direction))).serialize().utf8)
    }

    private func decorated(_ sdp: SessionDescription) -> SessionDescription {
        guard !extraAttributes.isEmpty else { return sdp }
        var sdp = sdp
        for i in sdp.media.indices where sdp.media[i].type == "audio" && sdp.media[i].port != 0 {
            sdp.media[i].attributes += extraAttributes
        }
        return sdp
    }

    /// The answer to an offer, or the reason no audio stream could be accepted (the INVITE gets 488).
    func answer(offerBody: [UInt8], address: String, port: UInt16,
                direction: MediaDirection = .sendrecv) -> Result<(body: [UInt8], audio: OfferAnswer.AcceptedAudio), MediaFailure> {
        let offer: SessionDescription
        do { offer = try SDPParser.parse(offerBody) } catch {
            return .failure(.unparsable("\(error)"))
        }
        let result = OfferAnswer.answer(offer: offer, local: capabilities(address: address, port: port, direction: direction))
        guard let audio = result.acceptedAudio.first else {
            return .failure(.noCommonCodec(offered: Self.offeredCodecs(offer)))
        }
        return .success((Array(decorated(result.answer).serialize().utf8), audio))
    }

    /// Reads an SDP answer to our offer: the first accepted audio stream. `direction` in the result is ours (what
    /// the media worker does), like everywhere on the bus.
    static func remoteMedia(answerBody: [UInt8]) -> RemoteMedia? {
        guard let sdp = try? SDPParser.parse(answerBody),
              let m = sdp.media.first(where: { $0.type == "audio" && $0.port != 0 }),
              let conn = sdp.effectiveConnection(for: m), let first = m.formats.first else { return nil }
        let encoding = m.rtpMap(for: first)?.encoding ?? (first == "0" ? "PCMU" : first == "8" ? "PCMA" : first)
        let telephoneEvent = m.formats.lazy.compactMap { m.rtpMap(for: $0) }.first { $0.encoding.lowercased() == "telephone-event" }
        // Our direction: the peer's answer seen from our side (its recvonly is our sendonly).
        return RemoteMedia(address: conn.address, port: m.port, codec: CodecName(encoding.uppercased()), payloadType: Int(first) ?? -1,
                           direction: RTPDirection(Self.ourSide(of: sdp.effectiveDirection(for: m))),
                           telephoneEvent: telephoneEvent.map { Int($0.payloadType) })
    }

    /// The direction the peer wrote for its first audio stream (offer or answer): sendonly or inactive means it holds
    /// the call (RFC 3264 §8.4, RFC 6337 §5).
    static func peerDirection(body: [UInt8]) -> MediaDirection? {
        guard let sdp = try? SDPParser.parse(body), let m = sdp.media.first(where: { $0.type == "audio" && $0.port != 0 }) else { return nil }
        return sdp.effectiveDirection(for: m)
    }

    static func ourSide(of peer: MediaDirection) -> MediaDirection {
        MediaDirection(sends: peer.receives, receives: peer.sends)
    }

    /// `remote_media` of an answer we built: `direction` is already ours.
    static func remoteMedia(_ a: OfferAnswer.AcceptedAudio) -> RemoteMedia {
        RemoteMedia(address: a.remoteAddress, port: a.remotePort, codec: CodecName(a.codec.encoding), payloadType: Int(a.payloadType),
                    direction: RTPDirection(a.direction), telephoneEvent: a.telephoneEventPayloadType.map { Int($0) })
    }

    static func offeredCodecs(_ sdp: SessionDescription) -> [String] {
        sdp.media.filter { $0.type == "audio" }.flatMap { m in m.formats.map { m.rtpMap(for: $0)?.encoding ?? $0 } }
    }
}

/// What a client chose for one call: codecs in order of preference (PCMU, PCMA) and extra SDP attributes.
public struct MediaPreferences: Sendable, Equatable {
    var codecs: [String]?
    var attributes: [Attribute] = []

    static let maxAttributes = 10, maxAttributeLength = 200

    /// Checks a command's `codecs` and `sdp_attributes` (a snapshot's too); nil when neither is there.
    public static func parse(codecs list: [CodecName]?, attributes lines: [String]?) -> Result<MediaPreferences?, WireError> {
        guard list != nil || lines != nil else { return .success(nil) }
        var p = MediaPreferences()
        if let list {
            let names = list.map(\.rawValue)
            guard !names.isEmpty, names.allSatisfy({ ["PCMU", "PCMA"].contains($0.uppercased()) }) else {
                return .failure(WireError(.badArgs, "codecs must be a non-empty list of PCMU and PCMA, e.g. [\"PCMA\",\"PCMU\"]"))
            }
            p.codecs = names.map { $0.uppercased() }
        }
        if let lines {
            guard lines.count <= maxAttributes else {
                return .failure(WireError(.badArgs, "sdp_attributes must be a list of at most \(maxAttributes) strings like \"x-foo:bar\""))
            }
            for raw in lines {
                let line = raw.hasPrefix("a=") ? String(raw.dropFirst(2)) : raw
                let name = line.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
                guard !name.isEmpty, line.count <= maxAttributeLength,
                      !line.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0.value < 0x20 || $0.value == 0x7F }),
                      name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
                    return .failure(WireError(.badArgs, "sdp attribute '\(raw)' is not NAME[:VALUE] on one line of at most \(maxAttributeLength) characters"))
                }
                let value = line.contains(":") ? String(line[line.index(after: line.firstIndex(of: ":")!)...]) : nil
                p.attributes.append(Attribute(name, value))
            }
        }
        return .success(p)
    }

    /// The codecs and attributes as a snapshot carries them (and `parse` reads them back).
    var wireCodecs: [CodecName]? { codecs.map { $0.map { CodecName($0) } } }
    var wireAttributes: [String]? {
        attributes.isEmpty ? nil : attributes.map { attribute in attribute.value.map { "\(attribute.name):\($0)" } ?? attribute.name }
    }
}

extension RTPDirection {
    /// The bus's name for an SDP direction.
    init(_ direction: MediaDirection) { self.init(sends: direction.sends, receives: direction.receives) }
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
