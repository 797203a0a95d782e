import Wire

/// Something that happened in the instance, typed. Read them from `SIPClient.events`; every access to that
/// property gives a new stream, so a UI, a logger and a metrics exporter can each follow all events.
///
/// A struct rather than an enum, so later versions can add kinds of events without breaking a `switch` in your code:
/// switch over `kind` (with a `default:`), and read the payload of the kind you handle through its property:
///
/// ```swift
/// for await event in client.events {
///     switch event.kind {
///     case .incomingCall: try await event.incomingCall?.call.answer()
///     case .callQualityDegraded: print(event.callQualityDegraded?.message ?? "")
///     default: break
///     }
/// }
/// ```
public struct SIPClientEvent: Sendable {
    enum Payload: Sendable {
        case incomingCall(IncomingCallEvent)
        case callStateChanged(CallStateEvent)
        case registrationStateChanged(RegistrationStateEvent)
        case mediaStatisticsUpdate(CallStatistics)
        case callQualityReport(CallQualityReport)
        case callQualityDegraded(CallQualityDegradedEvent)
        case codecFallback(CodecFallbackEvent)
        case mediaMoved(MediaRelocationEvent)
        case mediaLost(MediaRelocationEvent)
        case audioDeviceChanged(AudioDeviceEvent)
        case audioLevelChanged(AudioLevelEvent)
        case audioPipelineError(AudioErrorEvent)
        case audioStreamStarted(AudioStreamEvent)
        case audioStreamStopped(AudioStreamEvent)
        case dtmfReceived(DTMFEvent)
        case transferProgress(TransferEvent)
        case componentRestarted(ComponentEvent)
        case other(type: String, data: [String: EventValue])
    }

    let payload: Payload

    init(_ payload: Payload) { self.payload = payload }

    /// Which kind of event this is. Kinds a later version adds compare unequal to all of these.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// A call arrived; answer or reject `incomingCall.call`.
        public static let incomingCall = Kind(name: "incomingCall")
        /// A call changed state.
        public static let callStateChanged = Kind(name: "callStateChanged")
        /// An account's registration changed.
        public static let registrationStateChanged = Kind(name: "registrationStateChanged")
        /// A call's media figures, every second while it has media (`media.stats`), and when its media starts or
        /// changes (`media.started`, `media.updated`: codec and peer, counters still zero).
        public static let mediaStatisticsUpdate = Kind(name: "mediaStatisticsUpdate")
        /// A call's media ended: final MOS, jitter and loss (`call.quality`).
        public static let callQualityReport = Kind(name: "callQualityReport")
        /// A call has lost packets for several seconds in a row (`call.quality.degraded`).
        public static let callQualityDegraded = Kind(name: "callQualityDegraded")
        /// A call was re-offered another codec after sustained loss (`call.codec.fallback`).
        public static let codecFallback = Kind(name: "codecFallback")
        /// A restarted or lost media worker's call went on on another worker or port (`call.media.moved`).
        public static let mediaMoved = Kind(name: "mediaMoved")
        /// A call's media could not be taken back after a worker failed (`call.media.lost`).
        public static let mediaLost = Kind(name: "mediaLost")
        /// A sound device opened, closed, was lost or came back.
        public static let audioDeviceChanged = Kind(name: "audioDeviceChanged")
        /// Capture and playback levels, 10 times a second while a call has the devices.
        public static let audioLevelChanged = Kind(name: "audioLevelChanged")
        /// The audio pipeline reported a problem (`audio.error`), or a device over/underran (`audio.xrun`).
        public static let audioPipelineError = Kind(name: "audioPipelineError")
        /// A call was attached to the sound devices.
        public static let audioStreamStarted = Kind(name: "audioStreamStarted")
        /// A call was detached from the sound devices.
        public static let audioStreamStopped = Kind(name: "audioStreamStopped")
        /// The peer pressed a key (RFC 4733 or SIP INFO).
        public static let dtmfReceived = Kind(name: "dtmfReceived")
        /// Progress of a transfer we started (`call.transfer`: the peer's NOTIFYs of its REFER).
        public static let transferProgress = Kind(name: "transferProgress")
        /// A process of the group went down, hung, was restarted, came up or is crash-looping (`component.*`).
        public static let componentRestarted = Kind(name: "componentRestarted")
        /// An event this version has no type for (`media.stopped`, types a later version adds), or one that does not fit
        /// its type (a field missing or of the wrong type): see `untyped`.
        public static let other = Kind(name: "other")
    }

    public var kind: Kind {
        switch payload {
        case .incomingCall: .incomingCall
        case .callStateChanged: .callStateChanged
        case .registrationStateChanged: .registrationStateChanged
        case .mediaStatisticsUpdate: .mediaStatisticsUpdate
        case .callQualityReport: .callQualityReport
        case .callQualityDegraded: .callQualityDegraded
        case .codecFallback: .codecFallback
        case .mediaMoved: .mediaMoved
        case .mediaLost: .mediaLost
        case .audioDeviceChanged: .audioDeviceChanged
        case .audioLevelChanged: .audioLevelChanged
        case .audioPipelineError: .audioPipelineError
        case .audioStreamStarted: .audioStreamStarted
        case .audioStreamStopped: .audioStreamStopped
        case .dtmfReceived: .dtmfReceived
        case .transferProgress: .transferProgress
        case .componentRestarted: .componentRestarted
        case .other: .other
        }
    }

    public var incomingCall: IncomingCallEvent? { if case .incomingCall(let e) = payload { e } else { nil } }
    public var callStateChanged: CallStateEvent? { if case .callStateChanged(let e) = payload { e } else { nil } }
    public var registrationStateChanged: RegistrationStateEvent? {
        if case .registrationStateChanged(let e) = payload { e } else { nil }
    }
    public var mediaStatisticsUpdate: CallStatistics? { if case .mediaStatisticsUpdate(let e) = payload { e } else { nil } }
    public var callQualityReport: CallQualityReport? { if case .callQualityReport(let e) = payload { e } else { nil } }
    public var callQualityDegraded: CallQualityDegradedEvent? { if case .callQualityDegraded(let e) = payload { e } else { nil } }
    public var codecFallback: CodecFallbackEvent? { if case .codecFallback(let e) = payload { e } else { nil } }
    public var mediaMoved: MediaRelocationEvent? { if case .mediaMoved(let e) = payload { e } else { nil } }
    public var mediaLost: MediaRelocationEvent? { if case .mediaLost(let e) = payload { e } else { nil } }
    public var audioDeviceChanged: AudioDeviceEvent? { if case .audioDeviceChanged(let e) = payload { e } else { nil } }
    public var audioLevelChanged: AudioLevelEvent? { if case .audioLevelChanged(let e) = payload { e } else { nil } }
    public var audioPipelineError: AudioErrorEvent? { if case .audioPipelineError(let e) = payload { e } else { nil } }
    public var audioStreamStarted: AudioStreamEvent? { if case .audioStreamStarted(let e) = payload { e } else { nil } }
    public var audioStreamStopped: AudioStreamEvent? { if case .audioStreamStopped(let e) = payload { e } else { nil } }
    public var dtmfReceived: DTMFEvent? { if case .dtmfReceived(let e) = payload { e } else { nil } }
    public var transferProgress: TransferEvent? { if case .transferProgress(let e) = payload { e } else { nil } }
    public var componentRestarted: ComponentEvent? { if case .componentRestarted(let e) = payload { e } else { nil } }
    /// The bus event type and its data, for an event of kind `.other`.
    public var untyped: (type: String, data: [String: EventValue])? {
        if case .other(let type, let data) = payload { (type, data) } else { nil }
    }

    /// The call the event is about, when it is about one.
    public var callID: String? {
        switch payload {
        case .incomingCall(let e): e.call.id
        case .callStateChanged(let e): e.callID
        case .mediaStatisticsUpdate(let e): e.callID
        case .callQualityReport(let e): e.callID
        case .callQualityDegraded(let e): e.callID
        case .codecFallback(let e): e.callID
        case .mediaMoved(let e), .mediaLost(let e): e.callID
        case .dtmfReceived(let e): e.callID
        case .transferProgress(let e): e.callID
        case .audioStreamStarted(let e), .audioStreamStopped(let e): e.callID
        case .audioPipelineError(let e): e.callID
        case .other(_, let data): (try? CallReference(json: data))?.call.rawValue
        case .registrationStateChanged, .audioDeviceChanged, .audioLevelChanged, .componentRestarted: nil
        }
    }
}
