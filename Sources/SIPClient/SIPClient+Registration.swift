import Wire

/// Accounts: registering makes the client reachable at its address of record through a registrar.
extension SIPClient {
    /// Registers `account` (or the client's identity with `password`) and returns once the registrar accepted it;
    /// refreshes follow by themselves. Calls then go out from this account.
    public func register(_ account: AccountSettings) async throws(SIPClientError) {
        try await core.registerAccount(account)
    }

    /// Removes the client's account from the registrar (REGISTER with Expires: 0).
    public func unregister() async throws(SIPClientError) {
        guard let account = core.account.withLock({ $0 }) else { return }
        _ = try await core.request(OrchAPI.Unregister(aor: account.aor), timeout: .seconds(45))
        core.account.withLock { $0 = nil }
    }
}

extension ClientCore {
    func registerAccount(_ account: AccountSettings) async throws(SIPClientError) {
        do {
            _ = try await request(account.register, timeout: .seconds(45))
        } catch {
            switch error.kind {
            case .requestFailed: throw .registrationFailed(aor: account.aor, reason: error.message ?? "")
            case .timeout: throw .registrationFailed(aor: account.aor, reason: "the registrar did not answer within 45 s")
            default: throw error
            }
        }
        self.account.withLock { $0 = account }
    }
}
