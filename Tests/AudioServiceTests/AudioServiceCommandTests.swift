import Synchronization
import Testing
import Wire
@testable import AudioService

/// The `audio.*` commands through the bus contract's types, against the engine with the null backend and no sockets:
/// what each answers, which events it publishes, and that refused arguments change nothing.
@Suite(.serialized) struct AudioServiceCommandTests {
    /// The events the service published, in order.
    final class Events: Sendable {
        private let list = Mutex<[any WireEvent]>([])
        func add(_ event: any WireEvent) { list.withLock { $0.append(event) } }
        func all<E: WireEvent>(_ type: E.Type) -> [E] { list.withLock { $0.compactMap { $0 as? E } } }
    }

    static func withService(_ body: (AudioService, Events) async throws -> Void) async throws {
        let events = Events()
        let service = try AudioService(runDirectory: nil) { events.add($0) }
        defer { service.shutdown() }
        try await body(service, events)
    }

    static func send<C: WireCommand>(_ service: AudioService, _ command: C, id: String = "1") async throws -> C.Result {
        let reply = try #require(await service.handle(Request(id: id, command)))
        return try reply.decode(C.Result.self)
    }

    static func refusal(_ service: AudioService, _ command: String, args: JSONObject) async -> WireError? {
        let reply = await service.handle(Request(id: "9", command: command, args: args))
        guard case .failure(let error)? = reply?.outcome else { return nil }
        return error
    }

    @Test func attachingAnswersTheDevicesAndStartsTheStreamOnce() async throws {
        try await Self.withService { service, events in
            let attach = AudioAPI.Attach(call: "c1", streams: PCMStreams(playback: 1, capture: 2))
            let result = try await Self.send(service, attach)
            #expect(result.call == "c1" && result.report.backend == .null && result.report.capture.device == "null")
            _ = try await Self.send(service, attach)
            #expect(events.all(AudioStreamStartedEvent.self) == [AudioStreamStartedEvent(call: "c1", playback: 1, capture: 2, microphone: true)])

            let state = service.state()
            #expect(state.calls == [AudioAPI.AttachedCall(call: "c1", playback: 1, capture: 2)] && state.stats.callsAttached == 1)

            #expect(try await Self.send(service, AudioAPI.Detach(call: "c1")).detached)
            #expect(try await Self.send(service, AudioAPI.Detach(call: "c1")).detached == false)
            #expect(events.all(AudioStreamStoppedEvent.self).map(\.reason) == [.detached])
        }
    }

    @Test func aPlaybackOnlyCallHasNoCaptureStream() async throws {
        try await Self.withService { service, events in
            _ = try await Self.send(service, AudioAPI.Attach(call: "c2", streams: PCMStreams(playback: 3, capture: 4), capture: false))
            #expect(service.state().calls == [AudioAPI.AttachedCall(call: "c2", playback: 3, capture: nil)])
            #expect(events.all(AudioStreamStartedEvent.self).first?.microphone == false)
        }
    }

    @Test func setChangesTheNamedControlsAndAnInvalidFieldChangesNothing() async throws {
        try await Self.withService { service, _ in
            let muted = try await Self.send(service, AudioAPI.SetControls(mute: true, inputGainDB: -6))
            #expect(muted.mute && muted.inputGainDB == -6 && muted.echoCancellation)
            let error = await Self.refusal(service, "audio.set", args: ["mute": false, "output_gain_db": 99])
            #expect(error == WireError(.badArgs, "'output_gain_db' must be a number of dB from -40 to 40"))
            #expect(service.state().controls == muted)
        }
    }

    @Test func aConferenceNeedsAttachedCallsAndAnswersTheMembersSorted() async throws {
        try await Self.withService { service, events in
            for (call, base) in [("c2", 10), ("c1", 20)] as [(CallID, UInt32)] {
                _ = try await Self.send(service, AudioAPI.Attach(call: call, streams: PCMStreams(playback: StreamID(base), capture: StreamID(base + 1))))
            }
            let missing = await Self.refusal(service, "audio.conference", args: ["calls": ["c1", "c3"]])
            #expect(missing?.code == .notFound && missing?.message.contains("'c3'") == true)
            #expect(try await Self.send(service, AudioAPI.Conference(calls: ["c2", "c1"])).calls == ["c1", "c2"])
            #expect(service.state().conference == ["c1", "c2"])
            #expect(events.all(AudioConferenceEvent.self).map(\.calls) == [["c1", "c2"]])
        }
    }

    @Test func malformedArgumentsAreRefusedWithTheFormNamed() async throws {
        try await Self.withService { service, _ in
            let attach = await Self.refusal(service, "audio.attach", args: ["call": "c1", "streams": ["playback": -1, "capture": 2]])
            #expect(attach?.code == .badArgs && attach?.message.hasPrefix("audio.attach needs") == true)
            let detach = await Self.refusal(service, "audio.detach", args: [:])
            #expect(detach == WireError(.badArgs, "audio.detach needs {\"call\"}"))
            #expect(await service.handle(Request(id: "1", command: "audio.nothing", args: [:])) == nil)
        }
    }
}
