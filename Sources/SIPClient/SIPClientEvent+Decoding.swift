import Wire

extension SIPClientEvent {
    /// Types a bus event as docs/PROTOCOL.md's "aggregated event stream" table names them. `call.incoming` is built by the client itself, which creates the
    /// `Call` object first; it is never decoded here.
    init(decoding event: Event) {
        let d = event.data
        switch event.type {
        case "call.state":
            if let e = CallStateEvent(d) { self = .callStateChanged(e) } else { self = .other(type: event.type, data: d) }
        case "registration.state": self = .registrationStateChanged(RegistrationStateEvent(d))
        case "media.stats", "media.started", "media.updated": self = .mediaStatisticsUpdate(CallStatistics(d))
        case "call.quality": self = .callQualityReport(CallQualityReport(d))
        case "audio.device.opened": self = .audioDeviceChanged(AudioDeviceEvent(.opened, d))
        case "audio.device.closed": self = .audioDeviceChanged(AudioDeviceEvent(.closed, d))
        case "audio.device.lost": self = .audioDeviceChanged(AudioDeviceEvent(.lost, d))
        case "audio.device.restored": self = .audioDeviceChanged(AudioDeviceEvent(.restored, d))
        case "audio.level": self = .audioLevelChanged(AudioLevelEvent(d))
        case "audio.error": self = .audioPipelineError(AudioErrorEvent(d))
        case "audio.xrun": self = .audioPipelineError(AudioErrorEvent(xrun: d))
        case "audio.stream.started": self = .audioStreamStarted(AudioStreamEvent(d))
        case "audio.stream.stopped": self = .audioStreamStopped(AudioStreamEvent(d))
        case "dtmf.received": self = .dtmfReceived(DTMFEvent(d))
        case "call.transfer": self = .transferProgress(TransferEvent(d))
        case "component.up": self = .componentRestarted(ComponentEvent(.up, d))
        case "component.down": self = .componentRestarted(ComponentEvent(.down, d))
        case "component.restarted": self = .componentRestarted(ComponentEvent(.restarted, d))
        case "component.hung": self = .componentRestarted(ComponentEvent(.hung, d))
        case "component.degraded": self = .componentRestarted(ComponentEvent(.degraded, d))
        default: self = .other(type: event.type, data: d)
        }
    }
}
