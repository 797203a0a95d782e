/// Why digest authentication could not go ahead.
///
/// Why a struct around a private enum: new failure kinds can be added without breaking callers
/// that switch on them (the pattern of `SIPParseError` and swift-service-lifecycle). Every error
/// says what was wrong in `description`, ready for a log line or a registration failure reason.
public struct SIPDigestError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        enum Base: String, Sendable {
            case notAChallenge = "not a 401/407 response"
            case noDigestChallenge = "no Digest challenge"
            case malformedHeader = "malformed header"
            case missingParameter = "missing parameter"
            case unsupportedAlgorithm = "unsupported algorithm"
            case unsupportedQop = "unsupported qop"
            case realmNotAllowed = "realm not allowed"
            case credentialsRejected = "credentials rejected"
            case tooManyStaleChallenges = "too many stale challenges"
        }
        let base: Base
        init(_ base: Base) { self.base = base }
        public var description: String { base.rawValue }

        /// The response was not 401 or 407.
        public static let notAChallenge = Kind(.notAChallenge)
        /// Only non-Digest schemes (e.g. Basic) were offered.
        public static let noDigestChallenge = Kind(.noDigestChallenge)
        /// The header did not parse (`detail` carries the parser's message).
        public static let malformedHeader = Kind(.malformedHeader)
        /// A required parameter is absent or empty (`detail` names it: "nonce", "realm", ...).
        public static let missingParameter = Kind(.missingParameter)
        /// `algorithm=` names something we do not implement (`detail` is the name as received).
        public static let unsupportedAlgorithm = Kind(.unsupportedAlgorithm)
        /// `qop=` offers neither `auth` nor `auth-int`.
        public static let unsupportedQop = Kind(.unsupportedQop)
        /// The credentials are restricted to a realm the server did not offer.
        public static let realmNotAllowed = Kind(.realmNotAllowed)
        /// A non-stale challenge came back for credentials we had just sent: wrong password.
        public static let credentialsRejected = Kind(.credentialsRejected)
        /// The server kept answering `stale=true`; stop instead of looping.
        public static let tooManyStaleChallenges = Kind(.tooManyStaleChallenges)
    }

    public var kind: Kind
    /// What exactly: the parameter, algorithm or realm at fault.
    public var detail: String?
    /// 401 or 407 when the error comes from a challenge response.
    public var statusCode: Int?

    public init(_ kind: Kind, detail: String? = nil, statusCode: Int? = nil) {
        self.kind = kind
        self.statusCode = statusCode
        // Details may echo hostile header text: keep them short.
        if let detail, detail.utf8.count > 96 {
            self.detail = String(decoding: detail.utf8.prefix(96), as: UTF8.self) + "..."
        } else {
            self.detail = detail
        }
    }

    public var description: String {
        switch kind.base {
        case .credentialsRejected:
            return "\(statusCode ?? 401) after credentials: wrong password?"
        default:
            var s = kind.description
            if let detail { s += " (\(detail))" }
            if let statusCode { s = "\(statusCode): " + s }
            return s
        }
    }
}
