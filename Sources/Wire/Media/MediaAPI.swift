/// Commands media workers serve (docs/PROTOCOL.md §4, media workers; sent by orch), one type each, and the events a
/// worker publishes (`dtmf.received`, which sig publishes too, is in `SharedEvents`).
public enum MediaAPI {
    public static let commands: [any WireCommand.Type] = [
        Allocate.self, Start.self, Release.self, Sessions.self,
        DTMF.self, Record.self, Stats.self,
    ]
    public static let events: [any WireEvent.Type] = [
        MediaStartedEvent.self, MediaUpdatedEvent.self, MediaStatsEvent.self, MediaStoppedEvent.self,
    ]

    /// The call a command is about, or `bad_args` with the worker's own message (it names what the command needs).
    static func call(_ r: WireReader, or message: String) throws(WireError) -> CallID {
        guard let call = try? r.optional("call", as: CallID.self) else { throw r.error(message) }
        return call
    }
}
