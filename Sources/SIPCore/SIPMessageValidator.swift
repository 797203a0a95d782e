/// Minimal semantic checks a UA core runs before acting on a parsed message
/// (RFC 3261 §8.1.1, §8.2, §16.3).
///
/// Why separate from parsing: a proxy or logger may want to carry a message whose
/// CSeq is odd; a UAS must not act on it. Validation parses every header the
/// transaction and dialog layers rely on, so the layers above can use the typed
/// accessors without re-checking. The first defect found is thrown; its
/// `reasonPhrase` and `suggestedStatusCode` feed `SIPErrorResponse`.
public struct SIPValidationOptions: Sendable, Hashable {
    /// RFC 3261 §8.1.1 requires Max-Forwards in requests. RFC 2543 peers omit it
    /// (RFC 4475 `inv2543`); set false to accept them, as §16.3 lets proxies do.
    public var requireMaxForwards: Bool
    /// Reject a Date header that is not an RFC 1123 GMT date (RFC 4475 `baddate`).
    public var validateDate: Bool
    /// Reject URI headers (`?Route=...`) in the Request-URI (RFC 3261 §19.1.1 table,
    /// RFC 4475 `escruri`).
    public var rejectRequestURIHeaders: Bool

    public init(requireMaxForwards: Bool = true, validateDate: Bool = true, rejectRequestURIHeaders: Bool = true) {
        self.requireMaxForwards = requireMaxForwards
        self.validateDate = validateDate
        self.rejectRequestURIHeaders = rejectRequestURIHeaders
    }

    public static let strict = SIPValidationOptions()
}

public enum SIPMessageValidator {
    /// Throws the first defect found, or returns normally.
    public static func validate(_ m: SIPMessage, options: SIPValidationOptions = .strict,
                                limits: SIPParserLimits = .default) throws(SIPParseError) {
        guard m.startLine.version == "SIP/2.0" else { throw SIPParseError(.unsupportedVersion) }
        if case .request(let method, let uri, _) = m.startLine {
            guard method.isValidToken else { throw SIPParseError(.badStartLine, detail: "bad method") }
            if options.rejectRequestURIHeaders, !uri.headers.isEmpty {
                throw SIPParseError(.badRequestURI, detail: "headers not allowed in Request-URI")
            }
        }
        // Presence and uniqueness of the single-valued mandatory headers.
        guard m.contains(.via) else { throw SIPParseError(.missingHeader, header: "Via") }
        for name in [SIPHeaderName.cseq, .callID, .from, .to] {
            let n = m.fields(name).count
            guard n > 0 else { throw SIPParseError(.missingHeader, header: name.canonical) }
            guard n == 1 else { throw SIPParseError(.duplicateHeader, header: name.canonical) }
        }
        // Grammar of each, CSeq first: RFC 4475 scalar02 expects the CSeq complaint.
        guard let cseq = try m.cseq() else { throw SIPParseError(.missingHeader, header: "CSeq") }
        let vias = try m.vias(limits: limits)
        guard !vias.isEmpty else { throw SIPParseError(.missingHeader, header: "Via") }
        _ = try m.callID()
        _ = try m.from(limits: limits)
        _ = try m.to(limits: limits)
        if m.contains(.contentLength) { _ = try m.contentLength(limits: limits) }
        if m.contains(.contentType) { _ = try m.contentType(limits: limits) }

        if case .request(let method, _, _) = m.startLine {
            let mf = m.fields(.maxForwards).count
            if mf == 0, options.requireMaxForwards {
                throw SIPParseError(.missingHeader, header: "Max-Forwards")
            }
            guard mf <= 1 else { throw SIPParseError(.duplicateHeader, header: "Max-Forwards") }
            _ = try m.maxForwards()
            guard cseq.method == method else {
                throw SIPParseError(.cseqMethodMismatch, detail: "\(method) vs \(cseq.method)")
            }
            _ = try m.routes(limits: limits)
            if options.validateDate, m.contains(.date) { _ = try m.date() }
        }
        if m.contains(.contact) { _ = try m.contacts(limits: limits) }
        _ = try m.recordRoutes(limits: limits)
    }

    /// Convenience: true when `validate` does not throw.
    public static func isValid(_ m: SIPMessage, options: SIPValidationOptions = .strict) -> Bool {
        (try? validate(m, options: options)) != nil
    }
}
