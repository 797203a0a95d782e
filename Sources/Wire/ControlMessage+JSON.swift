import Foundation

extension ControlMessage {
    /// Encodes to the JSON object of `docs/PROTOCOL.md`. Keys are sorted so golden fixtures are stable.
    public func encoded() -> [UInt8] {
        var object: [String: JSONValue] = ["v": .init(WireVersion.current), "kind": .string(kind)]
        switch self {
        case .request(let r):
            object["id"] = .string(r.id)
            object["command"] = .string(r.command)
            object["args"] = .object(r.args)
        case .reply(let r):
            object["id"] = .string(r.id)
            switch r.outcome {
            case .success(let result):
                object["ok"] = true
                object["result"] = result
            case .failure(let error):
                object["ok"] = false
                object["error"] = ["code": .string(error.code.rawValue), "message": .string(error.message)]
            }
        case .event(let e):
            object["seq"] = .number(Double(e.seq))
            object["type"] = .string(e.type)
            object["time"] = .number(e.time)
            object["data"] = .object(e.data)
        case .hello(let h):
            object["name"] = .string(h.name)
            object["role"] = .string(h.role)
            object["pid"] = .init(h.pid)
            object["version"] = .string(h.version)
        case .heartbeat(let h):
            object["name"] = .string(h.name)
            object["pid"] = .init(h.pid)
            object["stats"] = .object(h.stats)
        case .configure(let c):
            object["generation"] = .init(c.generation)
            object["restarts"] = .init(c.restarts)
            object["config"] = .object(c.config)
        }
        return JSONValue.object(object).encodedBytes()
    }

    /// Decodes one control message. Never traps: every defect becomes a `WireError` that names it.
    public static func decode<Bytes: Collection>(_ bytes: Bytes) throws(WireError) -> ControlMessage
    where Bytes.Element == UInt8 {
        guard bytes.count <= WireLimits.maxControlMessageBytes else {
            throw WireError(.tooLarge, "message of \(bytes.count) bytes exceeds \(WireLimits.maxControlMessageBytes)")
        }
        let value = try JSONValue.decode(bytes)
        guard let object = value.objectValue else { throw WireError(.malformed, "message is not a JSON object") }
        let fields = FieldReader(object)
        let version = try fields.int("v")
        guard version == WireVersion.current else {
            throw WireError(.unsupportedVersion, "protocol version \(version) not supported; this peer speaks \(WireVersion.current)")
        }
        let kind = try fields.string("kind")
        switch kind {
        case "request":
            let command = try fields.string("command")
            guard command.count <= WireLimits.maxNameLength, !command.isEmpty else {
                throw WireError(.malformed, "field 'command' must be 1...\(WireLimits.maxNameLength) characters")
            }
            return .request(Request(id: try fields.string("id"), command: command, args: try fields.object("args", default: [:])))
        case "reply":
            let id = try fields.string("id")
            if try fields.bool("ok") {
                return .reply(Reply(id: id, result: object["result"] ?? .null))
            }
            let error = FieldReader(try fields.object("error"), prefix: "error.")
            return .reply(Reply(id: id, error: WireError(ErrorCode(rawValue: try error.string("code")), try error.string("message"))))
        case "event":
            let seq = try fields.int("seq")
            guard seq >= 0 else { throw WireError(.malformed, "field 'seq' must not be negative") }
            return .event(Event(seq: UInt64(seq), type: try fields.string("type"), time: try fields.double("time"),
                                data: try fields.object("data", default: [:])))
        case "hello":
            return .hello(Hello(name: try fields.string("name"), role: try fields.string("role"),
                                pid: try fields.pid("pid"), version: try fields.string("version")))
        case "heartbeat":
            return .heartbeat(Heartbeat(name: try fields.string("name"), pid: try fields.pid("pid"),
                                        stats: try fields.object("stats", default: [:])))
        case "configure":
            return .configure(Configure(generation: try fields.int("generation"), restarts: try fields.int("restarts"),
                                        config: try fields.object("config")))
        default:
            throw WireError(.unknownKind, "unknown message kind '\(kind.prefix(WireLimits.maxNameLength))'")
        }
    }
}

extension ControlMessage {
    /// Best effort: the `id` of a message that failed to decode, so the error reply reaches the requester's waiter
    /// (docs/PROTOCOL.md §3.1: the reply carries the `id` if one could be read, else "").
    public static func salvageID(_ body: [UInt8]) -> String {
        guard body.count <= WireLimits.maxControlMessageBytes, case .object(let object)? = try? JSONValue.decode(body),
              case .string(let id)? = object["id"] else { return "" }
        return id
    }
}

/// Reads typed fields from a JSON object, turning every absence or type mismatch into a `malformed` error
/// that names the field.
struct FieldReader {
    let object: [String: JSONValue]
    let prefix: String

    init(_ object: [String: JSONValue], prefix: String = "") {
        self.object = object
        self.prefix = prefix
    }

    private func value(_ key: String) throws(WireError) -> JSONValue {
        guard let v = object[key] else { throw WireError(.malformed, "missing field '\(prefix)\(key)'") }
        return v
    }

    func string(_ key: String) throws(WireError) -> String {
        guard let s = try value(key).stringValue else { throw WireError(.malformed, "field '\(prefix)\(key)' must be a string") }
        return s
    }

    func int(_ key: String) throws(WireError) -> Int {
        guard let i = try value(key).intValue else { throw WireError(.malformed, "field '\(prefix)\(key)' must be an integer") }
        return i
    }

    func pid(_ key: String) throws(WireError) -> Int32 {
        let i = try int(key)
        guard i > 0, i <= Int(Int32.max) else { throw WireError(.malformed, "field '\(prefix)\(key)' must be a process id") }
        return Int32(i)
    }

    func double(_ key: String) throws(WireError) -> Double {
        guard let d = try value(key).doubleValue else { throw WireError(.malformed, "field '\(prefix)\(key)' must be a number") }
        return d
    }

    func bool(_ key: String) throws(WireError) -> Bool {
        guard let b = try value(key).boolValue else { throw WireError(.malformed, "field '\(prefix)\(key)' must be true or false") }
        return b
    }

    func object(_ key: String) throws(WireError) -> [String: JSONValue] {
        guard let o = try value(key).objectValue else { throw WireError(.malformed, "field '\(prefix)\(key)' must be an object") }
        return o
    }

    func object(_ key: String, default fallback: [String: JSONValue]) throws(WireError) -> [String: JSONValue] {
        guard object[key] != nil, object[key] != .null else { return fallback }
        return try object(key)
    }
}

extension JSONValue {
    /// Compact JSON with sorted keys (non-finite numbers become null).
    public func encodedBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        JSONWriter.write(self, into: &out)
        return out
    }

    public func encodedString() -> String { String(decoding: encodedBytes(), as: UTF8.self) }

    /// Parses JSON text; a syntax error (or nesting deeper than 128) becomes `malformed`.
    public static func decode<Bytes: Collection>(_ bytes: Bytes) throws(WireError) -> JSONValue where Bytes.Element == UInt8 {
        do {
            return try JSONReader.parse(Array(bytes))
        } catch {
            throw WireError(.malformed, "not valid JSON")
        }
    }

    private func finite() -> JSONValue {
        switch self {
        case .number(let n) where !n.isFinite: return .null
        case .array(let a): return .array(a.map { $0.finite() })
        case .object(let o): return .object(o.mapValues { $0.finite() })
        default: return self
        }
    }
}
