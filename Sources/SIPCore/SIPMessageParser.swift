/// Turns bytes into a `SIPMessage`: start line, unfolded header fields, body.
///
/// Why split from framing: the datagram path (one message per UDP packet, RFC 3261
/// §18.3) and the stream path (`SIPStreamFramer`, Content-Length framing) differ
/// only in how the body is delimited. Both share `parseHead`, which enforces
/// `SIPParserLimits` line by line so nothing grows without bound.
///
/// This parser checks framing and the *shape* of header lines. Typed header
/// grammar (Via, CSeq, ...) is checked on demand by the accessors and in bulk by
/// `SIPMessageValidator`.
public struct SIPMessageParser: Sendable {
    public var limits: SIPParserLimits

    public init(limits: SIPParserLimits = .default) { self.limits = limits }

    /// Parses one UDP datagram (RFC 3261 §18.3): Content-Length may be absent (the body
    /// is then the rest of the packet); if present and smaller than what is left, the
    /// extra octets are discarded (RFC 4475 `dblreq`); if larger, the message is
    /// rejected with "Content-Length mismatch" (RFC 4475 `clerr`).
    /// Leading CR/LF (keep-alives) are skipped.
    public func parseDatagram(_ bytes: [UInt8]) throws(SIPParseError) -> SIPMessage {
        try parseDatagram(bytes[...])
    }

    public func parseDatagram(_ bytes: UnsafeRawBufferPointer) throws(SIPParseError) -> SIPMessage {
        guard bytes.count <= limits.maxMessageSize else { throw SIPParseError(.messageTooLarge) }
        return try parseDatagram(Array(bytes)[...])
    }

    /// Convenience for text input (tests, tools); datagram semantics.
    public func parse(_ text: String) throws(SIPParseError) -> SIPMessage {
        try parseDatagram(Array(text.utf8)[...])
    }

    public func parseDatagram(_ b: ArraySlice<UInt8>) throws(SIPParseError) -> SIPMessage {
        guard b.count <= limits.maxMessageSize else { throw SIPParseError(.messageTooLarge) }
        var start = b.startIndex
        while start < b.endIndex, b[start] == 0x0D || b[start] == 0x0A { start += 1 }
        guard start < b.endIndex else { throw SIPParseError(.emptyMessage) }
        var scanner = HeaderEndScanner(start: start)
        guard let (headEnd, bodyStart) = try scanner.scan(b, maxLine: limits.maxLineLength) else {
            throw SIPParseError(.truncated, detail: "no empty line after headers")
        }
        var msg = try parseHead(b, start: start, headEnd: headEnd)
        let available = b.endIndex - bodyStart
        let bodyLength: Int
        if let declared = try declaredContentLength(msg) {
            guard declared <= available else {
                throw SIPParseError(.contentLengthMismatch, detail: "declared \(declared), have \(available)")
            }
            bodyLength = declared
        } else {
            bodyLength = available
        }
        guard bodyLength <= limits.maxBodySize else { throw SIPParseError(.bodyTooLarge) }
        msg.body = Array(b[bodyStart..<(bodyStart + bodyLength)])
        return msg
    }

    /// True for a datagram made only of CR/LF (RFC 5626 §4.4.1 keep-alive) or empty.
    public static func isKeepAlive(_ bytes: [UInt8]) -> Bool {
        bytes.allSatisfy { $0 == 0x0D || $0 == 0x0A }
    }

    /// The single Content-Length value, nil when absent; several fields are an error
    /// (RFC 4475 `mcl01`) since framing would be ambiguous.
    func declaredContentLength(_ msg: SIPMessage) throws(SIPParseError) -> Int? {
        var found: Int? = nil
        for f in msg.headers where f.name == .contentLength {
            guard found == nil else { throw SIPParseError(.multipleContentLength) }
            found = try SIPScalar.parseContentLength(f.value, max: limits.maxBodySize)
        }
        return found
    }

    /// Parses the start line and header lines in `b[start..<headEnd]`, where `headEnd` is
    /// the index of the empty line. Header folding (RFC 3261 §7.3.1) is undone by
    /// dropping the line break and keeping the leading whitespace.
    func parseHead(_ b: ArraySlice<UInt8>, start: Int, headEnd: Int) throws(SIPParseError) -> SIPMessage {
        var lineStart = start
        var startLine: SIPStartLine? = nil
        var headers: [SIPHeaderField] = []
        var curName: String? = nil
        var curValue: [UInt8] = []

        func finish() throws(SIPParseError) {
            guard let name = curName else { return }
            var s = 0, e = curValue.count
            while s < e, SIPChar.isWSP(curValue[s]) { s += 1 }
            while e > s, SIPChar.isWSP(curValue[e - 1]) { e -= 1 }
            guard let value = String(validating: curValue[s..<e], as: UTF8.self) else {
                throw SIPParseError(.invalidUTF8, header: SIPHeaderName(name).canonical)
            }
            headers.append(SIPHeaderField(receivedName: name, value: value))
            curName = nil
            curValue.removeAll(keepingCapacity: true)
        }

        while lineStart < headEnd {
            let lf = b[lineStart..<headEnd].firstIndex(of: 0x0A) ?? headEnd
            var lineEnd = lf
            if lineEnd > lineStart, b[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let line = b[lineStart..<lineEnd]
            lineStart = lf + 1
            guard line.count <= limits.maxLineLength else {
                throw SIPParseError(.lineTooLong, header: curName.map { SIPHeaderName($0).canonical })
            }
            if startLine == nil {
                guard String(validating: line, as: UTF8.self) != nil else { throw SIPParseError(.invalidUTF8) }
                startLine = try SIPStartLine.parse(line, limits: limits)
                continue
            }
            if let first = line.first, SIPChar.isWSP(first) {
                // Continuation of the previous header.
                guard curName != nil else {
                    throw SIPParseError(.malformedHeaderLine, detail: "folded line without a header")
                }
                curValue.append(contentsOf: line)
            } else {
                try finish()
                guard headers.count < limits.maxHeaderCount else { throw SIPParseError(.tooManyHeaders) }
                guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                    throw SIPParseError(.malformedHeaderLine, detail: "no colon")
                }
                var nameEnd = colon
                while nameEnd > line.startIndex, SIPChar.isWSP(b[nameEnd - 1]) { nameEnd -= 1 }
                let nameBytes = b[line.startIndex..<nameEnd]
                guard SIPChar.isTokenString(nameBytes) else {
                    throw SIPParseError(.malformedHeaderLine, detail: "bad header name")
                }
                curName = String(decoding: nameBytes, as: UTF8.self)
                var vs = colon + 1
                while vs < line.endIndex, SIPChar.isWSP(b[vs]) { vs += 1 }
                curValue.append(contentsOf: b[vs..<line.endIndex])
            }
            guard curValue.count <= limits.maxHeaderValueLength else {
                throw SIPParseError(.lineTooLong, header: curName.map { SIPHeaderName($0).canonical })
            }
        }
        try finish()
        guard let startLine else { throw SIPParseError(.emptyMessage) }
        return SIPMessage(startLine: startLine, headers: headers)
    }
}

/// Finds the empty line that ends the header section, resumably.
///
/// Why resumable: a stream framer fed one byte at a time must not rescan the
/// whole buffer on every call (quadratic time on a slow-loris peer). It also
/// enforces the line-length limit while waiting, so a peer that never sends LF
/// is cut off after `maxLineLength` bytes instead of filling memory.
struct HeaderEndScanner: Sendable, Hashable {
    private(set) var pos: Int
    private var lineStart: Int

    init(start: Int) {
        pos = start
        lineStart = start
    }

    /// Returns `(headEnd, bodyStart)`: the index of the empty line and the index
    /// just after it; nil when more bytes are needed.
    mutating func scan(_ b: ArraySlice<UInt8>, maxLine: Int) throws(SIPParseError) -> (Int, Int)? {
        while pos < b.endIndex {
            guard let lf = b[pos...].firstIndex(of: 0x0A) else {
                pos = b.endIndex
                break
            }
            var contentEnd = lf
            if contentEnd > lineStart, b[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            guard contentEnd - lineStart <= maxLine else { throw SIPParseError(.lineTooLong) }
            if contentEnd == lineStart { return (lineStart, lf + 1) }
            pos = lf + 1
            lineStart = pos
        }
        // +1 leaves room for a CR that is still waiting for its LF.
        guard pos - lineStart <= maxLine + 1 else { throw SIPParseError(.lineTooLong) }
        return nil
    }
}
