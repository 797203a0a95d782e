/// sig's snapshot of a call (`signaling` in `call.state`, handed back in `call.restore`): what a restarted sig needs to
/// take the call over. Two forms: an answered call carries its `dialog` (RFC 3261 §12) with media, hold state and
/// session timer; an outgoing call still being set up carries the INVITE as sent (`pending_invite`) and where it went
/// (`destination`), so a restarted sig retransmits it as the same transaction. orch stores it and hands it back
/// without looking inside.
public struct SignalingSnapshot: WireObject, Hashable {
    /// The SIP transport as Via writes it (`UDP`, `TCP`). A struct: TLS comes later.
    public struct Transport: RawRepresentable, Sendable, Hashable, CustomStringConvertible, WireString {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }
        public static let udp = Transport(rawValue: "UDP")
        public static let tcp = Transport(rawValue: "TCP")
    }

    /// Which side of the dialog we are (RFC 3261 §12.1).
    public enum Role: String, Sendable, Hashable, CaseIterable, WireString {
        case uac, uas
        public static var known: [Role] { allCases }
    }

    /// The dialog's state (RFC 3261 §12): ids, addresses and URIs as in SIP headers, and the CSeq numbers so far.
    public struct Dialog: WireObject, Hashable {
        public var callID: String
        public var localTag: String
        public var remoteTag: String
        public var role: Role
        /// The From/To header values of our side and the peer's, with their tags.
        public var local: String
        public var remote: String
        public var remoteTarget: String
        public var routeSet: [String]
        public var secure: Bool
        public var localContact: String
        public var creatingCSeq: UInt32
        public var localCSeq: UInt32?
        public var remoteCSeq: UInt32?

        public init(callID: String, localTag: String, remoteTag: String, role: Role, local: String, remote: String,
                    remoteTarget: String, routeSet: [String], secure: Bool, localContact: String, creatingCSeq: UInt32,
                    localCSeq: UInt32? = nil, remoteCSeq: UInt32? = nil) {
            self.callID = callID
            self.localTag = localTag
            self.remoteTag = remoteTag
            self.role = role
            self.local = local
            self.remote = remote
            self.remoteTarget = remoteTarget
            self.routeSet = routeSet
            self.secure = secure
            self.localContact = localContact
            self.creatingCSeq = creatingCSeq
            self.localCSeq = localCSeq
            self.remoteCSeq = remoteCSeq
        }

        public init(from r: WireReader) throws(WireError) {
            callID = try r("call_id")
            localTag = try r("local_tag")
            remoteTag = try r("remote_tag")
            role = try r("role")
            local = try r("local")
            remote = try r("remote")
            remoteTarget = try r("remote_target")
            routeSet = try r("route_set", default: [])
            secure = try r("secure", default: false)
            localContact = try r("local_contact")
            creatingCSeq = try r("creating_cseq")
            localCSeq = try r.optional("local_cseq")
            remoteCSeq = try r.optional("remote_cseq")
        }

        public func write(to w: inout WireWriter) {
            w("call_id", callID)
            w("local_tag", localTag)
            w("remote_tag", remoteTag)
            w("role", role)
            w("local", local)
            w("remote", remote)
            w("remote_target", remoteTarget)
            w("route_set", routeSet)
            w("secure", secure)
            w("local_contact", localContact)
            w("creating_cseq", creatingCSeq)
            w("local_cseq", localCSeq)
            w("remote_cseq", remoteCSeq)
        }
    }

    /// An RFC 4028 session timer: its interval in seconds and whether we refresh it.
    public struct SessionTimer: WireObject, Hashable {
        public var interval: Int
        public var weRefresh: Bool

        public init(interval: Int, weRefresh: Bool) {
            self.interval = interval
            self.weRefresh = weRefresh
        }

        public init(from r: WireReader) throws(WireError) {
            interval = try r("interval")
            weRefresh = try r("we_refresh", default: false)
        }

        public func write(to w: inout WireWriter) {
            w("interval", interval)
            w("we_refresh", weRefresh)
        }
    }

    /// Where a pending INVITE was sent.
    public struct Destination: WireObject, Hashable {
        public var transport: Transport
        public var host: String
        public var port: UInt16

        public init(transport: Transport, host: String, port: UInt16) {
            self.transport = transport
            self.host = host
            self.port = port
        }

        public init(from r: WireReader) throws(WireError) {
            transport = try r("transport", default: .udp)
            host = try r("host")
            port = try r("port")
        }

        public func write(to w: inout WireWriter) {
            w("transport", transport)
            w("host", host)
            w("port", port)
        }
    }

    public var direction: CallDirection
    public var state: CallState
    public var remote: String
    public var local: String
    public var transport: Transport
    /// Our media address and port, as put in our SDP.
    public var media: MediaEndpoint?
    public var remoteMedia: RemoteMedia?
    public var codec: CodecName?
    /// The call's own codec order and extra SDP attributes, when its client gave any.
    public var codecs: [CodecName]?
    public var sdpAttributes: [String]?
    /// While we hold the call: what we offer (`sendonly` or `inactive`).
    public var localHold: RTPDirection?
    /// The peer holds the call.
    public var remoteHold: Bool
    public var sessionTimer: SessionTimer?
    /// An answered call's dialog.
    public var dialog: Dialog?
    /// A call being set up: the INVITE as sent, whole, and where it went.
    public var pendingInvite: String?
    public var destination: Destination?

    public init(direction: CallDirection, state: CallState, remote: String, local: String, transport: Transport,
                media: MediaEndpoint? = nil, remoteMedia: RemoteMedia? = nil, codec: CodecName? = nil, codecs: [CodecName]? = nil,
                sdpAttributes: [String]? = nil, localHold: RTPDirection? = nil, remoteHold: Bool = false,
                sessionTimer: SessionTimer? = nil, dialog: Dialog? = nil, pendingInvite: String? = nil, destination: Destination? = nil) {
        self.direction = direction
        self.state = state
        self.remote = remote
        self.local = local
        self.transport = transport
        self.media = media
        self.remoteMedia = remoteMedia
        self.codec = codec
        self.codecs = codecs
        self.sdpAttributes = sdpAttributes
        self.localHold = localHold
        self.remoteHold = remoteHold
        self.sessionTimer = sessionTimer
        self.dialog = dialog
        self.pendingInvite = pendingInvite
        self.destination = destination
    }

    public init(from r: WireReader) throws(WireError) {
        direction = try r("direction")
        state = try r("state")
        remote = try r("remote", default: "")
        local = try r("local", default: "")
        transport = try r("transport", default: .udp)
        media = try r.optional("media")
        remoteMedia = try r.optional("remote_media")
        codec = try r.optional("codec")
        codecs = try r.optional("codecs")
        sdpAttributes = try r.optional("sdp_attributes")
        localHold = try r.optional("local_hold")
        remoteHold = try r("remote_hold", default: false)
        sessionTimer = try r.optional("session_timer")
        dialog = try r.optional("dialog")
        pendingInvite = try r.optional("pending_invite")
        destination = try r.optional("destination")
    }

    public func write(to w: inout WireWriter) {
        w("direction", direction)
        w("state", state)
        w("remote", remote)
        w("local", local)
        w("transport", transport)
        w("media", media)
        w("remote_media", remoteMedia)
        w("codec", codec)
        w("codecs", codecs)
        w("sdp_attributes", sdpAttributes)
        w("local_hold", localHold)
        w("remote_hold", remoteHold, omittingIf: false)
        w("session_timer", sessionTimer)
        w("dialog", dialog)
        w("pending_invite", pendingInvite)
        w("destination", destination)
    }
}
