import Foundation

/// The protocol version this build speaks. A message with another `v` is refused with
/// `unsupported_version`; the version is bumped only for incompatible changes (new optional fields are not).
public enum WireVersion {
    public static let current = 1
}

/// One control-plane message: a JSON object in one ZeroMQ frame (see `docs/PROTOCOL.md`, "Control messages").
public enum ControlMessage: Sendable, Equatable {
    case request(Request)
    case reply(Reply)
    case event(Event)
    case hello(Hello)
    case heartbeat(Heartbeat)
    case configure(Configure)

    public var kind: String {
        switch self {
        case .request: "request"
        case .reply: "reply"
        case .event: "event"
        case .hello: "hello"
        case .heartbeat: "heartbeat"
        case .configure: "configure"
        }
    }
}

/// A command sent to a component or to orch; answered by exactly one `Reply` with the same `id`.
public struct Request: Sendable, Equatable {
    public var id: String
    public var command: String
    public var args: [String: JSONValue]

    public init(id: String, command: String, args: [String: JSONValue] = [:]) {
        self.id = id
        self.command = command
        self.args = args
    }
}

/// The answer to a request: either `result` or `error`. `id` is empty when the request was too broken to
/// carry one (the error then says why).
public struct Reply: Sendable, Equatable {
    public var id: String
    public var outcome: Result<JSONValue, WireError>

    public init(id: String, result: JSONValue) {
        self.id = id
        self.outcome = .success(result)
    }

    public init(id: String, error: WireError) {
        self.id = id
        self.outcome = .failure(error)
    }

    public init(id: String, outcome: Result<JSONValue, WireError>) {
        self.id = id
        self.outcome = outcome
    }

    public var isOK: Bool { if case .success = outcome { true } else { false } }
}

/// Something that happened, published on orch's event socket. `seq` increases by one per event so
/// subscribers notice gaps.
public struct Event: Sendable, Equatable {
    public var seq: UInt64
    public var type: String
    /// Seconds since the Unix epoch, with fractions.
    public var time: Double
    public var data: [String: JSONValue]

    public init(seq: UInt64, type: String, time: Double, data: [String: JSONValue] = [:]) {
        self.seq = seq
        self.type = type
        self.time = time
        self.data = data
    }
}

/// The first message of a component to orch after it starts (or after orch came back).
public struct Hello: Sendable, Equatable {
    public var name: String
    public var role: String
    public var pid: Int32
    public var version: String

    public init(name: String, role: String, pid: Int32, version: String) {
        self.name = name
        self.role = role
        self.pid = pid
        self.version = version
    }
}

/// Proof of life, sent every heartbeat interval in both directions. Any other message counts as one too.
/// Components attach their counters (`stats`), which orch shows in `status`.
public struct Heartbeat: Sendable, Equatable {
    public var name: String
    public var pid: Int32
    public var stats: [String: JSONValue]

    public init(name: String, pid: Int32, stats: [String: JSONValue] = [:]) {
        self.name = name
        self.pid = pid
        self.stats = stats
    }
}

/// Orch's answer to `hello`: the component's configuration. Sent again after every restart, so a restarted
/// component gets back the state it needs (the re-sync hook).
public struct Configure: Sendable, Equatable {
    public var generation: Int
    public var restarts: Int
    public var config: [String: JSONValue]

    public init(generation: Int, restarts: Int, config: [String: JSONValue]) {
        self.generation = generation
        self.restarts = restarts
        self.config = config
    }
}
