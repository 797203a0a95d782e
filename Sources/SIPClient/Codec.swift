/// An audio codec a call may use. The order of a list of codecs is its priority: the first one the peer also
/// supports wins, so `[.pcma, .pcmu]` asks for A-law and settles for µ-law.
public enum Codec: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// G.711 µ-law (payload type 0): the usual choice in North America and Japan.
    case pcmu = "PCMU"
    /// G.711 A-law (payload type 8): the usual choice elsewhere.
    case pcma = "PCMA"

    /// The name SDP and the configuration use (`PCMU`, `PCMA`).
    public var description: String { rawValue }

    /// Checks a priority list: not empty and no codec twice (a repeated codec is almost always a typo).
    static func validate(_ codecs: [Codec], setting: String) throws(SIPClientError) {
        guard !codecs.isEmpty else {
            throw .invalidConfiguration(setting: setting, problem: "the codec list is empty, so no call could be negotiated",
                                        fix: "list at least one codec, e.g. [.pcmu, .pcma]")
        }
        guard Set(codecs).count == codecs.count else {
            throw .invalidConfiguration(setting: setting, problem: "the codec list \(codecs) names a codec twice",
                                        fix: "give each codec once, in order of preference, e.g. [.pcma, .pcmu]")
        }
    }
}
