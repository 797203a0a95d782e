/// Commands orch serves (docs/PROTOCOL.md §4), one type each, and the events it publishes.
public enum OrchAPI {
    public static let commands: [any WireCommand.Type] = []
    public static let events: [any WireEvent.Type] = []
}
