/// What the user configured for one account: who they are and, optionally, the only realm
/// these credentials may be given to.
///
/// Why the realm restriction: without it a hostile proxy on the path can challenge with any
/// realm and collect a response computed from our password.
public struct SIPDigestCredentials: Sendable, Hashable {
    public var username: String
    public var password: String
    /// When set, challenges for any other realm are refused (`.realmNotAllowed`).
    public var realm: String?

    public init(username: String, password: String, realm: String? = nil) {
        self.username = username
        self.password = password
        self.realm = realm
    }
}

extension SIPDigestCredentials: CustomStringConvertible {
    /// Never prints the password, so credentials can be logged safely.
    public var description: String { "SIPDigestCredentials(username: \(username), realm: \(realm ?? "any"))" }
}
