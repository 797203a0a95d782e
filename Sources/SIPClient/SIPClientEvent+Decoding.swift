import Wire

extension SIPClientEvent {
    /// Types a bus event as docs/PROTOCOL.md's "aggregated event stream" table names them: decoded with its `Wire` type,
    /// then made the library's payload. An event of a type this version has no case for, or one that does not fit its
    /// type (a call state the library does not know, a field missing), stays untyped (`.other`), so nothing is lost.
    /// `call.incoming` is built by the client itself, which creates the `Call` object first; it is never decoded here.
    init(decoding event: Event) {
        self.init(Self.decoders[event.type]?(event) ?? .other(type: event.type, data: event.data))
    }

    private typealias Decoder = @Sendable (Event) -> Payload?

    /// The decoder of `E`'s events: `make` gets the typed event and its data as it came (for figures this version does
    /// not model).
    private static func on<E: WireEvent>(_ type: E.Type, _ make: @escaping @Sendable (E, JSONObject) -> Payload?) -> (String, Decoder) {
        (E.type, { event in (try? event.decode(E.self)).flatMap { make($0, event.data) } })
    }

    private static let decoders: [String: Decoder] = {
        let calls: [(String, Decoder)] = [
            on(Wire.CallStateEvent.self) { e, _ in CallStateEvent(e).map { .callStateChanged($0) } },
            on(Wire.RegistrationStateEvent.self) { e, _ in .registrationStateChanged(RegistrationStateEvent(e)) },
            on(MediaStatsEvent.self) { e, raw in .mediaStatisticsUpdate(CallStatistics(e.stats, raw: raw)) },
            on(MediaStartedEvent.self) { e, raw in .mediaStatisticsUpdate(CallStatistics(e.flow, raw: raw)) },
            on(MediaUpdatedEvent.self) { e, raw in .mediaStatisticsUpdate(CallStatistics(e.flow, raw: raw)) },
            on(CallQualityEvent.self) { e, raw in .callQualityReport(CallQualityReport(e, raw: raw)) },
            on(DTMFReceivedEvent.self) { e, _ in .dtmfReceived(DTMFEvent(e)) },
            on(CallTransferEvent.self) { e, _ in .transferProgress(TransferEvent(e)) },
            on(Wire.CallQualityDegradedEvent.self) { e, _ in .callQualityDegraded(CallQualityDegradedEvent(e)) },
            on(CallCodecFallbackEvent.self) { e, _ in .codecFallback(CodecFallbackEvent(e)) },
            on(CallMediaMovedEvent.self) { e, _ in .mediaMoved(MediaRelocationEvent(e.relocation)) },
            on(CallMediaLostEvent.self) { e, _ in .mediaLost(MediaRelocationEvent(e.relocation)) },
        ]
        let audio: [(String, Decoder)] = [
            on(AudioDeviceOpenedEvent.self) { e, _ in .audioDeviceChanged(AudioDeviceEvent(e)) },
            on(AudioDeviceClosedEvent.self) { e, _ in .audioDeviceChanged(AudioDeviceEvent(e)) },
            on(AudioDeviceLostEvent.self) { e, _ in .audioDeviceChanged(AudioDeviceEvent(e)) },
            on(AudioDeviceRestoredEvent.self) { e, _ in .audioDeviceChanged(AudioDeviceEvent(e)) },
            on(Wire.AudioLevelEvent.self) { e, _ in .audioLevelChanged(AudioLevelEvent(e)) },
            on(Wire.AudioErrorEvent.self) { e, _ in .audioPipelineError(AudioErrorEvent(e)) },
            on(AudioXrunEvent.self) { e, _ in .audioPipelineError(AudioErrorEvent(e)) },
            on(AudioStreamStartedEvent.self) { e, _ in .audioStreamStarted(AudioStreamEvent(e)) },
            on(AudioStreamStoppedEvent.self) { e, _ in .audioStreamStopped(AudioStreamEvent(e)) },
        ]
        let components: [(String, Decoder)] = [
            on(ComponentUpEvent.self) { e, _ in .componentRestarted(ComponentEvent(.up, e.component)) },
            on(ComponentDownEvent.self) { e, _ in .componentRestarted(ComponentEvent(.down, e.component, reason: e.reason)) },
            on(ComponentRestartedEvent.self) { e, _ in
                .componentRestarted(ComponentEvent(.restarted, e.component, previousPID: e.previousPID, reason: e.reason))
            },
            on(ComponentHungEvent.self) { e, _ in .componentRestarted(ComponentEvent(.hung, e.component, reason: e.reason)) },
            on(ComponentDegradedEvent.self) { e, _ in .componentRestarted(ComponentEvent(.degraded, e.component, reason: e.reason)) },
        ]
        return Dictionary(uniqueKeysWithValues: calls + audio + components)
    }()
}
