/// Commands orch serves on `ctl.sock` for clients (sipc, the library), one type each (docs/PROTOCOL.md §4, orch), and
/// the events orch itself publishes.
public enum OrchAPI {
    public static let commands: [any WireCommand.Type] = [
        Ping.self, Config.self, ProbeEvents.self, Shutdown.self,
        Call.self, Answer.self, Calls.self, Conference.self,
        Workers.self, WorkersAdd.self, WorkersRemove.self,
        Record.self, CallStats.self,
        Devices.self, Mute.self, Unmute.self, Audio.self, AudioState.self, AudioAttach.self, AudioDetach.self,
        Register.self, Unregister.self, Reject.self, Hangup.self, Hold.self, Resume.self, Transfer.self,
        Status.self, DTMF.self,
    ]
    public static let events: [any WireEvent.Type] = SupervisionEvents.all + OrchCallEvents.all
}
