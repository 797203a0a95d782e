/// Commands media serves (docs/PROTOCOL.md §4), one type each, and the events it publishes.
public enum MediaAPI {
    public static let commands: [any WireCommand.Type] = []
    public static let events: [any WireEvent.Type] = []
}
