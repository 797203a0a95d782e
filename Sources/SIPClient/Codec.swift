/// An audio codec a call may use. The order of a list of codecs is its priority: the first one the peer also
/// supports wins, so `[.pcma, .pcmu]` asks for A-law and settles for µ-law.
///
/// A struct rather than an enum, so later versions can add codecs (Opus, G.722) without breaking a `switch` in your
/// code; `allCases` lists the codecs this version can negotiate.
public struct Codec: RawRepresentable, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    enum Known: String, Sendable, CaseIterable {
        case pcmu = "PCMU"
        case pcma = "PCMA"
    }

    let known: Known

    init(_ known: Known) { self.known = known }

    /// A codec this version knows by its SDP name (case-insensitive); nil for any other name.
    public init?(rawValue: String) {
        guard let known = Known(rawValue: rawValue.uppercased()) else { return nil }
        self.known = known
    }

    /// G.711 µ-law (payload type 0): the usual choice in North America and Japan.
    public static let pcmu = Codec(.pcmu)
    /// G.711 A-law (payload type 8): the usual choice elsewhere.
    public static let pcma = Codec(.pcma)

    public static var allCases: [Codec] { Known.allCases.map(Codec.init) }

    /// The name SDP and the configuration use (`PCMU`, `PCMA`).
    public var rawValue: String { known.rawValue }
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
