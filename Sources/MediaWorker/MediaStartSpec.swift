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
    public var direction: RTPDirection
    public var telephoneEventPayloadType: UInt8?
    /// PCM stream ids: frames we decode go out as `playbackStream`; frames we encode come in as `captureStream`.
    public var playbackStream: UInt32
    public var captureStream: UInt32
    /// Where a previous worker's stream for this call stood (`rtp_state`), to continue it after a restart.
    public var continuing: RTPSendState?
    /// A WAV file sent instead of the captured audio (music on hold while we hold the call).
    public var holdMusic: String?

    public struct Invalid: Error, CustomStringConvertible { public let description: String }

    /// What this worker makes of a `media.start` (the command's decoding checked the address and port); a codec or
    /// payload type it cannot use is `Invalid`.
    public init(_ start: MediaAPI.Start) throws(Invalid) {
        let media = start.remote
        remoteHost = media.address
        remotePort = Int(media.port)
        rtcpMux = media.rtcpMux ?? false
        remoteRTCPPort = media.rtcpPort.map(Int.init) ?? (rtcpMux ? remotePort : remotePort + 1)
        let codec = media.codec.rawValue.uppercased()
        switch codec {
        case "PCMU": law = .muLaw
        case "PCMA": law = .aLaw
        default: throw Invalid(description: "codec '\(codec)' is not supported by this worker (PCMU, PCMA)")
        }
        guard (0...127).contains(media.payloadType) else { throw Invalid(description: "payload_type \(media.payloadType) is not 0-127") }
        payloadType = UInt8(media.payloadType)
        let requestedPtime = media.ptime ?? 20
        ptime = (10...60).contains(requestedPtime) && requestedPtime % 10 == 0 ? requestedPtime : 20
        direction = media.direction
        if let te = media.telephoneEvent, (96...127).contains(te) { telephoneEventPayloadType = UInt8(te) }
        playbackStream = start.streams.playback.rawValue
        captureStream = start.streams.capture.rawValue
        // An SSRC of 0 is no stream a worker sent (they pick 1...max): start a new one.
        continuing = start.rtpState.flatMap { $0.ssrc == 0 ? nil : RTPSendState($0) }
        holdMusic = start.holdMusic.flatMap { $0.isEmpty ? nil : $0 }
    }

    public var sends: Bool { direction.sends }
    public var receives: Bool { direction.receives }
    public var codec: CodecName { law == .muLaw ? .pcmu : .pcma }
}

extension RTPSendState {
    init(_ state: RTPStreamState) {
        self.init(ssrc: state.ssrc, sequence: state.sequence, timestamp: state.timestamp, atNanoseconds: state.atNanoseconds)
    }

    var wire: RTPStreamState { RTPStreamState(ssrc: ssrc, sequence: sequence, timestamp: timestamp, atNanoseconds: atNanoseconds) }
}
