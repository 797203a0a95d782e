/// Per-call choices: which codecs to offer (in order) and extra SDP attributes, for the one call they are passed
/// to. Without them a call uses the instance's `sip.codecs` and a plain SDP.
///
///     let call = try await client.call("sip:bob@192.0.2.10",
///                                      options: CallOptions(codecs: [.pcma, .pcmu], sdpAttributes: ["a=x-foo:bar"]))
public struct CallOptions: Sendable, Equatable {
    /// Codecs for this call in order of preference; nil keeps the instance's list.
    public var codecs: [Codec]?
    /// Attributes added to the call's audio stream in our SDP, e.g. `a=x-foo:bar` (the `a=` is optional).
    public var sdpAttributes: [String]
    /// The account (address of record) to call from; nil uses the client's registered identity, if any.
    public var from: String?
    /// Digest credentials for this call only, for a peer that challenges an INVITE without an account.
    public var authUser: String?
    /// Password for `authUser`.
    public var password: String?

    /// Most attributes and longest attribute sip-sig accepts on one call.
    public static let maxAttributes = 10, maxAttributeLength = 200

    /// Options for one call; the defaults change nothing.
    public init(codecs: [Codec]? = nil, sdpAttributes: [String] = [], from: String? = nil, authUser: String? = nil,
                password: String? = nil) {
        self.codecs = codecs
        self.sdpAttributes = sdpAttributes
        self.from = from
        self.authUser = authUser
        self.password = password
    }

    /// Checks the options the way sip-sig will, so a mistake is reported before a call is placed.
    public func validate() throws(SIPClientError) {
        if let codecs { try Codec.validate(codecs, setting: "CallOptions.codecs") }
        guard sdpAttributes.count <= Self.maxAttributes else {
            throw .invalidSDPAttribute(attribute: sdpAttributes.joined(separator: " "),
                                       problem: "\(sdpAttributes.count) attributes, more than \(Self.maxAttributes)")
        }
        for raw in sdpAttributes {
            let line = Self.attributeLine(raw)
            let name = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            // Scalars, not Characters: "\r\n" is one Character, equal to neither "\r" nor "\n".
            if line.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) {
                throw .invalidSDPAttribute(attribute: raw, problem: "it spans several lines")
            }
            if name.isEmpty { throw .invalidSDPAttribute(attribute: raw, problem: "the attribute name is empty") }
            if !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }) {
                throw .invalidSDPAttribute(attribute: raw, problem: "the name '\(name)' may only have letters, digits, '-', '_' and '.'")
            }
            if line.count > Self.maxAttributeLength {
                throw .invalidSDPAttribute(attribute: raw, problem: "it is longer than \(Self.maxAttributeLength) characters")
            }
        }
        if (authUser == nil) != (password == nil) {
            throw .invalidConfiguration(setting: "CallOptions.authUser/password", problem: "only one of the two is set",
                                        fix: "give both authUser and password, or neither")
        }
    }

    /// The attribute without its `a=` prefix, as sip-sig's `sdp_attributes` wants it.
    static func attributeLine(_ raw: String) -> String { raw.hasPrefix("a=") ? String(raw.dropFirst(2)) : raw }
}
