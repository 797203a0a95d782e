import Foundation
import Synchronization
import Testing
import Wire
@testable import Bus

/// Request/reply and event streams over real ZeroMQ sockets (ipc:// and tcp:// on loopback), each socket on
/// its own bus thread as in the product.
@Suite(.serialized) struct ControlRoundTripTests {
    /// Answers `echo` with its args and anything else with unknown_command, like a component would.
    static func serve(_ server: ControlServer) -> Task<Void, Never> {
        Task {
            for await inbound in server.messages {
                guard case .request(let r) = inbound.message else { continue }
                if r.command == "echo" {
                    server.reply(inbound, Reply(id: r.id, result: .object(r.args)))
                } else {
                    server.reply(inbound, Reply(id: r.id, error: WireError(.unknownCommand, "no '\(r.command)'")))
                }
            }
        }
    }

    @Test(arguments: ["ipc", "tcp"])
    func requestReply(transport: String) async throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let server = try ControlServer(bindTo: transport == "ipc" ? "ipc://\(dir.path)/ctl.sock" : "tcp://127.0.0.1:*")
        let serving = Self.serve(server)
        let client = try ControlClient(connectTo: server.boundEndpoint)
        #expect(server.boundEndpoint.hasPrefix("\(transport)://"))

        let result = try await client.request("echo", args: ["n": 42, "s": "héllo"])
        #expect(result == ["n": 42, "s": "héllo"])
        // Many in flight at once are matched to the right callers.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<200 {
                group.addTask {
                    let r = try await client.request("echo", args: ["i": .init(i)])
                    #expect(r["i"]?.intValue == i)
                }
            }
            try await group.waitForAll()
        }
        await #expect {
            _ = try await client.request("dance")
        } throws: { ($0 as? WireError)?.code == .unknownCommand }

        client.shutdown()
        server.shutdown()
        serving.cancel()
    }

    @Test func requestToNobodyTimesOut() async throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let client = try ControlClient(connectTo: "ipc://\(dir.path)/nobody.sock")
        defer { client.shutdown() }
        await #expect {
            _ = try await client.request("status", timeout: .milliseconds(200))
        } throws: { ($0 as? WireError)?.code == .timeout }
    }

    @Test func malformedRequestsGetAnErrorReplyAndTheServerKeepsServing() async throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let server = try ControlServer(bindTo: "ipc://\(dir.path)/ctl.sock")
        let serving = Self.serve(server)
        defer { server.shutdown(); serving.cancel() }
        // A raw DEALER, as a buggy or foreign peer would use.
        let raw = try BusEndpoint(name: "raw", sockets: [SocketSpec(type: .dealer, connect: [server.boundEndpoint])])
        defer { raw.shutdown() }
        var replies = raw.inbound.makeAsyncIterator()

        let cases: [(bytes: [UInt8], code: ErrorCode, id: String)] = [
            (Array("not json".utf8), .malformed, ""),
            (Array(#"{"v":1,"kind":"request","id":"q1"}"#.utf8), .malformed, "q1"),
            (Array(#"{"v":9,"kind":"request","id":"q2","command":"echo"}"#.utf8), .unsupportedVersion, "q2"),
            (Array(#"{"v":1,"kind":"teleport","id":"q3"}"#.utf8), .unknownKind, "q3"),
            ([UInt8](repeating: 0x20, count: WireLimits.maxControlMessageBytes + 10), .tooLarge, ""),
        ]
        for c in cases {
            raw.send([c.bytes])
            let reply = try #require(await replies.next())
            guard case .reply(let r) = try ControlMessage.decode(reply.frames[0]), case .failure(let e) = r.outcome else {
                Issue.record("expected an error reply")
                continue
            }
            #expect(e.code == c.code)
            #expect(r.id == c.id)
        }
        #expect(server.rejectedCount == cases.count)
        // Still serving well-formed requests.
        raw.send([ControlMessage.request(Request(id: "ok", command: "echo", args: ["x": 1])).encoded()])
        let ok = try #require(await replies.next())
        #expect(try ControlMessage.decode(ok.frames[0]) == .reply(Reply(id: "ok", result: ["x": 1])))
    }

    @Test(arguments: ["ipc", "tcp"])
    func eventsArriveInOrderWithSequenceNumbersAndPrefixFiltering(transport: String) async throws {
        let dir = ScratchDirectory()
        defer { dir.cleanup() }
        let publisher = try EventPublisher(bindTo: transport == "ipc" ? "ipc://\(dir.path)/ev.sock" : "tcp://127.0.0.1:*")
        let all = Collector(try EventSubscriber(connectTo: publisher.boundEndpoint))
        let components = Collector(try EventSubscriber(connectTo: publisher.boundEndpoint, prefixes: ["component."]))
        defer { publisher.shutdown(); all.stop(); components.stop() }
        // PUB/SUB joins asynchronously: publish probes until both subscribers have seen one.
        let joined = await eventually {
            publisher.publish("component.probe")
            return !all.events.isEmpty && !components.events.isEmpty
        }
        #expect(joined)
        let ringing = publisher.publish("call.ringing", ["n": 1])
        let up = publisher.publish("component.up", ["name": "rtp-1"])
        #expect(await eventually { all.events.contains(up) && components.events.contains(up) })
        let tail = all.events.drop { $0.seq < ringing.seq }
        #expect(Array(tail) == [ringing, up])
        #expect(up.seq == ringing.seq + 1)
        #expect(!components.events.contains { $0.type.hasPrefix("call.") })  // filtered by prefix
        let seqs = all.events.map(\.seq)
        #expect(seqs == seqs.sorted())
        #expect(all.subscriber.malformedCount == 0)
    }
}

/// Collects a subscriber's events in the background so tests wait with a deadline, never forever.
final class Collector: Sendable {
    let subscriber: EventSubscriber
    private let store = Store()
    private let task: Task<Void, Never>
    private final class Store: Sendable { let events = Mutex<[Event]>([]) }

    init(_ subscriber: EventSubscriber) {
        self.subscriber = subscriber
        let store = self.store
        task = Task { for await e in subscriber.events { store.events.withLock { $0.append(e) } } }
    }

    var events: [Event] { store.events.withLock { $0 } }

    func stop() {
        subscriber.shutdown()
        task.cancel()
    }
}
