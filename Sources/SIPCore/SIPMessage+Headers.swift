/// Typed, on-demand views of the headers a SIP element actually acts on.
///
/// Why on demand: parsing is cheap but not free, and a message must not be
/// rejected because of a header the caller never reads (RFC 4475 `wsinv`'s
/// `UnknownHeaderWithUnusualValue`). Each accessor returns nil when the header is
/// absent and throws `SIPParseError` (naming the header) when it is malformed.
extension SIPMessage {
    /// Every Via value, topmost first, across all Via fields.
    public func vias(limits: SIPParserLimits = .default) throws(SIPParseError) -> [SIPVia] {
        var out: [SIPVia] = []
        for f in headers where f.name == .via {
            out += try SIPVia.parseList(f.value, limits: limits)
            guard out.count <= limits.maxHeaderCount else { throw SIPParseError(.tooManyValues, header: "Via") }
        }
        return out
    }

    /// The topmost Via, parsing only the first field.
    public func topVia(limits: SIPParserLimits = .default) throws(SIPParseError) -> SIPVia? {
        guard let v = firstValue(.via) else { return nil }
        let first = try SIPHeaderSplitter.split(v, header: "Via", limits: limits).first ?? ""
        return try SIPVia.parse(first, limits: limits)
    }

    public func from(limits: SIPParserLimits = .default) throws(SIPParseError) -> SIPAddress? {
        try address(.from, limits: limits)
    }

    public func to(limits: SIPParserLimits = .default) throws(SIPParseError) -> SIPAddress? {
        try address(.to, limits: limits)
    }

    /// Parses the first field of a single-valued address header (From, To, Reply-To, Refer-To...).
    public func address(_ name: SIPHeaderName, limits: SIPParserLimits = .default) throws(SIPParseError) -> SIPAddress? {
        guard let v = firstValue(name) else { return nil }
        return try SIPAddress.parse(v, header: name.canonical, limits: limits)
    }

    public func callID() throws(SIPParseError) -> String? {
        guard let v = firstValue(.callID) else { return nil }
        return try SIPScalar.parseCallID(v)
    }

    public func cseq() throws(SIPParseError) -> SIPCSeq? {
        guard let v = firstValue(.cseq) else { return nil }
        return try SIPCSeq.parse(v)
    }

    public func maxForwards() throws(SIPParseError) -> UInt8? {
        guard let v = firstValue(.maxForwards) else { return nil }
        return try SIPScalar.parseMaxForwards(v)
    }

    /// Every Contact value across all Contact fields.
    public func contacts(limits: SIPParserLimits = .default) throws(SIPParseError) -> [SIPContact] {
        var out: [SIPContact] = []
        for f in headers where f.name == .contact {
            out += try SIPContact.parseList(f.value, limits: limits)
        }
        if out.count > 1, out.contains(.wildcard) {
            throw SIPParseError(.badHeader, header: "Contact", detail: "'*' mixed with addresses")
        }
        return out
    }

    /// Route set, in order (RFC 3261 §20.34).
    public func routes(limits: SIPParserLimits = .default) throws(SIPParseError) -> [SIPAddress] {
        try addressList(.route, limits: limits)
    }

    /// Record-Route set, in order (RFC 3261 §20.30).
    public func recordRoutes(limits: SIPParserLimits = .default) throws(SIPParseError) -> [SIPAddress] {
        try addressList(.recordRoute, limits: limits)
    }

    /// All values of a list of addresses (Route, Record-Route, Path, Service-Route, ...).
    public func addressList(_ name: SIPHeaderName, limits: SIPParserLimits = .default) throws(SIPParseError) -> [SIPAddress] {
        var out: [SIPAddress] = []
        for v in try values(name, limits: limits) {
            guard !v.isEmpty else { throw SIPParseError(.badHeader, header: name.canonical, detail: "empty value") }
            out.append(try SIPAddress.parse(v, header: name.canonical, limits: limits))
        }
        return out
    }

    /// Content-Length value as received (the serializer recomputes it from `body`).
    public func contentLength(limits: SIPParserLimits = .default) throws(SIPParseError) -> Int? {
        let all = fields(.contentLength)
        guard let first = all.first else { return nil }
        guard all.count == 1 else { throw SIPParseError(.multipleContentLength) }
        return try SIPScalar.parseContentLength(first.value, max: limits.maxBodySize)
    }

    public func contentType(limits: SIPParserLimits = .default) throws(SIPParseError) -> SIPMediaType? {
        guard let v = firstValue(.contentType) else { return nil }
        return try SIPMediaType.parse(v, limits: limits)
    }

    /// Accept media ranges (RFC 3261 §20.1).
    public func accept(limits: SIPParserLimits = .default) throws(SIPParseError) -> [SIPMediaType] {
        var out: [SIPMediaType] = []
        for v in try values(.accept, limits: limits) where !v.isEmpty {
            out.append(try SIPMediaType.parse(v, header: "Accept", limits: limits))
        }
        return out
    }

    public func expires() throws(SIPParseError) -> UInt32? {
        guard let v = firstValue(.expires) else { return nil }
        return try SIPScalar.parseExpires(v)
    }

    /// Allow: methods the sender supports.
    public func allow() throws(SIPParseError) -> [SIPMethod] {
        try SIPScalar.parseTokenList(try values(.allow), header: "Allow").map { SIPMethod($0) }
    }

    /// Supported option tags (RFC 3261 §20.37); empty field allowed.
    public func supported() throws(SIPParseError) -> [String] {
        try SIPScalar.parseTokenList(try values(.supported), header: "Supported")
    }

    /// Require option tags (RFC 3261 §20.32).
    public func require() throws(SIPParseError) -> [String] {
        try SIPScalar.parseTokenList(try values(.require), header: "Require")
    }

    /// Proxy-Require option tags (RFC 3261 §20.29).
    public func proxyRequire() throws(SIPParseError) -> [String] {
        try SIPScalar.parseTokenList(try values(.proxyRequire), header: "Proxy-Require")
    }

    /// Unsupported option tags (RFC 3261 §20.40).
    public func unsupported() throws(SIPParseError) -> [String] {
        try SIPScalar.parseTokenList(try values(.unsupported), header: "Unsupported")
    }

    /// One challenge per WWW-Authenticate field.
    public func wwwAuthenticate(limits: SIPParserLimits = .default) throws(SIPParseError) -> [SIPChallenge] {
        try auth(.wwwAuthenticate, limits: limits)
    }

    /// One challenge per Proxy-Authenticate field.
    public func proxyAuthenticate(limits: SIPParserLimits = .default) throws(SIPParseError) -> [SIPChallenge] {
        try auth(.proxyAuthenticate, limits: limits)
    }

    /// One set of credentials per Authorization field.
    public func authorization(limits: SIPParserLimits = .default) throws(SIPParseError) -> [SIPCredentials] {
        try auth(.authorization, limits: limits)
    }

    /// One set of credentials per Proxy-Authorization field.
    public func proxyAuthorization(limits: SIPParserLimits = .default) throws(SIPParseError) -> [SIPCredentials] {
        try auth(.proxyAuthorization, limits: limits)
    }

    private func auth(_ name: SIPHeaderName, limits: SIPParserLimits) throws(SIPParseError) -> [SIPAuthHeader] {
        var out: [SIPAuthHeader] = []
        for f in headers where f.name == name {
            out.append(try SIPAuthHeader.parse(f.value, header: name.canonical, limits: limits))
        }
        return out
    }

    public func date() throws(SIPParseError) -> SIPDate? {
        guard let v = firstValue(.date) else { return nil }
        return try SIPDate.parse(v)
    }
}
