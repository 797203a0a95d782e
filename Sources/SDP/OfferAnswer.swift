/// RFC 3264 offer/answer for audio.
///
/// The answer always mirrors the offer's m-line count and order (§6) — a rejected
/// stream is kept with port 0 — so the peer can correlate streams by index.
public enum OfferAnswer {
    /// Why a stream in the offer was answered with port 0.
    public enum RejectReason: Error, Sendable, Hashable {
        case unsupportedMediaType
        case unsupportedTransport
        case disabledInOffer
        case missingConnection
        case noCommonCodec
        case noLocalPort
    }

    /// The negotiated parameters of an accepted audio stream, ready for the media engine.
    public struct AcceptedAudio: Sendable, Hashable {
        public var mediaIndex: Int
        public var codec: AudioCodec
        /// Payload type to use on the wire (the offer's numbering, RFC 3264 §6.1).
        public var payloadType: UInt8
        public var telephoneEventPayloadType: UInt8?
        public var remoteAddress: String
        public var remotePort: UInt16
        public var localPort: UInt16
        public var direction: MediaDirection
        public var ptime: Int?
        public var rtcpMux: Bool
    }

    public enum StreamOutcome: Sendable, Hashable {
        case accepted(AcceptedAudio)
        case rejected(mediaIndex: Int, reason: RejectReason)
    }

    /// Answer plus per-stream outcomes. `isAcceptable == false` means no audio stream
    /// was accepted: the caller should reply 488 rather than send this answer.
    public struct AnswerResult: Sendable, Hashable {
        public var answer: SessionDescription
        public var streams: [StreamOutcome]
        public var acceptedAudio: [AcceptedAudio] {
            streams.compactMap { if case .accepted(let a) = $0 { a } else { nil } }
        }
        public var isAcceptable: Bool { !acceptedAudio.isEmpty }
    }

    public static func makeOffer(_ local: LocalCapabilities) -> SessionDescription {
        var sdp = SessionDescription(origin: local.origin, connection: Connection(address: local.address))
        for port in local.audioPorts {
            var attrs = local.codecs.map {
                RTPMap(payloadType: $0.payloadType, encoding: $0.encoding, clockRate: $0.clockRate).attribute
            }
            var formats = local.codecs.map { String($0.payloadType) }
            if let te = local.telephoneEventPayloadType {
                formats.append(String(te))
                attrs.append(RTPMap(payloadType: te, encoding: "telephone-event", clockRate: 8000).attribute)
                attrs.append(FMTP(format: String(te), parameters: "0-16").attribute)
            }
            if let p = local.ptime { attrs.append(Attribute("ptime", String(p))) }
            if local.rtcpMux { attrs.append(Attribute("rtcp-mux")) }
            attrs.append(local.direction.attribute)
            sdp.media.append(MediaDescription(type: "audio", port: port, formats: formats, attributes: attrs))
        }
        return sdp
    }

    public static func answer(offer: SessionDescription, local: LocalCapabilities) -> AnswerResult {
        var answer = SessionDescription(origin: local.origin, connection: Connection(address: local.address))
        var outcomes: [StreamOutcome] = []
        var audioIndex = 0
        for (index, m) in offer.media.enumerated() {
            let portIndex = m.type == "audio" ? audioIndex : nil
            if m.type == "audio" { audioIndex += 1 }
            switch negotiate(m, index: index, offer: offer, local: local, portIndex: portIndex) {
            case .success(let (desc, accepted)):
                answer.media.append(desc)
                outcomes.append(.accepted(accepted))
            case .failure(let reason):
                // §6: rejected stream keeps type/proto/formats, port 0, no attributes.
                answer.media.append(MediaDescription(type: m.type, port: 0, proto: m.proto,
                                                     formats: m.formats.isEmpty ? ["0"] : m.formats))
                outcomes.append(.rejected(mediaIndex: index, reason: reason))
            }
        }
        return AnswerResult(answer: answer, streams: outcomes)
    }


    private static func negotiate(_ m: MediaDescription, index: Int, offer: SessionDescription,
                                  local: LocalCapabilities, portIndex: Int?)
        -> Result<(MediaDescription, AcceptedAudio), RejectReason> {
        guard let portIndex else { return .failure(.unsupportedMediaType) }
        guard m.proto == "RTP/AVP" else { return .failure(.unsupportedTransport) }
        guard m.port != 0 else { return .failure(.disabledInOffer) }
        guard let conn = offer.effectiveConnection(for: m) else { return .failure(.missingConnection) }
        guard portIndex < local.audioPorts.count else { return .failure(.noLocalPort) }

        var chosen: (AudioCodec, String)?
        search: for codec in local.codecs {
            for f in m.formats where codec.matches(format: f, rtpMap: m.rtpMap(for: f)) {
                chosen = (codec, f)
                break search
            }
        }
        guard let (codec, format) = chosen, let pt = UInt8(digits: format) else {
            return .failure(.noCommonCodec)
        }

        var formats = [format]
        var attrs = [RTPMap(payloadType: pt, encoding: codec.encoding, clockRate: codec.clockRate).attribute]
        var tePT: UInt8?
        if local.telephoneEventPayloadType != nil,
           let te = m.formats.lazy.compactMap({ m.rtpMap(for: $0) }).first(where: {
               $0.encoding.lowercased() == "telephone-event" && $0.clockRate == codec.clockRate
           }) {
            tePT = te.payloadType
            formats.append(String(te.payloadType))
            attrs.append(te.attribute)
            let fmtp = m.fmtp(for: String(te.payloadType))?.parameters ?? "0-15"
            attrs.append(FMTP(format: String(te.payloadType), parameters: fmtp).attribute)
        }
        let ptime = m.ptime
        if let ptime { attrs.append(Attribute("ptime", String(ptime))) }
        let mux = m.rtcpMux && local.rtcpMux
        if mux { attrs.append(Attribute("rtcp-mux")) }
        let direction = offer.effectiveDirection(for: m).answer(local: local.direction)
        attrs.append(direction.attribute)

        let localPort = local.audioPorts[portIndex]
        let desc = MediaDescription(type: "audio", port: localPort, proto: m.proto,
                                    formats: formats, attributes: attrs)
        let accepted = AcceptedAudio(mediaIndex: index, codec: codec, payloadType: pt,
                                     telephoneEventPayloadType: tePT, remoteAddress: conn.address,
                                     remotePort: m.port, localPort: localPort, direction: direction,
                                     ptime: ptime, rtcpMux: mux)
        return .success((desc, accepted))
    }
}
