/// Encodes a `SIPMessage` to wire bytes.
///
/// Why canonical output: whatever the peer sent (compact names, odd case, folded
/// lines, a wrong or missing Content-Length), what we send is predictable:
/// `Name: value` with CRLF, one Content-Length that always equals the body size
/// (RFC 3261 §18.3, §20.14), and an empty line before the body. Header order and
/// values are kept, so parse→serialize→parse is stable.
public struct SIPSerializer: Sendable {
    public struct Options: Sendable, Hashable {
        /// Write compact forms ("v", "f", ...) where one exists, to save bytes on UDP (§7.3.3).
        public var useCompactNames: Bool
        /// Write each field's name exactly as received instead of the canonical long form.
        public var preserveReceivedNames: Bool

        public init(useCompactNames: Bool = false, preserveReceivedNames: Bool = false) {
            self.useCompactNames = useCompactNames
            self.preserveReceivedNames = preserveReceivedNames
        }

        public static let canonical = Options()
    }

    public var options: Options

    public init(options: Options = .canonical) { self.options = options }

    /// Serializes `message`. Content-Length is replaced (or added at the end of the
    /// header block) with the actual body size.
    public func serialize(_ message: SIPMessage) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512 + message.body.count + message.headers.count * 48)
        out += message.startLine.description.utf8
        out += crlf
        var wroteLength = false
        for field in message.headers {
            if field.name == .contentLength {
                guard !wroteLength else { continue }
                wroteLength = true
                writeField(name(for: field), String(message.body.count), into: &out)
                continue
            }
            writeField(name(for: field), field.value, into: &out)
        }
        if !wroteLength {
            let n = options.useCompactNames ? "l" : SIPHeaderName.contentLength.canonical
            writeField(n, String(message.body.count), into: &out)
        }
        out += crlf
        out += message.body
        return out
    }

    /// Serializes to a String (lossy if the body is not UTF-8); for logs and tests.
    public func serializeToString(_ message: SIPMessage) -> String {
        String(decoding: serialize(message), as: UTF8.self)
    }

    private let crlf: [UInt8] = [0x0D, 0x0A]

    private func name(for field: SIPHeaderField) -> String {
        if options.preserveReceivedNames { return field.receivedName }
        if options.useCompactNames, let c = field.name.compactForm { return c }
        return field.name.canonical
    }

    private func writeField(_ name: String, _ value: String, into out: inout [UInt8]) {
        out += name.utf8
        out += [UInt8(ascii: ":"), 0x20]
        // CR/LF would inject header lines; `value` is public, so sanitize here too.
        out += SIPHeaderField.sanitized(value).utf8
        out += crlf
    }
}

extension SIPMessage {
    /// Canonical wire bytes; see `SIPSerializer`.
    public func serialized(options: SIPSerializer.Options = .canonical) -> [UInt8] {
        SIPSerializer(options: options).serialize(self)
    }
}
