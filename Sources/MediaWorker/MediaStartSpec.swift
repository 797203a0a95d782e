import MediaCore
import Wire

/// What a media session sends and expects, from orch's `media.start` (docs/PROTOCOL.md §4, media workers).
/// Sent again with new values on a re-INVITE (new address, hold/resume); the session is updated in place.
public struct MediaStartSpec: Sendable, Equatable {
    public var remoteHost: String
    public var remotePort: Int
    /// RTCP goes to `remotePort + 1` unless the peer said otherwise (a=rtcp) or rtcp-mux was agreed.
    public var remoteRTCPPort: Int
    public var rtcpMux: Bool
    public var payloadType: UInt8
    public var law: G711Law
    /// Milliseconds of audio per packet we send (10 to 60, a multiple of 10).
    public var ptime: Int
    /// Our direction: sendrecv, sendonly, recvonly, inactive.
    public var sends: Bool
    public var receives: Bool
    public var telephoneEventPayloadType: UInt8?
    /// PCM stream ids: frames we decode go out as `playbackStream`; frames we encode come in as `captureStream`.
    public var playbackStream: UInt32
    public var captureStream: UInt32
    /// Where a previous worker's stream for this call stood (`rtp_state`), to continue it after a restart.
    public var continuing: RTPSendState?
    /// A WAV file sent instead of the captured audio (music on hold while we hold the call).
    public var holdMusic: String?

    public struct Invalid: Error, CustomStringConvertible { public let description: String }

    public init(args: [String: JSONValue]) throws(Invalid) {
        let media = args["remote"] ?? args["remote_media"]
        guard let host = media?["address"]?.stringValue, !host.isEmpty else {
            throw Invalid(description: "media.start needs args.remote.address")
        }
        guard let port = media?["port"]?.intValue, (1...65535).contains(port) else {
            throw Invalid(description: "media.start needs args.remote.port (1-65535)")
        }
        remoteHost = host
        remotePort = port
        rtcpMux = media?["rtcp_mux"]?.boolValue ?? false
        remoteRTCPPort = media?["rtcp_port"]?.intValue ?? (rtcpMux ? port : port + 1)
        let codec = (media?["codec"]?.stringValue ?? "PCMU").uppercased()
        switch codec {
        case "PCMU": law = .muLaw
        case "PCMA": law = .aLaw
        default: throw Invalid(description: "codec '\(codec)' is not supported by this worker (PCMU, PCMA)")
        }
        let pt = media?["payload_type"]?.intValue ?? Int(law.staticPayloadType)
        guard (0...127).contains(pt) else { throw Invalid(description: "payload_type \(pt) is not 0-127") }
        payloadType = UInt8(pt)
        let requestedPtime = media?["ptime"]?.intValue ?? 20
        ptime = (10...60).contains(requestedPtime) && requestedPtime % 10 == 0 ? requestedPtime : 20
        let direction = media?["direction"]?.stringValue ?? "sendrecv"
        sends = direction == "sendrecv" || direction == "sendonly"
        receives = direction == "sendrecv" || direction == "recvonly"
        if let te = media?["telephone_event"]?.intValue, (96...127).contains(te) { telephoneEventPayloadType = UInt8(te) }
        playbackStream = UInt32(clamping: args["streams"]?["playback"]?.intValue ?? 0)
        captureStream = UInt32(clamping: args["streams"]?["capture"]?.intValue ?? 0)
        continuing = RTPSendState(json: args["rtp_state"])
        holdMusic = args["hold_music"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
    }

    public var direction: String {
        switch (sends, receives) {
        case (true, true): "sendrecv"
        case (true, false): "sendonly"
        case (false, true): "recvonly"
        case (false, false): "inactive"
        }
    }
}
