/// Commands audio serves (docs/PROTOCOL.md §4), one type each, and the events it publishes.
public enum AudioAPI {
    public static let commands: [any WireCommand.Type] = [
        Conference.self, Attach.self, Detach.self, SetControls.self, Devices.self, State.self,
    ]
    public static let events: [any WireEvent.Type] = [
        AudioStreamStartedEvent.self, AudioStreamStoppedEvent.self, AudioConferenceEvent.self,
        AudioDeviceOpenedEvent.self, AudioDeviceClosedEvent.self, AudioDeviceLostEvent.self, AudioDeviceRestoredEvent.self,
        AudioErrorEvent.self, AudioLevelEvent.self, AudioXrunEvent.self, AudioCaptureEndedEvent.self,
    ]
}
