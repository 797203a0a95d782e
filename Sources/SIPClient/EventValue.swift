import Wire

/// A JSON value from an event's payload (the bus's `JSONValue`). Typed payloads cover the fields this version
/// knows; `EventValue` carries whatever a later version adds, so nothing is lost.
public typealias EventValue = JSONValue

/// Typed reads of an event's `data`, tolerant of missing fields (a field may be optional or added later).
extension Dictionary where Key == String, Value == JSONValue {
    func string(_ key: String) -> String? { self[key]?.stringValue }
    func int(_ key: String) -> Int? { self[key]?.intValue ?? self[key]?.doubleValue.map { Int($0) } }
    func double(_ key: String) -> Double? { self[key]?.doubleValue }
    func bool(_ key: String) -> Bool? { self[key]?.boolValue }
}
