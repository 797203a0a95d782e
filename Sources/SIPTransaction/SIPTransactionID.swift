import SIPCore

/// Opaque handle of a client transaction, unique within one `SIPTransactionLayer`.
///
/// Why a number and not the branch: the branch is the peer's (or the TU's) choice and can
/// repeat across methods (an INVITE and its CANCEL share one), while the TU needs one stable
/// handle per transaction for bookkeeping.
public struct SIPClientTransactionID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "ctx#\(rawValue)" }
}

/// Opaque handle of a server transaction, unique within one `SIPTransactionLayer`.
public struct SIPServerTransactionID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "stx#\(rawValue)" }
}

/// Either kind of transaction, for events that concern both (termination, transport errors).
public enum SIPTransactionID: Sendable, Hashable, CustomStringConvertible {
    case client(SIPClientTransactionID)
    case server(SIPServerTransactionID)

    public var description: String {
        switch self {
        case .client(let id): return id.description
        case .server(let id): return id.description
        }
    }
}
