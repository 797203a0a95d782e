import Wire

extension SIPClientEvent {
    /// Types a bus event as docs/PROTOCOL.md's "aggregated event stream" table names them. `call.incoming` is built by the client itself, which creates the
    /// `Call` object first; it is never decoded here.
    init(decoding event: Event) {
        let d = event.data
        switch event.type {
        case "call.state":
            if let e = CallStateEvent(d) { self.init(.callStateChanged(e)) } else { self.init(.other(type: event.type, data: d)) }
        case "registration.state": self.init(.registrationStateChanged(RegistrationStateEvent(d)))
        case "media.stats", "media.started", "media.updated": self.init(.mediaStatisticsUpdate(CallStatistics(d)))
        case "call.quality": self.init(.callQualityReport(CallQualityReport(d)))
        case "audio.device.opened": self.init(.audioDeviceChanged(AudioDeviceEvent(.opened, d)))
        case "audio.device.closed": self.init(.audioDeviceChanged(AudioDeviceEvent(.closed, d)))
        case "audio.device.lost": self.init(.audioDeviceChanged(AudioDeviceEvent(.lost, d)))
        case "audio.device.restored": self.init(.audioDeviceChanged(AudioDeviceEvent(.restored, d)))
        case "audio.level": self.init(.audioLevelChanged(AudioLevelEvent(d)))
        case "audio.error": self.init(.audioPipelineError(AudioErrorEvent(d)))
        case "audio.xrun": self.init(.audioPipelineError(AudioErrorEvent(xrun: d)))
        case "audio.stream.started": self.init(.audioStreamStarted(AudioStreamEvent(d)))
        case "audio.stream.stopped": self.init(.audioStreamStopped(AudioStreamEvent(d)))
        case "dtmf.received": self.init(.dtmfReceived(DTMFEvent(d)))
        case "call.transfer": self.init(.transferProgress(TransferEvent(d)))
        case "call.quality.degraded": self.init(.callQualityDegraded(CallQualityDegradedEvent(d)))
        case "call.codec.fallback": self.init(.codecFallback(CodecFallbackEvent(d)))
        case "call.media.moved": self.init(.mediaMoved(MediaRelocationEvent(d)))
        case "call.media.lost": self.init(.mediaLost(MediaRelocationEvent(d)))
        case "component.up": self.init(.componentRestarted(ComponentEvent(.up, d)))
        case "component.down": self.init(.componentRestarted(ComponentEvent(.down, d)))
        case "component.restarted": self.init(.componentRestarted(ComponentEvent(.restarted, d)))
        case "component.hung": self.init(.componentRestarted(ComponentEvent(.hung, d)))
        case "component.degraded": self.init(.componentRestarted(ComponentEvent(.degraded, d)))
        default: self.init(.other(type: event.type, data: d))
        }
    }
}
