/// JSON forms of the scalar types messages use. Integers must be integral and in range ("must be an integer
/// 0...65535"), so a port of 70000 or 1.5 is an error that names the field, never a truncation.

extension String: WireValue {
    public init(wire json: JSONValue, at path: WirePath) throws(WireError) {
        guard case .string(let s) = json else { throw path.error("field '\(path.here)' must be a string") }
        self = s
    }
    public var wire: JSONValue { .string(self) }
}

extension Bool: WireValue {
    public init(wire json: JSONValue, at path: WirePath) throws(WireError) {
        guard case .bool(let b) = json else { throw path.error("field '\(path.here)' must be true or false") }
        self = b
    }
    public var wire: JSONValue { .bool(self) }
}

extension Double: WireValue {
    public init(wire json: JSONValue, at path: WirePath) throws(WireError) {
        guard case .number(let n) = json else { throw path.error("field '\(path.here)' must be a number") }
        self = n
    }
    public var wire: JSONValue { .number(self) }
}

/// Integers of every width share one check.
public protocol WireInteger: WireValue, FixedWidthInteger {}

extension WireInteger {
    public init(wire json: JSONValue, at path: WirePath) throws(WireError) {
        guard case .number(let n) = json, n.rounded() == n else { throw path.error("field '\(path.here)' must be an integer") }
        guard let value = Self(exactly: n) else {
            throw path.error("field '\(path.here)' must be an integer \(Self.min)...\(Self.max)")
        }
        self = value
    }
    public var wire: JSONValue { .number(Double(self)) }
}

extension Int: WireInteger {}
extension Int32: WireInteger {}
extension Int64: WireInteger {}
extension UInt8: WireInteger {}
extension UInt16: WireInteger {}
extension UInt32: WireInteger {}
extension UInt64: WireInteger {}

/// Any JSON: for the few fields the protocol leaves open (a probe's token, a forwarded result).
extension JSONValue: WireValue {
    public init(wire json: JSONValue, at path: WirePath) { self = json }
    public var wire: JSONValue { self }
}

extension Array: WireValue where Element: WireValue {
    public init(wire json: JSONValue, at path: WirePath) throws(WireError) {
        guard case .array(let items) = json else { throw path.error("field '\(path.here)' must be an array") }
        var out: [Element] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() { out.append(try Element(wire: item, at: path.appending(index: i))) }
        self = out
    }
    public var wire: JSONValue { .array(map(\.wire)) }
}

/// An object used as a map (`{CALL: port}`), every value of one type.
extension Dictionary: WireValue where Key == String, Value: WireValue {
    public init(wire json: JSONValue, at path: WirePath) throws(WireError) {
        guard case .object(let object) = json else { throw path.error("field '\(path.here)' must be an object") }
        var out: [String: Value] = [:]
        out.reserveCapacity(object.count)
        for (key, value) in object { out[key] = try Value(wire: value, at: path.appending(key)) }
        self = out
    }
    public var wire: JSONValue { .object(mapValues(\.wire)) }
}

/// A string-valued enum or growable struct (states, directions, codec names).
public protocol WireString: WireValue, RawRepresentable where RawValue == String {
    /// The values this build knows, for the error message (empty: any string is accepted).
    static var known: [Self] { get }
}

extension WireString {
    public static var known: [Self] { [] }

    public init(wire json: JSONValue, at path: WirePath) throws(WireError) {
        guard case .string(let s) = json else { throw path.error("field '\(path.here)' must be a string") }
        guard let value = Self(rawValue: s) else {
            throw path.error("field '\(path.here)' must be one of \(Self.known.map(\.rawValue).joined(separator: ", ")), not '\(s.prefix(64))'")
        }
        self = value
    }
    public var wire: JSONValue { .string(rawValue) }
}
