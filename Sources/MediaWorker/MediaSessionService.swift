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

    /// Applies a `configure`: the port range and media host (`settings`, with a remote worker's own values over the
    /// instance's), and this worker's index and count (`worker`; the only worker when absent).
    public func configure(_ settings: InstanceConfig, worker: ConfigureContent.Worker?) {
        let range = settings.rtp.ports
        let index = worker?.index ?? 1
        let count = worker?.count ?? 1
        let host = settings.sip.listen.host
        state.withLock { s in
            let kept = s.pool.sessions
            s.pool = MediaPortPool(low: range.low, high: range.high, workerIndex: index, workerCount: count)
            s.host = host
            // A re-configure (orch restarted) must not forget calls in progress.
            for (session, port) in kept { _ = s.pool.adopt(session: session, port: port) { _ in true } }  // bound by its session
        }
        engine.setHost(host)
        var jitter = JitterBufferConfiguration()
        jitter.minimumDelay = .milliseconds(settings.rtp.jitterMinMs)
        jitter.maximumDelay = .milliseconds(settings.rtp.jitterMaxMs)
        engine.setJitterBuffer(jitter)
    }

    /// Serves the media commands (docs/PROTOCOL.md §4, media workers); nil for a command that is not one of them.
    public func handle(_ request: Request) async -> Reply? {
        switch request.command {
        case MediaAPI.Allocate.name:
            return await request.answer(MediaAPI.Allocate.self) { command throws(WireError) in
                try await allocate(command.call.rawValue, preferring: command.port.map(Int.init)).get()
            }
        case MediaAPI.Start.name:
            return await request.answer(MediaAPI.Start.self) { command throws(WireError) in try await start(command) }
        case MediaAPI.Release.name:
            return await request.answer(MediaAPI.Release.self) { command in
                let (final, released) = await releaseSession(command.call.rawValue)
                return MediaAPI.Release.Result(call: command.call, released: released, stats: final)
            }
        case MediaAPI.Record.name:
            return await request.answer(MediaAPI.Record.self) { command throws(WireError) in
                guard let mode = CallRecorder.Mode(rawValue: (command.mode ?? .stereo).rawValue) else {
                    throw WireError(.badArgs, "media.record mode must be stereo or mixed")
                }
                switch await engine.record(call: command.call.rawValue, path: command.stop ? nil : command.path, mode: mode) {
                case .success(let result): return result
                case .failure(.noSession(let c)): throw WireError(.notFound, "no media session for call '\(c)'")
                case .failure(let e): throw WireError(.failed, e.description)
                }
            }
        case MediaAPI.DTMF.name:
            return await request.answer(MediaAPI.DTMF.self) { command throws(WireError) in
                let duration = min(max(command.durationMs ?? 100, 40), 5000)
                switch await engine.sendDTMF(call: command.call.rawValue, digits: command.digits, durationMs: duration) {
                case .success(let n): return MediaAPI.DTMF.Result(call: command.call, queued: n)
                case .failure(let e): throw WireError(.failed, e.description)
                }
            }
        case MediaAPI.Stats.name:
            return await request.answer(MediaAPI.Stats.self) { command throws(WireError) in
                guard let stats = await engine.stats(call: command.call.rawValue) else {
                    throw WireError(.notFound, "no media session for call '\(command.call)'")
                }
                return stats
            }
        case MediaAPI.Sessions.name:
            return await request.answer(MediaAPI.Sessions.self) { _ in
                state.withLock { $0.pool.sessions.mapValues { UInt16(clamping: $0) } }
            }
        default:
            return nil
        }
    }

    /// `media.start`: a call sig answered at once with an answer slot (docs/PROTOCOL.md, call.answer_slots) had its
    /// port pair held for the slot; the call takes it now (another pair if that one is gone: the result names the port).
    private func start(_ command: MediaAPI.Start) async throws(WireError) -> MediaAPI.Start.Result {
        let call = command.call.rawValue
        let spec: MediaStartSpec
        do { spec = try MediaStartSpec(command) } catch { throw WireError(.badArgs, error.description) }
        var taken: MediaAPI.Allocate.Result?
        if let port = command.port, !(await engine.hasSession(call)) {
            if let slot = command.slot, slot.hasPrefix(Self.slotPrefix) { _ = await releaseSession(slot) }
            taken = try await allocate(call, preferring: Int(port)).get()
        }
        switch await engine.start(call: call, spec: spec) {
        case .success(var result):
            if let taken {
                result.port = taken.port
                result.address = taken.address
            }
            return result
        case .failure(let e): throw WireError(.notFound, e.description)
        }
    }

    /// Session ids orch uses for port pairs it holds for answer slots.
    static let slotPrefix = "slot-"

    private func releaseSession(_ call: String) async -> (stats: MediaStats?, released: Bool) {
        let final = await engine.release(call: call)
        let released = state.withLock { s -> Bool in
            let p = s.pool.release(session: call)
            if p != nil { s.releases += 1 }
            return p != nil
        }
        return (final, released)
    }

    /// A port pair for a call, bound at once so nothing else takes it; the same call asking again gets the same pair.
    /// `preferring`: the pair the call had on a worker that died (restored calls keep their address when it is free).
    private func allocate(_ call: String, preferring: Int? = nil) async -> Result<MediaAPI.Allocate.Result, WireError> {
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

    private func describe(_ call: String, _ port: Int) -> MediaAPI.Allocate.Result {
        let host = state.withLock { $0.host }
        return MediaAPI.Allocate.Result(call: CallID(call), address: host, port: UInt16(clamping: port), rtcpPort: UInt16(clamping: port + 1),
                                        worker: name)
    }

    /// Counters for heartbeats; `refreshLoad` keeps the engine's figures current.
    public func stats() -> WorkerStats {
        state.withLock { s in
            let slots = s.pool.sessions.keys.filter { $0.hasPrefix(Self.slotPrefix) }.count
            return WorkerStats(sessions: s.pool.allocatedCount - slots, answerSlots: slots, mediaStarted: s.lastLoad.started,
                               capacity: s.pool.capacity, allocations: s.allocations, releases: s.releases, exhausted: s.exhausted)
        }
    }

    public func refreshLoad() async {
        let load = await engine.load()
        state.withLock { $0.lastLoad = load }
    }
}
