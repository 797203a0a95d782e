/// A request method (RFC 3261 §7.1, §27.4).
///
/// Why a string-backed struct and not an enum: methods are extensible tokens and
/// case-sensitive (RFC 4475 `intmeth`, `esc02`: `RE%47IST%45R` is not REGISTER),
/// so unknown methods must round-trip unchanged while known ones stay convenient.
public struct SIPMethod: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    /// True when the method is a syntactically valid token.
    public var isValidToken: Bool { SIPChar.isTokenString(rawValue.utf8) }

    public static let invite: SIPMethod = "INVITE"
    public static let ack: SIPMethod = "ACK"
    public static let bye: SIPMethod = "BYE"
    public static let cancel: SIPMethod = "CANCEL"
    public static let options: SIPMethod = "OPTIONS"
    public static let register: SIPMethod = "REGISTER"
    public static let prack: SIPMethod = "PRACK"
    public static let subscribe: SIPMethod = "SUBSCRIBE"
    public static let notify: SIPMethod = "NOTIFY"
    public static let publish: SIPMethod = "PUBLISH"
    public static let info: SIPMethod = "INFO"
    public static let refer: SIPMethod = "REFER"
    public static let message: SIPMethod = "MESSAGE"
    public static let update: SIPMethod = "UPDATE"

    /// Methods defined by RFC 3261 and the common extensions above.
    public static let known: Set<SIPMethod> = [
        .invite, .ack, .bye, .cancel, .options, .register, .prack, .subscribe,
        .notify, .publish, .info, .refer, .message, .update,
    ]

    public var isKnown: Bool { Self.known.contains(self) }
}
