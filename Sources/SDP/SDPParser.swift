/// Strict-where-it-matters, lenient-where-harmless SDP parser (RFC 4566).
///
/// Structural lines the softphone depends on (v, o, s, t, c, m) are validated and
/// produce typed errors; attributes are kept raw so unknown or slightly odd peers
/// (e.g. an rtpmap for a payload type not in the m= line) still interoperate.
/// Hard limits bound memory/CPU on hostile input; no code path traps.
public enum SDPParser {
    /// Resource limits applied before and during parsing.
    public struct Limits: Sendable, Hashable {
        public var maxBytes: Int
        public var maxLineLength: Int
        public var maxMediaSections: Int
        public init(maxBytes: Int = 64 * 1024, maxLineLength: Int = 4096, maxMediaSections: Int = 64) {
            self.maxBytes = maxBytes
            self.maxLineLength = maxLineLength
            self.maxMediaSections = maxMediaSections
        }
        public static let `default` = Limits()
    }

    public static func parse(_ text: String, limits: Limits = .default) throws(SDPParseError) -> SessionDescription {
        try parse(Array(text.utf8), limits: limits)
    }

    public static func parse(_ bytes: [UInt8], limits: Limits = .default) throws(SDPParseError) -> SessionDescription {
        guard bytes.count <= limits.maxBytes else {
            throw .tooLarge(size: bytes.count, limit: limits.maxBytes)
        }
        var lines: [(number: Int, type: Character, value: String)] = []
        var number = 0
        for raw in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            number += 1
            var line = raw[...]
            if line.last == 0x0D { line = line.dropLast() }
            guard line.count <= limits.maxLineLength else {
                throw .lineTooLong(line: number, length: line.count, limit: limits.maxLineLength)
            }
            if line.isEmpty { continue } // tolerate blank lines / trailing newline
            guard line.count >= 2, let first = line.first, first >= 0x61, first <= 0x7A,
                  line[line.startIndex + 1] == 0x3D else { throw .malformedLine(line: number) }
            guard let value = String(validating: line.dropFirst(2), as: UTF8.self) else {
                throw .invalidEncoding
            }
            lines.append((number, Character(Unicode.Scalar(first)), value))
        }
        return try build(lines, limits: limits)
    }

    private static func build(_ lines: [(number: Int, type: Character, value: String)],
                              limits: Limits) throws(SDPParseError) -> SessionDescription {
        guard let first = lines.first else { throw .empty }
        guard first.type == "v" else { throw .missingVersion(line: first.number) }
        guard first.value == "0" else { throw .unsupportedVersion(line: first.number, value: first.value) }

        var origin: Origin?
        var name: String?
        var timing: Timing?
        var connection: Connection?
        var attributes: [Attribute] = []
        var other: [SDPLine] = []
        var media: [MediaDescription] = []

        for (n, type, value) in lines.dropFirst() {
            if type == "m" {
                guard media.count < limits.maxMediaSections else {
                    throw .tooManyMediaSections(line: n, limit: limits.maxMediaSections)
                }
                media.append(try parseMedia(value, line: n))
                continue
            }
            if var m = media.popLast() {
                defer { media.append(m) }
                switch type {
                case "c":
                    guard m.connection == nil else { throw .duplicateField(line: n, type: type) }
                    m.connection = try parseConnection(value, line: n)
                case "a": m.attributes.append(try parseAttribute(value, line: n))
                case "v", "o", "s", "u", "e", "p", "t", "r", "z":
                    throw .unexpectedLine(line: n, type: type)
                default: m.otherLines.append(SDPLine(type: type, value: value))
                }
                continue
            }
            switch type {
            case "v": throw .duplicateField(line: n, type: type)
            case "o":
                guard origin == nil else { throw .duplicateField(line: n, type: type) }
                origin = try parseOrigin(value, line: n)
            case "s":
                guard name == nil else { throw .duplicateField(line: n, type: type) }
                name = value
            case "t":
                // Extra t= lines (rare multi-interval sessions) are preserved, not modelled.
                guard timing == nil else { other.append(SDPLine(type: type, value: value)); continue }
                timing = try parseTiming(value, line: n)
            case "c":
                guard connection == nil else { throw .duplicateField(line: n, type: type) }
                connection = try parseConnection(value, line: n)
            case "a": attributes.append(try parseAttribute(value, line: n))
            default: other.append(SDPLine(type: type, value: value))
            }
        }
        guard let origin else { throw .missingField("o") }
        guard let name else { throw .missingField("s") }
        guard let timing else { throw .missingField("t") }
        return SessionDescription(version: 0, origin: origin, sessionName: name, connection: connection,
                                  timing: timing, attributes: attributes, media: media, otherLines: other)
    }

    private static func fields(_ value: String) -> [Substring] {
        value.split(separator: " ", omittingEmptySubsequences: true)
    }

    static func parseOrigin(_ value: String, line: Int) throws(SDPParseError) -> Origin {
        let f = fields(value)
        guard f.count == 6, let id = UInt64(digits: f[1]), let ver = UInt64(digits: f[2]) else {
            throw .invalidOrigin(line: line)
        }
        return Origin(username: String(f[0]), sessionID: id, sessionVersion: ver,
                      networkType: String(f[3]), addressType: String(f[4]), address: String(f[5]))
    }

    static func parseConnection(_ value: String, line: Int) throws(SDPParseError) -> Connection {
        let f = fields(value)
        guard f.count == 3 else { throw .invalidConnection(line: line) }
        return Connection(networkType: String(f[0]), addressType: String(f[1]), address: String(f[2]))
    }

    static func parseTiming(_ value: String, line: Int) throws(SDPParseError) -> Timing {
        let f = fields(value)
        guard f.count == 2, let start = UInt64(digits: f[0]), let stop = UInt64(digits: f[1]) else {
            throw .invalidTiming(line: line)
        }
        return Timing(start: start, stop: stop)
    }

    static func parseAttribute(_ value: String, line: Int) throws(SDPParseError) -> Attribute {
        if let colon = value.firstIndex(of: ":") {
            let name = value[..<colon]
            guard !name.isEmpty else { throw .invalidAttribute(line: line) }
            return Attribute(String(name), String(value[value.index(after: colon)...]))
        }
        guard !value.isEmpty else { throw .invalidAttribute(line: line) }
        return Attribute(value)
    }

    static func parseMedia(_ value: String, line: Int) throws(SDPParseError) -> MediaDescription {
        let f = fields(value)
        guard f.count >= 4 else { throw .invalidMedia(line: line) }
        let portParts = f[1].split(separator: "/", omittingEmptySubsequences: false)
        guard portParts.count <= 2, let port = UInt16(digits: portParts[0]) else {
            throw .invalidMediaPort(line: line, value: String(f[1]))
        }
        var count: Int?
        if portParts.count == 2 {
            guard let c = Int(digits: portParts[1]), c >= 1, c <= 65535 else {
                throw .invalidMediaPort(line: line, value: String(f[1]))
            }
            count = c
        }
        return MediaDescription(type: String(f[0]), port: port, portCount: count, proto: String(f[2]),
                                formats: f[3...].map(String.init))
    }
}
