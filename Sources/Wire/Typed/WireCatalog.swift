/// Every message type of docs/PROTOCOL.md, for the test that keeps the document, the types and the golden fixtures in
/// step (a command or event in one and not the others fails it).
public enum WireCatalog {
    public static var commands: [any WireCommand.Type] {
        OrchAPI.commands + ComponentAPI.commands + SigAPI.commands + MediaAPI.commands + AudioAPI.commands
    }

    public static var events: [any WireEvent.Type] {
        OrchAPI.events + SigAPI.events + MediaAPI.events + AudioAPI.events + SharedEvents.all
    }
}
