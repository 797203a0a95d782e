/// Commands audio serves (docs/PROTOCOL.md §4), one type each, and the events it publishes.
public enum AudioAPI {
    public static let commands: [any WireCommand.Type] = []
    public static let events: [any WireEvent.Type] = []
}
