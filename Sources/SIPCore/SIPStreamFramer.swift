/// Frames SIP messages out of a TCP/TLS byte stream (RFC 3261 §18.3).
///
/// Why this shape: it mirrors SwiftNIO's `ByteToMessageDecoder` so the transport
/// adapter can call it from `decode(context:buffer:)`, yet it has no NIO
/// dependency and is tested without sockets. Each call answers one question:
/// can one whole message be taken off the front of `buffer`? If so it is removed
/// and returned; otherwise nothing is consumed (except keep-alive CR/LF).
///
/// Rules: leading CRLFs are keep-alives (RFC 5626 §4.4.1) and skipped;
/// Content-Length is mandatory on streams; any framing error is fatal for the
/// connection (the stream position is lost), so after a throw the caller should
/// close the connection. Memory is bounded by `SIPParserLimits.maxMessageSize`.
public struct SIPStreamFramer: Sendable {
    public enum DecodingResult: Sendable, Hashable {
        /// One complete message was removed from the front of the buffer.
        case message(SIPMessage)
        /// Not enough bytes yet; call again when more arrive.
        case needMoreData
    }

    public let parser: SIPMessageParser
    /// Count of CR/LF bytes skipped between messages (keep-alive pings and pongs).
    public private(set) var skippedKeepAliveBytes: Int = 0

    private struct Pending: Sendable, Hashable {
        var head: SIPMessage
        var bodyStart: Int   // relative to buffer start
        var bodyLength: Int
    }

    private var scanner: HeaderEndScanner? = nil
    private var scanBase: Int = 0
    private var pending: Pending? = nil

    public init(limits: SIPParserLimits = .default) {
        parser = SIPMessageParser(limits: limits)
    }

    /// Forgets partial progress (e.g. after the caller replaced the buffer).
    public mutating func reset() {
        scanner = nil
        pending = nil
    }

    /// Decodes from an array buffer; consumed bytes are removed from its front.
    public mutating func decode(buffer: inout [UInt8]) throws(SIPParseError) -> DecodingResult {
        var slice = buffer[...]
        let before = slice.startIndex
        let result = try decode(buffer: &slice)
        let consumed = slice.startIndex - before
        if consumed > 0 { buffer.removeFirst(consumed) }
        return result
    }

    /// Decodes from a slice; consumed bytes are dropped by advancing its start (O(1)).
    public mutating func decode(buffer: inout ArraySlice<UInt8>) throws(SIPParseError) -> DecodingResult {
        let limits = parser.limits
        if scanner == nil && pending == nil {
            // Between messages: swallow keep-alive CR/LF.
            var i = buffer.startIndex
            while i < buffer.endIndex, buffer[i] == 0x0D || buffer[i] == 0x0A { i += 1 }
            skippedKeepAliveBytes &+= i - buffer.startIndex
            buffer = buffer[i...]
            guard !buffer.isEmpty else { return .needMoreData }
            scanner = HeaderEndScanner(start: buffer.startIndex)
            scanBase = buffer.startIndex
        }
        if scanBase != buffer.startIndex {
            // The caller moved the buffer under us; start this message over.
            scanner = HeaderEndScanner(start: buffer.startIndex)
            scanBase = buffer.startIndex
            pending = nil
        }
        if pending == nil {
            guard var sc = scanner else { return .needMoreData }
            let found = try sc.scan(buffer, maxLine: limits.maxLineLength)
            scanner = sc
            guard let (headEnd, bodyStart) = found else {
                guard buffer.count <= limits.maxMessageSize else { throw SIPParseError(.messageTooLarge) }
                return .needMoreData
            }
            guard bodyStart - buffer.startIndex <= limits.maxMessageSize else { throw SIPParseError(.messageTooLarge) }
            let head = try parser.parseHead(buffer, start: buffer.startIndex, headEnd: headEnd)
            guard let length = try parser.declaredContentLength(head) else {
                throw SIPParseError(.missingContentLength)
            }
            guard bodyStart - buffer.startIndex + length <= limits.maxMessageSize else {
                throw SIPParseError(.messageTooLarge)
            }
            pending = Pending(head: head, bodyStart: bodyStart - buffer.startIndex, bodyLength: length)
        }
        guard let p = pending else { return .needMoreData }
        let bodyStart = buffer.startIndex + p.bodyStart
        guard buffer.endIndex - bodyStart >= p.bodyLength else { return .needMoreData }
        var msg = p.head
        msg.body = Array(buffer[bodyStart..<(bodyStart + p.bodyLength)])
        buffer = buffer[(bodyStart + p.bodyLength)...]
        scanner = nil
        pending = nil
        return .message(msg)
    }
}
