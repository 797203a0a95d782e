/// Canonical serialization: RFC 4566 line order, CRLF endings, single spaces.
///
/// Uninterpreted lines are placed at their RFC-mandated position by type letter so
/// output is always well-ordered even after programmatic edits.
extension SessionDescription {
    public func serialize() -> String {
        var out = ""
        func emit(_ type: Character, _ value: String) { out += "\(type)=\(value)\r\n" }
        func emitOthers(_ lines: [SDPLine], _ types: Set<Character>) {
            for l in lines where types.contains(l.type) { emit(l.type, l.value) }
        }
        let o = origin
        emit("v", String(version))
        emit("o", "\(o.username) \(o.sessionID) \(o.sessionVersion) \(o.networkType) \(o.addressType) \(o.address)")
        emit("s", sessionName)
        emitOthers(otherLines, ["i", "u", "e", "p"])
        if let connection { emit("c", connection.lineValue) }
        emitOthers(otherLines, ["b"])
        emit("t", "\(timing.start) \(timing.stop)")
        let known: Set<Character> = ["i", "u", "e", "p", "b"]
        // t/r/z and any unknown letters follow the first t= in original order.
        for l in otherLines where !known.contains(l.type) { emit(l.type, l.value) }
        for a in attributes { emit("a", a.lineValue) }
        for m in media {
            let port = m.portCount.map { "\(m.port)/\($0)" } ?? String(m.port)
            emit("m", ([m.type, port, m.proto] + m.formats).joined(separator: " "))
            emitOthers(m.otherLines, ["i"])
            if let c = m.connection { emit("c", c.lineValue) }
            for l in m.otherLines where l.type != "i" { emit(l.type, l.value) }
            for a in m.attributes { emit("a", a.lineValue) }
        }
        return out
    }
}

extension Connection {
    var lineValue: String { "\(networkType) \(addressType) \(address)" }
}

extension Attribute {
    var lineValue: String { value.map { "\(name):\($0)" } ?? name }
}
