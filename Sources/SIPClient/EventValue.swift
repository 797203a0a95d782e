import Wire

/// A JSON value from an event's payload (the bus's `JSONValue`). Typed payloads cover the fields this version
/// knows; `EventValue` carries whatever a later version adds, so nothing is lost.
public typealias EventValue = JSONValue
