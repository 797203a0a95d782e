import Testing
import Wire

/// What the golden fixtures do not show of the media worker's messages: the heartbeat's counters, and the `bad_args`
/// messages the worker has always given (operators and orch's log know them).
@Suite struct MediaMessageTests {
    static func request(_ args: String, _ command: String) throws -> Request {
        let line = #"{"args":\#(args),"command":"\#(command)","id":"1","kind":"request","v":1}"#
        guard case .request(let request) = try ControlMessage.decode(Array(line.utf8)) else { throw WireError(.malformed, "not a request") }
        return request
    }

    static func message<C: WireCommand>(_ type: C.Type, _ args: String) throws -> String? {
        let request = try request(args, C.name)
        do throws(WireError) {
            _ = try request.decode(C.self)
            return nil
        } catch {
            #expect(error.code == .badArgs)
            return error.message
        }
    }

    @Test func aWorkersHeartbeatStatsKeepTheirBytes() throws {
        let line = #"{"kind":"heartbeat","name":"rtp-1","pid":13887,"stats":{"allocations":11,"answer_slots":8,"capacity":50,"#
            + #""exhausted":0,"media_started":2,"pcm_in_rejected":0,"releases":3,"sessions":2},"v":1}"#
        guard case .heartbeat(let beat) = try ControlMessage.decode(Array(line.utf8)) else {
            Issue.record("not a heartbeat")
            return
        }
        let stats = try WorkerStats(json: beat.stats)
        #expect(stats.sessions == 2 && stats.capacity == 50 && stats.answerSlots == 8 && stats.pcmInRejected == 0)
        let again = ControlMessage.heartbeat(Heartbeat(name: beat.name, pid: beat.pid, stats: stats.jsonObject))
        #expect(String(decoding: again.encoded(), as: UTF8.self) == line)
        // A worker without a PCM bus leaves pcm_in_rejected out.
        #expect(WorkerStats(sessions: 0, capacity: 50).jsonObject["pcm_in_rejected"] == nil)
    }

    @Test func mediaStartNamesWhatIsMissing() throws {
        let remote = #""remote":{"address":"127.0.0.1","port":PORT,"codec":"PCMU","payload_type":0,"direction":"sendrecv"}"#
        let streams = #""streams":{"playback":2,"capture":3}"#
        #expect(try Self.message(MediaAPI.Start.self, "{\(streams)}") == "media.start needs args.call")
        #expect(try Self.message(MediaAPI.Start.self, #"{"call":"c1",\#(streams)}"#) == "media.start needs args.remote.address")
        for port in ["0", "70000", "\"x\""] {
            let args = #"{"call":"c1",\#(remote.replacingOccurrences(of: "PORT", with: port)),\#(streams)}"#
            #expect(try Self.message(MediaAPI.Start.self, args) == "media.start needs args.remote.port (1-65535)")
        }
        let good = #"{"call":"c1",\#(remote.replacingOccurrences(of: "PORT", with: "40000")),\#(streams)}"#
        #expect(try Self.message(MediaAPI.Start.self, good) == nil)
        let start = try Self.request(good, MediaAPI.Start.name).decode(MediaAPI.Start.self)
        #expect(start.remote.endpoint == MediaEndpoint(address: "127.0.0.1", port: 40000) && start.streams.capture == 3)
    }

    @Test func mediaRecordChecksPathAndMode() throws {
        let record = MediaAPI.Record.self
        #expect(try Self.message(record, #"{"path":"/tmp/a.wav"}"#) == "media.record needs args.call, and args.path to start or args.stop")
        let needsPath = "media.record needs args.path (an absolute path of a new WAV file) or args.stop: true"
        #expect(try Self.message(record, #"{"call":"c1"}"#) == needsPath)
        #expect(try Self.message(record, #"{"call":"c1","path":"a.wav"}"#) == needsPath)
        #expect(try Self.message(record, #"{"call":"c1","path":"/tmp/a.wav","mode":"surround"}"#) == "media.record mode must be stereo or mixed")
        #expect(try Self.message(record, #"{"call":"c1","stop":true}"#) == nil)
        #expect(try Self.message(record, #"{"call":"c1","path":"/tmp/a.wav","mode":"mixed"}"#) == nil)
    }

    @Test func theOtherCommandsNameTheirArguments() throws {
        #expect(try Self.message(MediaAPI.Allocate.self, #"{"call":""}"#) == "media.allocate needs args.call (the call id)")
        #expect(try Self.message(MediaAPI.Release.self, "{}") == "media.release needs args.call (the call id)")
        #expect(try Self.message(MediaAPI.DTMF.self, #"{"call":"c1"}"#) == "media.dtmf needs args.call and args.digits")
        #expect(try Self.message(MediaAPI.Stats.self, #"{"call":7}"#) == "media.stats needs args.call")
    }

    @Test func orchForwardsRecordAndCallStatsToTheCallsWorker() {
        let record = OrchAPI.Record(path: "/tmp/a.wav", mode: .mixed)
        #expect(record.forwarded(call: "c1") == MediaAPI.Record(call: "c1", path: "/tmp/a.wav", mode: .mixed))
        #expect(OrchAPI.CallStats().forwarded(call: "c1") == MediaAPI.Stats(call: "c1"))
    }
}
