/// Something that happened in the instance, typed. Read them from `SIPClient.events`; every access to that
/// property gives a new stream, so a UI, a logger and a metrics exporter can each follow all events.
public enum SIPClientEvent: Sendable {
    /// A call arrived; answer or reject `payload.call`.
    case incomingCall(IncomingCallEvent)
    /// A call changed state.
    case callStateChanged(CallStateEvent)
    /// An account's registration changed.
    case registrationStateChanged(RegistrationStateEvent)
    /// A call's media figures, every second while it has media (`media.stats`), and when its media starts or
    /// changes (`media.started`, `media.updated`: codec and peer, counters still zero).
    case mediaStatisticsUpdate(CallStatistics)
    /// A call's media ended: final MOS, jitter and loss (`call.quality`, orch's report from the worker's
    /// `media.stopped`).
    case callQualityReport(CallQualityReport)
    /// A sound device opened, closed, was lost or came back.
    case audioDeviceChanged(AudioDeviceEvent)
    /// Capture and playback levels, 10 times a second while a call has the devices.
    case audioLevelChanged(AudioLevelEvent)
    /// The audio pipeline reported a problem (`audio.error`), or a device over/underran (`audio.xrun`).
    case audioPipelineError(AudioErrorEvent)
    /// A call was attached to the sound devices.
    case audioStreamStarted(AudioStreamEvent)
    /// A call was detached from the sound devices.
    case audioStreamStopped(AudioStreamEvent)
    /// The peer pressed a key (RFC 4733).
    case dtmfReceived(DTMFEvent)
    /// Progress of a transfer we started (`call.transfer`: the peer's NOTIFYs of its REFER).
    case transferProgress(TransferEvent)
    /// A process of the group went down, hung, was restarted, came up or is crash-looping (`component.*`).
    case componentRestarted(ComponentEvent)
    /// Any other event (`media.stopped`, `call.media.moved`, types a later version adds), untyped.
    case other(type: String, data: [String: EventValue])

    /// The call the event is about, when it is about one.
    public var callID: String? {
        switch self {
        case .incomingCall(let e): e.call.id
        case .callStateChanged(let e): e.callID
        case .mediaStatisticsUpdate(let e): e.callID
        case .callQualityReport(let e): e.callID
        case .dtmfReceived(let e): e.callID
        case .transferProgress(let e): e.callID
        case .audioStreamStarted(let e), .audioStreamStopped(let e): e.callID
        case .audioPipelineError(let e): e.callID
        case .other(_, let data): data["call"]?.stringValue
        case .registrationStateChanged, .audioDeviceChanged, .audioLevelChanged, .componentRestarted: nil
        }
    }
}
