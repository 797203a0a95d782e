/// Builds the stateless error response (usually 400) for a request we could not
/// accept, naming the defect in the Reason-Phrase.
///
/// Why best-effort on raw bytes: when parsing fails we have no `SIPMessage`, yet
/// RFC 3261 §8.2 and RFC 4475 still want a 400 so the client stops
/// retransmitting. The response must copy Via, From, To, Call-ID and CSeq
/// (§8.2.6.2), so we scan the raw header lines leniently for just those.
///
/// Policy: never answer a response or an ACK (§17.1.1.3); require at least one
/// Via (to route the answer) and a CSeq (the client matches transactions on
/// branch + CSeq method, §17.1.3). Without them the request is unanswerable and
/// `nil` is returned: drop it.
public enum SIPErrorResponse {
    static let copied: [SIPHeaderName] = [.via, .from, .to, .callID, .cseq]

    /// For a request that `SIPMessageParser` rejected.
    /// - Parameter toTag: added to To when it has no tag (§8.2.6.2); nil leaves To as is.
    public static func make(forRawRequest bytes: [UInt8], error: SIPParseError, toTag: String? = nil,
                            limits: SIPParserLimits = .default) -> SIPMessage? {
        let b = bytes.prefix(limits.maxMessageSize)
        var i = b.startIndex
        while i < b.endIndex, b[i] == 0x0D || b[i] == 0x0A { i += 1 }
        var fields: [SIPHeaderField] = []
        var lineNo = 0
        var pendingName: String? = nil
        var pendingValue: [UInt8] = []

        func flush() {
            defer { pendingName = nil; pendingValue.removeAll(keepingCapacity: true) }
            guard let n = pendingName else { return }
            let name = SIPHeaderName(n)
            guard copied.contains(name), let v = String(validating: trimmed(pendingValue), as: UTF8.self) else { return }
            fields.append(SIPHeaderField(name, v))
        }

        while i < b.endIndex, lineNo <= limits.maxHeaderCount {
            let lf = b[i...].firstIndex(of: 0x0A) ?? b.endIndex
            var e = lf
            if e > i, b[e - 1] == 0x0D { e -= 1 }
            let line = b[i..<min(e, i + limits.maxLineLength)]
            i = lf < b.endIndex ? lf + 1 : b.endIndex
            defer { lineNo += 1 }
            if lineNo == 0 {
                guard isRequestLine(line) else { return nil }
                continue
            }
            if line.isEmpty { break }
            if SIPChar.isWSP(line[line.startIndex]) {
                if pendingName != nil, pendingValue.count + line.count <= limits.maxHeaderValueLength {
                    pendingValue += line
                }
                continue
            }
            flush()
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = trimmed(Array(line[line.startIndex..<colon]))
            guard SIPChar.isTokenString(name) else { continue }
            pendingName = String(decoding: name, as: UTF8.self)
            pendingValue = Array(line[(colon + 1)...])
        }
        flush()
        return build(from: fields, error: error, toTag: toTag, limits: limits)
    }

    /// For a request that parsed but failed `SIPMessageValidator` (or the caller's own checks).
    public static func make(for request: SIPMessage, error: SIPParseError, toTag: String? = nil,
                            limits: SIPParserLimits = .default) -> SIPMessage? {
        guard let method = request.method, method != .ack else { return nil }
        return build(from: request.headers.filter { copied.contains($0.name) }, error: error,
                     toTag: toTag, limits: limits)
    }

    /// Assembles the response from candidate fields: all Vias, first of the others.
    static func build(from fields: [SIPHeaderField], error: SIPParseError, toTag: String?,
                      limits: SIPParserLimits) -> SIPMessage? {
        var out: [SIPHeaderField] = fields.filter { $0.name == .via }
        guard !out.isEmpty else { return nil }
        guard let cseq = fields.first(where: { $0.name == .cseq }) else { return nil }
        if let cs = try? SIPCSeq.parse(cseq.value), cs.method == .ack { return nil }
        for name in [SIPHeaderName.from, .to, .callID] {
            guard var f = fields.first(where: { $0.name == name }) else { continue }
            if name == .to, let toTag, let to = try? SIPAddress.parse(f.value, header: "To", limits: limits),
               to.tag == nil {
                f.value += ";tag=" + toTag
            }
            out.append(SIPHeaderField(name, f.value))
        }
        out.append(SIPHeaderField(.cseq, cseq.value))
        return .response(error.suggestedStatusCode, reasonPhrase: error.reasonPhrase, headers: out)
    }

    /// A request line starts with a method token that is not ACK and is not "SIP/...".
    static func isRequestLine(_ line: ArraySlice<UInt8>) -> Bool {
        let first = line.prefix { $0 != 0x20 }
        guard SIPChar.isTokenString(first) else { return false }   // "SIP/2.0" has '/', so responses fail here
        return !first.elementsEqual("ACK".utf8)
    }

    static func trimmed(_ v: [UInt8]) -> ArraySlice<UInt8> {
        var s = 0, e = v.count
        while s < e, SIPChar.isWSP(v[s]) { s += 1 }
        while e > s, SIPChar.isWSP(v[e - 1]) { e -= 1 }
        return v[s..<e]
    }
}
