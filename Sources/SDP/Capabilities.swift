/// Local media capabilities used both to build offers and to answer them.
///
/// Kept deliberately narrow (G.711 + RFC 4733 events) because that is what the
/// softphone's media engine can actually encode; the model is open for more later.
public struct AudioCodec: Sendable, Hashable {
    public var encoding: String
    public var clockRate: UInt32
    /// Static RTP payload type (RFC 3551), used when offering and when a peer omits rtpmap.
    public var payloadType: UInt8

    public init(encoding: String, clockRate: UInt32, payloadType: UInt8) {
        self.encoding = encoding
        self.clockRate = clockRate
        self.payloadType = payloadType
    }

    public static let pcmu = AudioCodec(encoding: "PCMU", clockRate: 8000, payloadType: 0)
    public static let pcma = AudioCodec(encoding: "PCMA", clockRate: 8000, payloadType: 8)

    /// Whether an offered format (with optional rtpmap) denotes this codec. Matching by
    /// name/clock when rtpmap exists, else by static payload type (RFC 3551 table).
    func matches(format: String, rtpMap: RTPMap?) -> Bool {
        if let rtpMap {
            return rtpMap.encoding.lowercased() == encoding.lowercased()
                && rtpMap.clockRate == clockRate && (rtpMap.channels ?? 1) == 1
        }
        guard let pt = UInt8(digits: format), pt < 96 else { return false }
        return pt == payloadType
    }
}

/// Local side of the negotiation.
public struct LocalCapabilities: Sendable, Hashable {
    /// Codecs in descending preference; the answer picks the first one the offer has.
    public var codecs: [AudioCodec]
    /// Dynamic payload type we advertise for telephone-event in our own offers;
    /// nil disables DTMF events entirely.
    public var telephoneEventPayloadType: UInt8?
    /// Media address placed in c= and o=.
    public var address: String
    /// One RTP port per audio stream, in m-line order among audio streams.
    public var audioPorts: [UInt16]
    public var direction: MediaDirection
    /// ptime to advertise in offers (answers echo the offer's instead).
    public var ptime: Int?
    public var rtcpMux: Bool
    public var username: String
    public var sessionID: UInt64
    public var sessionVersion: UInt64

    public init(codecs: [AudioCodec] = [.pcmu, .pcma], telephoneEventPayloadType: UInt8? = 101,
                address: String, audioPorts: [UInt16], direction: MediaDirection = .sendrecv,
                ptime: Int? = 20, rtcpMux: Bool = false, username: String = "-",
                sessionID: UInt64 = 1, sessionVersion: UInt64 = 1) {
        self.codecs = codecs
        self.telephoneEventPayloadType = telephoneEventPayloadType
        self.address = address
        self.audioPorts = audioPorts
        self.direction = direction
        self.ptime = ptime
        self.rtcpMux = rtcpMux
        self.username = username
        self.sessionID = sessionID
        self.sessionVersion = sessionVersion
    }

    var origin: Origin {
        let c = Connection(address: address)
        return Origin(username: username, sessionID: sessionID, sessionVersion: sessionVersion,
                      addressType: c.addressType, address: address)
    }
}
