import Foundation
import Wire

/// What orch knows of one call: who, which way, where it is, and which media worker carries it. Every field is typed
/// as the bus carries it, so the record is built from events and replies and turned back into commands without
/// looking into JSON.
public struct CallRecord: Sendable, Equatable {
    public var id: CallID
    public var direction: CallDirection
    /// dialing, incoming, ringing, early, connected, held, remote-held, terminated (docs/PROTOCOL.md §5).
    public var state: CallState
    public var remote: String
    public var local: String?
    public var worker: String?
    public var mediaPort: UInt16?
    public var codec: CodecName?
    /// Wall-clock times (the journal stores them as Unix seconds, `status` shows the call's duration).
    public var created: Date
    public var connected: Date?
    public var ended: Date?
    public var sipStatus: Int?
    public var reason: String?
    /// PCM stream ids of this call (docs/PROTOCOL.md §7): decoded audio out, captured audio in (0 before assigned).
    public var streams = PCMStreams(playback: 0, capture: 0)
    /// The remote media last handed to the worker, so an unchanged re-report does not restart anything.
    public var mediaApplied: RemoteMedia?
    /// The hold music the media worker was last told to send (while we hold the call).
    public var holdMusicApplied: String?
    /// Whether sip-audio plays and captures this call (attached when its media starts, detached when it ends).
    public var audioAttached = false
    /// The media worker's latest `rtp_state` for this call (from its `media.stats`): a restarted worker continues
    /// the stream from it.
    public var rtpState: RTPStreamState?
    /// sip-sig's snapshot of the call (its dialog, or the INVITE being set up): a restarted sig gets the call back.
    public var signaling: SignalingSnapshot?
    /// The answer slot sig answered this call with, until the worker has taken its port pair (`media.start`).
    public var answerSlot: String?
    /// What orch asked sig to dial (outgoing calls): dialled again if sig dies before it could report the INVITE.
    public var dialArgs: SigAPI.CallDial?

    public init(id: CallID, direction: CallDirection, state: CallState, remote: String, created: Date) {
        self.id = id
        self.direction = direction
        self.state = state
        self.remote = remote
        self.created = created
    }

    public var isTerminated: Bool { state == .terminated }

    /// Seconds since the call was answered (0 before), to a tenth; up to `ended`, or to `date` while it lasts.
    public func duration(at date: Date) -> Double {
        guard let connected else { return 0 }
        return ((ended ?? date).timeIntervalSince(connected) * 10).rounded() / 10
    }

    /// The call as `calls` and `status` list it.
    public func summary(at date: Date) -> CallSummary {
        CallSummary(callID: id, direction: direction, state: state, remote: remote, local: local, codec: codec, worker: worker,
                    mediaPort: mediaPort, streams: streams.playback == 0 ? nil : streams, sipStatus: sipStatus, reason: reason,
                    durationS: duration(at: date))
    }

    /// Applies sig's `call.state` (fields it leaves out keep their value); `date` is when it arrived.
    mutating func apply(_ event: CallStateEvent, at date: Date) {
        state = event.state
        if let remote = event.remote, !remote.isEmpty { self.remote = remote }
        if let local = event.local { self.local = local }
        if let code = event.code { sipStatus = code }
        if let reason = event.reason { self.reason = reason }
        if let codec = event.codec { self.codec = codec }
        if let signaling = event.signaling { self.signaling = signaling }
        if state == .connected, connected == nil { connected = date }
        if state == .terminated { ended = date }
    }
}
