/// The one error type every SIPCore parser throws.
///
/// Why a struct with a `Kind` rather than a bare enum: the set of defects grows as
/// the stack meets new peers, and a struct wrapping an internal enum can gain kinds
/// without breaking exhaustive `switch`es in client code. Each error can render a
/// short human reason usable verbatim as the Reason-Phrase of a 400 (RFC 3261
/// §21.4.1 lets a UAS put a more specific phrase there), and suggests the status
/// code to answer with (400, 505, 513, ...).
public struct SIPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, independent of where.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        enum Base: String, Sendable, Hashable {
            case emptyMessage, badStartLine, badRequestURI, badVersion, unsupportedVersion
            case badStatusCode, malformedHeaderLine, badHeader, missingHeader, duplicateHeader
            case missingContentLength, multipleContentLength, contentLengthMismatch
            case cseqMethodMismatch, messageTooLarge, tooManyHeaders, lineTooLong
            case bodyTooLarge, tooManyParameters, tooManyValues, invalidUTF8, badURI
            case truncated
        }
        let base: Base
        init(_ base: Base) { self.base = base }
        public var description: String { base.rawValue }

        /// Input had no bytes, or only whitespace.
        public static let emptyMessage = Kind(.emptyMessage)
        /// Request-Line or Status-Line does not match the grammar (RFC 3261 §7.1, §7.2).
        public static let badStartLine = Kind(.badStartLine)
        /// The Request-URI could not be parsed or is not allowed there.
        public static let badRequestURI = Kind(.badRequestURI)
        /// The SIP-Version token is not of the form SIP/x.y.
        public static let badVersion = Kind(.badVersion)
        /// Well-formed version other than SIP/2.0: answer 505 (RFC 3261 §8.2.2.3 ... §21.5.7).
        public static let unsupportedVersion = Kind(.unsupportedVersion)
        /// Status-Code is not three digits in 100...699.
        public static let badStatusCode = Kind(.badStatusCode)
        /// A header line without a colon, with an empty/invalid name, or a stray fold.
        public static let malformedHeaderLine = Kind(.malformedHeaderLine)
        /// A header value violates that header's grammar.
        public static let badHeader = Kind(.badHeader)
        /// A header required for this message is absent (RFC 3261 §8.1.1).
        public static let missingHeader = Kind(.missingHeader)
        /// A single-valued header occurs more than once (RFC 4475 §3.4.8).
        public static let duplicateHeader = Kind(.duplicateHeader)
        /// Stream transports need Content-Length (RFC 3261 §18.3, §20.14).
        public static let missingContentLength = Kind(.missingContentLength)
        /// More than one Content-Length: framing is ambiguous (RFC 4475 §3.4.9).
        public static let multipleContentLength = Kind(.multipleContentLength)
        /// Content-Length says more bytes than the datagram holds (RFC 3261 §18.3).
        public static let contentLengthMismatch = Kind(.contentLengthMismatch)
        /// CSeq method differs from the request method (RFC 3261 §8.1.1.5).
        public static let cseqMethodMismatch = Kind(.cseqMethodMismatch)
        /// Whole message larger than `SIPParserLimits.maxMessageSize`.
        public static let messageTooLarge = Kind(.messageTooLarge)
        /// More header fields than `SIPParserLimits.maxHeaderCount`.
        public static let tooManyHeaders = Kind(.tooManyHeaders)
        /// A line or unfolded header value longer than the limits allow.
        public static let lineTooLong = Kind(.lineTooLong)
        /// Body larger than `SIPParserLimits.maxBodySize`.
        public static let bodyTooLarge = Kind(.bodyTooLarge)
        /// More URI or header parameters than the limits allow.
        public static let tooManyParameters = Kind(.tooManyParameters)
        /// More comma-separated values in one header than the limits allow.
        public static let tooManyValues = Kind(.tooManyValues)
        /// Start line or header bytes are not valid UTF-8 (RFC 3261 §7.3.1 TEXT-UTF8).
        public static let invalidUTF8 = Kind(.invalidUTF8)
        /// A URI (outside the Request-URI) does not match its grammar.
        public static let badURI = Kind(.badURI)
        /// Input ended in the middle of a message (datagram without the blank line).
        public static let truncated = Kind(.truncated)
    }

    public var kind: Kind
    /// Canonical name of the header at fault, when there is one (e.g. "CSeq").
    public var headerName: String?
    /// Short diagnostic for logs. Bounded in length; never the whole input.
    public var detail: String?

    public init(_ kind: Kind, header: String? = nil, detail: String? = nil) {
        self.kind = kind
        self.headerName = header
        if let detail, detail.utf8.count > 96 {
            self.detail = String(decoding: detail.utf8.prefix(96), as: UTF8.self) + "..."
        } else {
            self.detail = detail
        }
    }

    /// A Reason-Phrase naming the defect, e.g. "Bad Header: CSeq", "Content-Length mismatch".
    /// Contains only printable ASCII so it can be placed in a Status-Line as is.
    public var reasonPhrase: String {
        let h = headerName.map(Self.sanitize) ?? ""
        func with(_ base: String) -> String { h.isEmpty ? base : "\(base): \(h)" }
        switch kind.base {
        case .emptyMessage: return "Empty Message"
        case .badStartLine: return "Bad Request-Line"
        case .badRequestURI: return "Bad Request-URI"
        case .badVersion: return "Bad SIP-Version"
        case .unsupportedVersion: return "Version Not Supported"
        case .badStatusCode: return "Bad Status-Code"
        case .malformedHeaderLine: return "Malformed Header Line"
        case .badHeader: return with("Bad Header")
        case .missingHeader: return with("Missing Header")
        case .duplicateHeader: return with("Duplicate Header")
        case .missingContentLength: return "Missing Content-Length"
        case .multipleContentLength: return "Multiple Content-Length"
        case .contentLengthMismatch: return "Content-Length mismatch"
        case .cseqMethodMismatch: return "CSeq Method Mismatch"
        case .messageTooLarge: return "Message Too Large"
        case .tooManyHeaders: return "Too Many Headers"
        case .lineTooLong: return with("Line Too Long")
        case .bodyTooLarge: return "Body Too Large"
        case .tooManyParameters: return with("Too Many Parameters")
        case .tooManyValues: return with("Too Many Values")
        case .invalidUTF8: return with("Invalid UTF-8")
        case .badURI: return with("Bad URI")
        case .truncated: return "Truncated Message"
        }
    }

    /// The response code RFC 3261 suggests for this defect in a request.
    public var suggestedStatusCode: Int {
        switch kind.base {
        case .unsupportedVersion: return 505
        case .messageTooLarge, .bodyTooLarge: return 513
        default: return 400
        }
    }

    public var description: String {
        if let detail { return "\(reasonPhrase) (\(detail))" }
        return reasonPhrase
    }

    /// Keep reason phrases to printable ASCII so a hostile header name cannot inject bytes.
    private static func sanitize(_ s: String) -> String {
        var out = ""
        for b in s.utf8.prefix(64) where b >= 0x21 && b <= 0x7E { out.unicodeScalars.append(Unicode.Scalar(b)) }
        return out
    }
}
