/// Hard ceilings applied while parsing untrusted input.
///
/// Why: a softphone listens on the open network. Every loop and every buffer in the
/// parsers is bounded by one of these numbers so a hostile peer cannot make us
/// allocate or spin without bound. Exceeding any of them is a typed
/// `SIPParseError`, never a trap. The defaults fit every real SIP message we know
/// of (RFC 4475 `longreq` included) with a wide margin.
public struct SIPParserLimits: Sendable, Hashable {
    /// Whole message (start line + headers + body). UDP datagrams cannot exceed 64 KiB anyway.
    public var maxMessageSize: Int
    /// Number of header fields (physical header lines after unfolding).
    public var maxHeaderCount: Int
    /// One physical line, CRLF excluded (start line or header line).
    public var maxLineLength: Int
    /// One header value after unfolding continuation lines.
    public var maxHeaderValueLength: Int
    /// Message body.
    public var maxBodySize: Int
    /// `;param` entries in one URI.
    public var maxURIParameters: Int
    /// `?hname=hvalue` entries in one URI.
    public var maxURIHeaders: Int
    /// `;param` entries on one header value (Via, Contact, From, ...).
    public var maxHeaderParameters: Int
    /// Comma-separated values within one header field.
    public var maxValuesPerHeader: Int

    public init(
        maxMessageSize: Int = 65_536,
        maxHeaderCount: Int = 256,
        maxLineLength: Int = 8_192,
        maxHeaderValueLength: Int = 8_192,
        maxBodySize: Int = 65_536,
        maxURIParameters: Int = 32,
        maxURIHeaders: Int = 16,
        maxHeaderParameters: Int = 32,
        maxValuesPerHeader: Int = 64
    ) {
        self.maxMessageSize = maxMessageSize
        self.maxHeaderCount = maxHeaderCount
        self.maxLineLength = maxLineLength
        self.maxHeaderValueLength = maxHeaderValueLength
        self.maxBodySize = maxBodySize
        self.maxURIParameters = maxURIParameters
        self.maxURIHeaders = maxURIHeaders
        self.maxHeaderParameters = maxHeaderParameters
        self.maxValuesPerHeader = maxValuesPerHeader
    }

    /// The defaults documented on each property.
    public static let `default` = SIPParserLimits()
}
