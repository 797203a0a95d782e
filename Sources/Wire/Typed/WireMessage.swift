/// Who serves a command (docs/PROTOCOL.md §4 has one table per receiver).
public struct WireReceiver: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// orch, on `ctl.sock` (clients: sipc, the library).
    public static let orch = WireReceiver(rawValue: "orch")
    /// Every supervised component (sent by orch).
    public static let component = WireReceiver(rawValue: "component")
    public static let sig = WireReceiver(rawValue: "sig")
    public static let media = WireReceiver(rawValue: "media")
    public static let audio = WireReceiver(rawValue: "audio")
}

/// One command of docs/PROTOCOL.md §4: its arguments are the fields of this type, its result is `Result`.
/// Decoding arguments reports defects as `bad_args` naming the field.
public protocol WireCommand: WireObject {
    associatedtype Result: WireValue
    static var name: String { get }
    static var receiver: WireReceiver { get }
}

/// One event type of docs/PROTOCOL.md §5: its `data` is the fields of this type.
public protocol WireEvent: WireObject {
    static var type: String { get }
}

extension Request {
    /// A request carrying a typed command.
    public init<C: WireCommand>(id: String, _ command: C) {
        self.init(id: id, command: C.name, args: command.jsonObject)
    }

    /// The arguments as `C` (`bad_args` naming the field when they do not fit).
    public func decode<C: WireCommand>(_ type: C.Type) throws(WireError) -> C {
        try C(from: WireReader(args, at: WirePath("args.", code: .badArgs)))
    }

    /// An error reply to this request.
    public func failure(_ code: ErrorCode, _ message: String) -> Reply { Reply(id: id, error: WireError(code, message)) }
    public func failure(_ error: WireError) -> Reply { Reply(id: id, error: error) }

    /// A success reply to this request.
    public func success<R: WireValue>(_ result: R) -> Reply { Reply(id: id, result: result.wire) }
}

extension Reply {
    public init<R: WireValue>(id: String, typed result: R) {
        self.init(id: id, result: result.wire)
    }

    /// The result as `R`; a failure reply throws the peer's error, a result that does not fit throws `malformed`.
    public func decode<R: WireValue>(_ type: R.Type) throws(WireError) -> R {
        switch outcome {
        case .failure(let error): throw error
        case .success(let value): return try R(wire: value, at: WirePath("result."))
        }
    }

    /// The same outcome under another id (a result computed for one request, answered to another).
    public func answering(_ id: String) -> Reply { Reply(id: id, outcome: outcome) }
}

extension Result where Success == JSONValue, Failure == WireError {
    /// A typed result as a reply outcome.
    public static func typed<R: WireValue>(_ value: R) -> Self { .success(value.wire) }
}

extension Event {
    /// An event carrying typed data.
    public init<E: WireEvent>(seq: UInt64, time: Double, _ event: E) {
        self.init(seq: seq, type: E.type, time: time, data: event.jsonObject)
    }

    public func `is`<E: WireEvent>(_ type: E.Type) -> Bool { self.type == E.type }

    /// The data as `E`, or nil for another event type; `malformed` when it is of that type and does not fit.
    public func decode<E: WireEvent>(_ type: E.Type) throws(WireError) -> E? {
        guard self.type == E.type else { return nil }
        return try E(from: WireReader(data, at: WirePath("data.")))
    }

    /// The component that published it, as orch adds it when republishing (`source`).
    public var source: String? { data["source"]?.stringValue }

    /// The same event as orch republishes it: with the component's name as `source` (fields a later version adds are
    /// passed on untouched).
    public func republished(from source: String) -> Event {
        var copy = self
        copy.data["source"] = .string(source)
        return copy
    }
}

extension Request {
    /// Serves this request as command `C`: decodes the arguments (a defect is answered `bad_args` naming the field),
    /// runs `body`, and answers its result or the `WireError` it throws. Runs on the caller's actor (`isolation`), so an
    /// actor's handler can use its state in `body`.
    public func answer<C: WireCommand>(_ type: C.Type, isolation: isolated (any Actor)? = #isolation,
                                       _ body: (C) async throws(WireError) -> C.Result) async -> Reply {
        do {
            let command = try decode(C.self)
            return Reply(id: id, typed: try await body(command))
        } catch {
            return Reply(id: id, error: error)
        }
    }

    /// `answer` for a body that does not wait.
    public func answerNow<C: WireCommand>(_ type: C.Type, _ body: (C) throws(WireError) -> C.Result) -> Reply {
        do {
            let command = try decode(C.self)
            return Reply(id: id, typed: try body(command))
        } catch {
            return Reply(id: id, error: error)
        }
    }
}
