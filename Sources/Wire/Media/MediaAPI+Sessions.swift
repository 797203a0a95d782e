/// The media worker's commands that give a call its port pair, start and update its flow, and end it
/// (docs/PROTOCOL.md §4, media workers).
extension MediaAPI {
    /// `media.allocate`: an even RTP port and RTCP on the next one from the worker's share of `rtp.ports`; the same call
    /// asking again gets the same pair. `port`: the pair wanted (a restored call's old one), taken when free.
    public struct Allocate: WireCommand, Hashable {
        public static let name = "media.allocate"
        public static let receiver = WireReceiver.media
        public var call: CallID
        public var port: UInt16?

        public init(call: CallID, port: UInt16? = nil) {
            self.call = call
            self.port = port
        }

        public init(from r: WireReader) throws(WireError) {
            call = try MediaAPI.call(r, or: Self.needsCall)
            guard !call.rawValue.isEmpty else { throw r.error(Self.needsCall) }
            port = try r.optional("port")
        }

        static let needsCall = "media.allocate needs args.call (the call id)"

        public func write(to w: inout WireWriter) {
            w("call", call)
            w("port", port)
        }

        /// Where the call's media is: the worker's address and port pair.
        public struct Result: WireObject, Hashable {
            public var call: CallID
            public var address: String
            public var port: UInt16
            public var rtcpPort: UInt16
            public var worker: String

            public init(call: CallID, address: String, port: UInt16, rtcpPort: UInt16, worker: String) {
                self.call = call
                self.address = address
                self.port = port
                self.rtcpPort = rtcpPort
                self.worker = worker
            }

            public init(from r: WireReader) throws(WireError) {
                call = try r("call")
                address = try r("address")
                port = try r("port")
                rtcpPort = try r("rtcp_port")
                worker = try r("worker")
            }

            public func write(to w: inout WireWriter) {
                w("call", call)
                w("address", address)
                w("port", port)
                w("rtcp_port", rtcpPort)
                w("worker", worker)
            }
        }
    }

    /// `media.start`: starts the call's flow, or updates it in place when sent again (re-INVITE: new address, hold,
    /// resume). Sent by orch whenever a call's `remote_media` changes.
    public struct Start: WireCommand, Hashable {
        public static let name = "media.start"
        public static let receiver = WireReceiver.media
        public var call: CallID
        /// Where the peer wants our RTP and what was negotiated; `direction` is ours.
        public var remote: RemoteMedia
        public var streams: PCMStreams
        /// Continue a previous worker's stream (same SSRC, sequence and timestamp advanced by the time since).
        public var rtpState: RTPStreamState?
        /// A WAV file looped instead of the capture stream (music on hold).
        public var holdMusic: String?
        /// A call answered from an answer slot: the slot's session is released and the call takes `port`.
        public var slot: String?
        public var port: UInt16?

        public init(call: CallID, remote: RemoteMedia, streams: PCMStreams, rtpState: RTPStreamState? = nil, holdMusic: String? = nil,
                    slot: String? = nil, port: UInt16? = nil) {
            self.call = call
            self.remote = remote
            self.streams = streams
            self.rtpState = rtpState
            self.holdMusic = holdMusic
            self.slot = slot
            self.port = port
        }

        public init(from r: WireReader) throws(WireError) {
            call = try MediaAPI.call(r, or: "media.start needs args.call")
            // The address and port are checked first, with the messages operators know from the worker's log.
            let media = WireReader(r.object["remote"]?.objectValue ?? [:], at: r.path.appending("remote"))
            guard let address = try? media.optional("address", as: String.self), !address.isEmpty else {
                throw r.error("media.start needs args.remote.address")
            }
            guard let port = try? media.optional("port", as: Int.self), (1...65535).contains(port) else {
                throw r.error("media.start needs args.remote.port (1-65535)")
            }
            remote = try RemoteMedia(from: media)
            streams = try r("streams")
            rtpState = try r.optional("rtp_state")
            holdMusic = try r.optional("hold_music")
            slot = try r.optional("slot")
            self.port = try r.optional("port")
        }

        public func write(to w: inout WireWriter) {
            w("call", call)
            w("remote", remote)
            w("streams", streams)
            w("rtp_state", rtpState)
            w("hold_music", holdMusic)
            w("slot", slot)
            w("port", port)
        }

        /// The session's figures; `port` and `address` when the call moved from an answer slot to its own pair, and
        /// `hold_music_error` naming a hold music file the worker cannot use (it sends silence).
        public struct Result: WireObject, Hashable {
            public var stats: MediaStats
            public var holdMusicError: String?
            public var port: UInt16?
            public var address: String?

            public init(stats: MediaStats, holdMusicError: String? = nil, port: UInt16? = nil, address: String? = nil) {
                self.stats = stats
                self.holdMusicError = holdMusicError
                self.port = port
                self.address = address
            }

            public init(from r: WireReader) throws(WireError) {
                stats = try MediaStats(from: r)
                holdMusicError = try r.optional("hold_music_error")
                port = try r.optional("port")
                address = try r.optional("address")
            }

            public func write(to w: inout WireWriter) {
                stats.write(to: &w)
                w("hold_music_error", holdMusicError)
                w("port", port)
                w("address", address)
            }
        }
    }

    /// `media.release`: the call's sockets are closed; its final figures when it had a session.
    public struct Release: WireCommand, Hashable {
        public static let name = "media.release"
        public static let receiver = WireReceiver.media
        public var call: CallID
        public init(call: CallID) { self.call = call }
        public init(from r: WireReader) throws(WireError) { call = try MediaAPI.call(r, or: "media.release needs args.call (the call id)") }
        public func write(to w: inout WireWriter) { w("call", call) }

        public struct Result: WireObject, Hashable {
            public var call: CallID
            /// Whether the worker held a port pair for the call.
            public var released: Bool
            public var stats: MediaStats?

            public init(call: CallID, released: Bool, stats: MediaStats?) {
                self.call = call
                self.released = released
                self.stats = stats
            }

            public init(from r: WireReader) throws(WireError) {
                call = try r("call")
                released = try r("released")
                stats = try r.optional("stats")
            }

            public func write(to w: inout WireWriter) {
                w("call", call)
                w("released", released)
                w("stats", stats)
            }
        }
    }

    /// `media.sessions`: `{CALL: port}` of every port pair the worker holds (answer slots' too), so a restarted orch
    /// can release what no call owns.
    public struct Sessions: WireCommand, Hashable {
        public static let name = "media.sessions"
        public static let receiver = WireReceiver.media
        public typealias Result = [String: UInt16]
        public init() {}
        public init(from r: WireReader) {}
        public func write(to w: inout WireWriter) {}
    }
}
