import Config
import JitterBuffer
import Synchronization
import Wire

/// The bus face of a media worker towards orch (docs/PROTOCOL.md §4, media workers): port pairs for calls,
/// starting, updating and ending their media, DTMF, and the load figures orch uses to pick the least loaded worker.
public final class MediaSessionService: Sendable {
    private struct State {
        var pool = MediaPortPool(low: 20000, high: 20999)
        var host = "127.0.0.1"
        var allocations = 0
        var releases = 0
        var exhausted = 0
        var lastLoad = (sessions: 0, started: 0)
    }
    private let state = Mutex(State())
    public let name: String
    public let engine: MediaEngine

    public init(name: String, engine: MediaEngine) {
        self.name = name
        self.engine = engine
    }

    /// Applies the `configure` message: port range, this worker's index and count, and the media host.
    public func configure(_ config: [String: JSONValue]) {
        let range = config["rtp"]?["ports"]?.stringValue.flatMap(Self.parseRange) ?? (20000, 20999)
        let index = config["worker"]?["index"]?.intValue ?? 1
        let count = config["worker"]?["count"]?.intValue ?? 1
        let listen = config["sip"]?["listen"]?.stringValue ?? "127.0.0.1:5060"
        let host = HostPort.parse(listen)?.host ?? "127.0.0.1"
        state.withLock { s in
            let kept = s.pool.sessions
            s.pool = MediaPortPool(low: range.0, high: range.1, workerIndex: index, workerCount: count)
            s.host = host
            // A re-configure (orch restarted) must not forget calls in progress.
            for (session, port) in kept { _ = s.pool.adopt(session: session, port: port) { _ in true } }  // bound by its session
        }
        engine.setHost(host)
        var jitter = JitterBufferConfiguration()
        if let min = config["rtp"]?["jitter_min_ms"]?.intValue { jitter.minimumDelay = .milliseconds(min) }
        if let max = config["rtp"]?["jitter_max_ms"]?.intValue { jitter.maximumDelay = .milliseconds(max) }
        engine.setJitterBuffer(jitter)
    }

    public func handle(_ request: Request) async -> Reply? {
        let args = request.args
        func bad(_ message: String) -> Reply { Reply(id: request.id, error: WireError(.badArgs, message)) }
        switch request.command {
        case "media.allocate":
            guard let call = args["call"]?.stringValue, !call.isEmpty else { return bad("media.allocate needs args.call (the call id)") }
            return Reply(id: request.id, outcome: await allocate(call, preferring: args["port"]?.intValue))
        case "media.start":
            guard let call = args["call"]?.stringValue else { return bad("media.start needs args.call") }
            let spec: MediaStartSpec
            do { spec = try MediaStartSpec(args: args) } catch { return bad(error.description) }
            // A call sig answered at once with an answer slot (docs/PROTOCOL.md, call.answer_slots): its port pair was
            // held for the slot; the call takes it now (another pair if that one is gone: the reply names the port).
            var taken: JSONValue?
            if let port = args["port"]?.intValue, !(await engine.hasSession(call)) {
                if let slot = args["slot"]?.stringValue, slot.hasPrefix(Self.slotPrefix) { _ = await releaseSession(slot) }
                switch await allocate(call, preferring: port) {
                case .success(let media): taken = media
                case .failure(let e): return Reply(id: request.id, error: e)
                }
            }
            switch await engine.start(call: call, spec: spec) {
            case .success(var stats):
                if let taken { stats["port"] = taken["port"]; stats["address"] = taken["address"] }
                return Reply(id: request.id, result: .object(stats))
            case .failure(let e): return Reply(id: request.id, error: WireError(.notFound, e.description))
            }
        case "media.release":
            guard let call = args["call"]?.stringValue else { return bad("media.release needs args.call (the call id)") }
            let (final, released) = await releaseSession(call)
            var result: [String: JSONValue] = ["call": .string(call), "released": .bool(released)]
            if let final { result["stats"] = .object(final) }
            return Reply(id: request.id, result: .object(result))
        case "media.record":
            guard let call = args["call"]?.stringValue else { return bad("media.record needs args.call, and args.path to start or args.stop") }
            let stop = args["stop"]?.boolValue == true
            guard stop || (args["path"]?.stringValue.map { $0.hasPrefix("/") && $0.utf8.count < 4096 } ?? false) else {
                return bad("media.record needs args.path (an absolute path of a new WAV file) or args.stop: true")
            }
            let modeName = args["mode"]?.stringValue ?? "stereo"
            guard let mode = CallRecorder.Mode(rawValue: modeName) else { return bad("media.record mode must be stereo or mixed") }
            switch await engine.record(call: call, path: stop ? nil : args["path"]?.stringValue, mode: mode) {
            case .success(let result): return Reply(id: request.id, result: .object(result))
            case .failure(.noSession(let c)): return Reply(id: request.id, error: WireError(.notFound, "no media session for call '\(c)'"))
            case .failure(let e): return Reply(id: request.id, error: WireError(.failed, e.description))
            }
        case "media.dtmf":
            guard let call = args["call"]?.stringValue, let digits = args["digits"]?.stringValue else {
                return bad("media.dtmf needs args.call and args.digits")
            }
            let duration = min(max(args["duration_ms"]?.intValue ?? 100, 40), 5000)
            switch await engine.sendDTMF(call: call, digits: digits, durationMs: duration) {
            case .success(let n): return Reply(id: request.id, result: ["call": .string(call), "queued": .init(n)])
            case .failure(let e): return Reply(id: request.id, error: WireError(.failed, e.description))
            }
        case "media.stats":
            guard let call = args["call"]?.stringValue else { return bad("media.stats needs args.call") }
            guard let stats = await engine.stats(call: call) else {
                return Reply(id: request.id, error: WireError(.notFound, "no media session for call '\(call)'"))
            }
            return Reply(id: request.id, result: .object(stats))
        case "media.sessions":
            let sessions = state.withLock { $0.pool.sessions }
            return Reply(id: request.id, result: .object(sessions.mapValues { .init($0) }))
        default:
            return nil
        }
    }

    /// A port pair for a call, bound at once so nothing else takes it; the same call asking again gets the same pair.
    /// `preferring`: the pair the call had on a worker that died (restored calls keep their address when it is free).
    /// Session ids orch uses for port pairs it holds for answer slots.
    static let slotPrefix = "slot-"

    private func releaseSession(_ call: String) async -> (stats: [String: JSONValue]?, released: Bool) {
        let final = await engine.release(call: call)
        let released = state.withLock { s -> Bool in
            let p = s.pool.release(session: call)
            if p != nil { s.releases += 1 }
            return p != nil
        }
        return (final, released)
    }

    private func allocate(_ call: String, preferring: Int? = nil) async -> Result<JSONValue, WireError> {
        if let port = await engine.port(of: call) { return .success(describe(call, port)) }
        for attempt in 0..<8 {
            let candidate = state.withLock { s -> Int? in
                if attempt == 0, let wanted = preferring,
                   s.pool.adopt(session: call, port: wanted, isFree: { PortProbe.pairIsFree(host: s.host, rtpPort: $0) }) {
                    return wanted
                }
                return s.pool.allocate(session: call) { PortProbe.pairIsFree(host: s.host, rtpPort: $0) }
            }
            guard let port = candidate else { break }
            switch await engine.allocate(call: call, port: port) {
            case .success:
                state.withLock { $0.allocations += 1 }
                return .success(describe(call, port))
            case .failure:
                // Lost a race for the port with another program: try the next pair.
                state.withLock { _ = $0.pool.release(session: call) }
            }
        }
        state.withLock { $0.exhausted += 1 }
        return .failure(WireError(.unavailable,
            "\(name) has no free RTP port pair left in its share of rtp.ports; widen rtp.ports (workers share the range, so more workers add no ports)"))
    }

    private func describe(_ call: String, _ port: Int) -> JSONValue {
        let host = state.withLock { $0.host }
        return ["call": .string(call), "address": .string(host), "port": .init(port), "rtcp_port": .init(port + 1),
                "worker": .string(name)]
    }

    /// Counters for heartbeats; `refreshLoad` keeps the engine's figures current.
    public func stats() -> [String: JSONValue] {
        state.withLock { s in
            let slots = s.pool.sessions.keys.filter { $0.hasPrefix(Self.slotPrefix) }.count
            return ["sessions": .init(s.pool.allocatedCount - slots), "answer_slots": .init(slots), "media_started": .init(s.lastLoad.started), "capacity": .init(s.pool.capacity),
             "allocations": .init(s.allocations), "releases": .init(s.releases), "exhausted": .init(s.exhausted)]
        }
    }

    public func refreshLoad() async {
        let load = await engine.load()
        state.withLock { $0.lastLoad = load }
    }

    static func parseRange(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]) else { return nil }
        return (a, b)
    }
}
