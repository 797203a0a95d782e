import Synchronization
import Wire

/// The bus face of a media worker towards orch: `media.allocate` and `media.release` for a call's port pair,
/// and the load figures orch uses to pick the least loaded worker. (The RTP flow itself is issue 4's.)
public final class MediaSessionService: Sendable {
    private struct State {
        var pool = MediaPortPool(low: 20000, high: 20999)
        var host = "127.0.0.1"
        var allocations = 0
        var releases = 0
        var exhausted = 0
    }
    private let state = Mutex(State())
    public let name: String

    public init(name: String) { self.name = name }

    /// Applies the `configure` message: port range, this worker's index and count, and the media host.
    public func configure(_ config: [String: JSONValue]) {
        let range = config["rtp"]?["ports"]?.stringValue.flatMap(Self.parseRange) ?? (20000, 20999)
        let index = config["worker"]?["index"]?.intValue ?? 1
        let count = config["worker"]?["count"]?.intValue ?? 1
        let listen = config["sip"]?["listen"]?.stringValue ?? "127.0.0.1:5060"
        state.withLock { s in
            let kept = s.pool.sessions
            s.pool = MediaPortPool(low: range.0, high: range.1, workerIndex: index, workerCount: count)
            s.host = Self.host(of: listen)
            // A re-configure (orch restarted) must not forget calls in progress.
            for (session, port) in kept { _ = s.pool.allocate(session: session) { $0 == port } }
        }
    }

    public func handle(_ request: Request) -> Reply? {
        switch request.command {
        case "media.allocate":
            guard let call = request.args["call"]?.stringValue, !call.isEmpty else {
                return Reply(id: request.id, error: WireError(.badArgs, "media.allocate needs args.call (the call id)"))
            }
            let result = state.withLock { s -> (host: String, port: Int)? in
                let host = s.host
                guard let port = s.pool.allocate(session: call, isFree: { PortProbe.pairIsFree(host: host, rtpPort: $0) }) else {
                    s.exhausted += 1
                    return nil
                }
                s.allocations += 1
                return (host, port)
            }
            guard let result else {
                return Reply(id: request.id, error: WireError(.unavailable,
                    "\(name) has no free RTP port pair left in its share of rtp.ports; widen rtp.ports or add workers"))
            }
            return Reply(id: request.id, result: ["call": .string(call), "address": .string(result.host),
                                                  "port": .init(result.port), "rtcp_port": .init(result.port + 1),
                                                  "worker": .string(name)])
        case "media.release":
            guard let call = request.args["call"]?.stringValue else {
                return Reply(id: request.id, error: WireError(.badArgs, "media.release needs args.call (the call id)"))
            }
            let port = state.withLock { s -> Int? in
                let p = s.pool.release(session: call)
                if p != nil { s.releases += 1 }
                return p
            }
            return Reply(id: request.id, result: ["call": .string(call), "released": .bool(port != nil)])
        case "media.sessions":
            let sessions = state.withLock { $0.pool.sessions }
            return Reply(id: request.id, result: .object(sessions.mapValues { .init($0) }))
        default:
            return nil
        }
    }

    public func stats() -> [String: JSONValue] {
        state.withLock { s in
            ["sessions": .init(s.pool.allocatedCount), "capacity": .init(s.pool.capacity),
             "allocations": .init(s.allocations), "releases": .init(s.releases), "exhausted": .init(s.exhausted)]
        }
    }

    static func parseRange(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let a = Int(parts[0]), let b = Int(parts[1]) else { return nil }
        return (a, b)
    }

    static func host(of hostPort: String) -> String {
        if hostPort.hasPrefix("["), let end = hostPort.firstIndex(of: "]") {
            return String(hostPort[hostPort.index(after: hostPort.startIndex)..<end])
        }
        return hostPort.split(separator: ":").first.map(String.init) ?? "127.0.0.1"
    }
}
