/// Why a message was refused. Sent back to the peer in an error reply, so the code is part of the contract
/// (`docs/PROTOCOL.md`, "Error codes") and the message is for humans.
public struct WireError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String

    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

/// Error codes of the wire protocol. A struct rather than an enum so later versions can add codes
/// without breaking exhaustive switches in other components.
public struct ErrorCode: RawRepresentable, Sendable, Hashable, Codable {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Not valid JSON, not an object, or a required field is missing or of the wrong type.
    public static let malformed = ErrorCode(rawValue: "malformed")
    /// The `v` field names a protocol version this peer does not speak.
    public static let unsupportedVersion = ErrorCode(rawValue: "unsupported_version")
    /// The `kind` field is not one this peer knows.
    public static let unknownKind = ErrorCode(rawValue: "unknown_kind")
    /// The message is larger than `WireLimits.maxControlMessageBytes`.
    public static let tooLarge = ErrorCode(rawValue: "too_large")
    /// A request named a command the receiver does not implement.
    public static let unknownCommand = ErrorCode(rawValue: "unknown_command")
    /// A request's arguments are missing or invalid.
    public static let badArgs = ErrorCode(rawValue: "bad_args")
    /// The receiver cannot serve the request right now (shutting down, component not up).
    public static let unavailable = ErrorCode(rawValue: "unavailable")
    /// No reply arrived in time (raised locally by a requester, never sent).
    public static let timeout = ErrorCode(rawValue: "timeout")
    /// A bug or an unexpected failure in the receiver.
    public static let `internal` = ErrorCode(rawValue: "internal")
    /// The operation was carried out and failed for a reason outside the receiver (e.g. a SIP peer's answer);
    /// the message states it (e.g. "401 after credentials: wrong password?").
    public static let failed = ErrorCode(rawValue: "failed")
    /// The referenced object (call, account) does not exist.
    public static let notFound = ErrorCode(rawValue: "not_found")
}

/// Explicit limits of the wire protocol; anything larger is refused with `too_large`.
public enum WireLimits {
    /// Largest control message (one JSON frame) accepted on any control socket.
    public static let maxControlMessageBytes = 64 * 1024
    /// Most frames in one multipart control message (routing envelope included).
    public static let maxFramesPerMessage = 8
    /// Longest event type or command name.
    public static let maxNameLength = 64
}
