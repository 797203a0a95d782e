/// A JSON object as the bus carries it.
public typealias JSONObject = [String: JSONValue]

/// Where a value sits in a message, for error messages ("field 'args.media.port' must be ..."), and which error code
/// a defect there earns: `bad_args` inside a request's arguments (the peer asked for something wrong), `malformed`
/// everywhere else (the peer sent something broken).
public struct WirePath: Sendable, Equatable {
    public var prefix: String
    public var code: ErrorCode

    public init(_ prefix: String = "", code: ErrorCode = .malformed) {
        self.prefix = prefix
        self.code = code
    }

    /// The path of a field below this one.
    public func appending(_ key: String) -> WirePath { WirePath(prefix + key + ".", code: code) }
    public func appending(index: Int) -> WirePath { WirePath(String(prefix.dropLast()) + "[\(index)].", code: code) }

    /// The name of `key` below this path, as error messages quote it.
    public func name(_ key: String) -> String { prefix + key }

    /// The name of the value at this path itself (without the trailing dot).
    public var here: String { prefix.hasSuffix(".") ? String(prefix.dropLast()) : prefix }

    public func error(_ message: String) -> WireError { WireError(code, message) }
}

/// A value with a JSON form on the bus: decoded with a typed error that names the field, encoded back to the same
/// bytes. Every field of every message of docs/PROTOCOL.md is one of these.
public protocol WireValue: Sendable, Equatable {
    init(wire json: JSONValue, at path: WirePath) throws(WireError)
    var wire: JSONValue { get }
}

/// A JSON object with named fields: a command's arguments, a result, an event's data, or a part of one.
public protocol WireObject: WireValue {
    init(from reader: WireReader) throws(WireError)
    func write(to writer: inout WireWriter)
}

extension WireObject {
    public init(wire json: JSONValue, at path: WirePath) throws(WireError) {
        guard case .object(let object) = json else { throw path.error("field '\(path.here)' must be an object") }
        try self.init(from: WireReader(object, at: path))
    }

    public var wire: JSONValue { .object(jsonObject) }

    /// The fields as a JSON object.
    public var jsonObject: JSONObject {
        var writer = WireWriter()
        write(to: &writer)
        return writer.object
    }

    /// Decodes from a JSON object (e.g. an event's `data`), with `malformed` errors unless `path` says otherwise.
    public init(json object: JSONObject, at path: WirePath = WirePath()) throws(WireError) {
        try self.init(from: WireReader(object, at: path))
    }
}

/// Reads the fields of one JSON object. Absent and `null` are the same for optional fields; a value of the wrong type
/// is an error even for an optional field (it is a bug in the sender, not an omission). Unknown fields are ignored.
public struct WireReader: Sendable {
    public let object: JSONObject
    public let path: WirePath

    public init(_ object: JSONObject, at path: WirePath = WirePath()) {
        self.object = object
        self.path = path
    }

    public func contains(_ key: String) -> Bool {
        if let value = object[key], value != .null { return true }
        return false
    }

    public func callAsFunction<T: WireValue>(_ key: String, as type: T.Type = T.self) throws(WireError) -> T {
        guard let value = object[key], value != .null else { throw path.error("missing field '\(path.name(key))'") }
        return try T(wire: value, at: path.appending(key))
    }

    public func optional<T: WireValue>(_ key: String, as type: T.Type = T.self) throws(WireError) -> T? {
        guard let value = object[key], value != .null else { return nil }
        return try T(wire: value, at: path.appending(key))
    }

    public func callAsFunction<T: WireValue>(_ key: String, default fallback: T) throws(WireError) -> T {
        try optional(key) ?? fallback
    }

    /// A field whose value is checked beyond its type; `problem` names what is wrong when `valid` fails.
    public func checked<T: WireValue>(_ key: String, _ problem: String, _ valid: (T) -> Bool) throws(WireError) -> T {
        let value: T = try self(key)
        guard valid(value) else { throw path.error("field '\(path.name(key))' \(problem)") }
        return value
    }

    public func error(_ message: String) -> WireError { path.error(message) }
}

/// Builds the fields of one JSON object; optional fields that are nil are left out (never written as null).
public struct WireWriter: Sendable {
    public private(set) var object: JSONObject = [:]

    public init() {}

    public mutating func callAsFunction<T: WireValue>(_ key: String, _ value: T) {
        object[key] = value.wire
    }

    public mutating func callAsFunction<T: WireValue>(_ key: String, _ value: T?) {
        if let value { object[key] = value.wire }
    }

    /// Writes `value`, or an explicit `null` when it is nil (fields the protocol always carries, e.g. a pid not known).
    public mutating func nullable<T: WireValue>(_ key: String, _ value: T?) {
        object[key] = value?.wire ?? .null
    }

    /// Writes `value` unless it equals `omitted` (a default the protocol leaves out).
    public mutating func callAsFunction<T: WireValue>(_ key: String, _ value: T, omittingIf omitted: T) {
        if value != omitted { object[key] = value.wire }
    }

    /// Copies every field of another object (an open-ended body that keeps fields a later version adds).
    public mutating func merge(_ other: JSONObject) {
        for (key, value) in other where object[key] == nil { object[key] = value }
    }
}

/// A message body with no fields (`{}`); what commands without arguments take.
public struct NoFields: WireObject, Hashable {
    public init() {}
    public init(from reader: WireReader) {}
    public func write(to writer: inout WireWriter) {}
}
