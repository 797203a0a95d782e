import Foundation
import Testing
import Wire

/// docs/PROTOCOL.md, the message types of `Wire` and the golden fixtures cannot drift apart: every command and event
/// the document names has a type and a fixture, every type is in the document, and every fixture's bytes decode into
/// its type and encode back to the very same bytes.
///
/// Fixtures are wire messages, one per line: `Fixtures/commands/<receiver>/<command>.jsonl` holds at least one
/// request and one reply; `Fixtures/events/<type>.jsonl` at least one event.
@Suite struct ProtocolCatalogTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let fixtures = root.appendingPathComponent("Fixtures")
    static let document = root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/PROTOCOL.md")

    static func lines(_ url: URL) throws -> [String] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }

    static func fixtureURL<C: WireCommand>(command: C.Type) -> URL {
        fixtures.appendingPathComponent("commands/\(C.receiver)/\(C.name).jsonl")
    }

    static func fixtureURL<E: WireEvent>(event: E.Type) -> URL {
        fixtures.appendingPathComponent("events/\(E.type).jsonl")
    }

    // MARK: golden bytes

    @Test func everyCommandsFixtureDecodesAndEncodesToTheSameBytes() throws {
        for type in WireCatalog.commands { try Self.checkCommand(type) }
    }

    static func checkCommand<C: WireCommand>(_ type: C.Type) throws {
        let url = fixtureURL(command: type)
        let lines = try #require(try? Self.lines(url), "no fixture \(url.path) for \(C.receiver) command '\(C.name)'")
        var requests = 0, replies = 0
        for line in lines {
            let message = try ControlMessage.decode(Array(line.utf8))
            let again: ControlMessage
            switch message {
            case .request(let request):
                #expect(request.command == C.name, "\(url.lastPathComponent): a request for '\(request.command)'")
                let args = try request.decode(C.self)
                again = .request(Request(id: request.id, args))
                requests += 1
            case .reply(let reply):
                if reply.isOK {
                    again = .reply(Reply(id: reply.id, typed: try reply.decode(C.Result.self)))
                } else {
                    again = message
                }
                replies += 1
            default:
                Issue.record("\(url.lastPathComponent): only requests and replies belong in a command's fixture")
                continue
            }
            #expect(String(decoding: again.encoded(), as: UTF8.self) == line, "\(C.receiver) \(C.name): bytes changed")
        }
        #expect(requests > 0 && replies > 0, "\(url.lastPathComponent) needs a request and a reply")
    }

    @Test func everyEventsFixtureDecodesAndEncodesToTheSameBytes() throws {
        for type in WireCatalog.events { try Self.checkEvent(type) }
    }

    static func checkEvent<E: WireEvent>(_ type: E.Type) throws {
        let url = fixtureURL(event: type)
        let lines = try #require(try? Self.lines(url), "no fixture \(url.path) for event '\(E.type)'")
        #expect(!lines.isEmpty)
        for line in lines {
            guard case .event(let event) = try ControlMessage.decode(Array(line.utf8)) else {
                Issue.record("\(url.lastPathComponent): not an event")
                continue
            }
            let typed = try #require(try event.decode(E.self), "\(url.lastPathComponent): an event of type '\(event.type)'")
            let again = ControlMessage.event(Event(seq: event.seq, time: event.time, typed))
            #expect(String(decoding: again.encoded(), as: UTF8.self) == line, "\(E.type): bytes changed")
        }
    }

    @Test func everyFixtureBelongsToAMessageType() throws {
        let commands = Set(Self.commandKeys.map { "\($0.receiver)/\($0.name).jsonl" })
        let events = Set(Self.eventTypes.map { "\($0).jsonl" })
        let files = FileManager.default
        for receiver in try files.contentsOfDirectory(atPath: Self.fixtures.appendingPathComponent("commands").path) {
            for file in try files.contentsOfDirectory(atPath: Self.fixtures.appendingPathComponent("commands/\(receiver)").path) {
                #expect(commands.contains("\(receiver)/\(file)"), "fixture commands/\(receiver)/\(file) has no command type")
            }
        }
        for file in try files.contentsOfDirectory(atPath: Self.fixtures.appendingPathComponent("events").path) {
            #expect(events.contains(file), "fixture events/\(file) has no event type")
        }
    }

    @Test func typesAreUnique() {
        let commands = Self.commandKeys.map { "\($0.receiver) \($0.name)" }
        #expect(Set(commands).count == commands.count, "a command is listed twice")
        let events = Self.eventTypes
        #expect(Set(events).count == events.count, "an event type is listed twice")
    }

    /// (receiver, name) of every command type; generic helpers open the existential metatypes.
    static var commandKeys: [ProtocolDocument.Command] { WireCatalog.commands.map { commandKey($0) } }
    static func commandKey<C: WireCommand>(_ type: C.Type) -> ProtocolDocument.Command {
        ProtocolDocument.Command(receiver: C.receiver.rawValue, name: C.name)
    }
    static var eventTypes: [String] { WireCatalog.events.map { eventType($0) } }
    static func eventType<E: WireEvent>(_ type: E.Type) -> String { E.type }

    // MARK: the document

    /// Receivers and event-type prefixes whose messages are not typed yet (issue 16 types them family by family; this
    /// list only shrinks, and is empty when every message of the document has its type).
    static let untypedReceivers: Set<String> = []
    static let untypedEventPrefixes: [String] = []

    static func pending(_ command: ProtocolDocument.Command) -> Bool { untypedReceivers.contains(command.receiver) }
    static func pending(event type: String) -> Bool {
        type != DTMFReceivedEvent.type && untypedEventPrefixes.contains { type.hasPrefix($0) }
    }

    @Test func theDocumentAndTheTypesNameTheSameCommands() throws {
        let documented = try ProtocolDocument(contentsOf: Self.document)
        let typed = Set(Self.commandKeys)
        for missing in documented.commands.subtracting(typed).sorted() where !Self.pending(missing) {
            Issue.record("PROTOCOL.md names \(missing.receiver) command '\(missing.name)', which has no type in Wire")
        }
        for missing in typed.subtracting(documented.commands).sorted() {
            Issue.record("\(missing.receiver) command '\(missing.name)' has a type but is not in PROTOCOL.md §4")
        }
    }

    @Test func theDocumentAndTheTypesNameTheSameEvents() throws {
        let documented = try ProtocolDocument(contentsOf: Self.document)
        let typed = Set(Self.eventTypes)
        for missing in documented.events.subtracting(typed).sorted() where !Self.pending(event: missing) {
            Issue.record("PROTOCOL.md names event '\(missing)', which has no type in Wire")
        }
        for missing in typed.subtracting(documented.events).sorted() {
            Issue.record("event '\(missing)' has a type but is not in PROTOCOL.md §5")
        }
    }
}

/// The command and event names in docs/PROTOCOL.md's tables: §4 has one table per receiver (`### orch`, `### every
/// component`, `### sig`, `### media workers`, `### audio`), §5 one table of events. A row's first cell names one or
/// more messages (`mute` / `unmute`); a row that continues a command (`media.start` `slot`) names it first.
struct ProtocolDocument {
    struct Command: Hashable, Comparable {
        var receiver: String
        var name: String
        static func < (a: Command, b: Command) -> Bool { (a.receiver, a.name) < (b.receiver, b.name) }
    }

    var commands: Set<Command> = []
    var events: Set<String> = []

    init(contentsOf url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        var section = ""
        var receiver: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## ") {
                section = String(line.dropFirst(3))
                receiver = nil
                continue
            }
            if line.hasPrefix("### "), section.hasPrefix("4.") {
                let heading = line.dropFirst(4)
                receiver = [("orch", "orch"), ("every component", "component"), ("sig", "sig"), ("media workers", "media"),
                            ("audio", "audio")].first { heading.hasPrefix($0.0) }?.1
                continue
            }
            guard line.hasPrefix("| `") else { continue }
            let names = Self.names(inFirstCellOf: line)
            if section.hasPrefix("4."), let receiver {
                for name in names { commands.insert(Command(receiver: receiver, name: name)) }
            } else if section.hasPrefix("5.") {
                events.formUnion(names)
            }
        }
    }

    /// `| `a` / `b` | ...` -> [a, b]; `| `media.start` `slot`, `port` | ...` -> [media.start].
    static func names(inFirstCellOf line: Substring) -> [String] {
        let cell = line.dropFirst(2).prefix { $0 != "|" }
        return cell.components(separatedBy: " / ").compactMap { part in
            let pieces = part.split(separator: "`", omittingEmptySubsequences: false)
            return pieces.count >= 2 ? String(pieces[1]) : nil
        }
    }
}
