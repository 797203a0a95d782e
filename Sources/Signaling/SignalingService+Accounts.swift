import SIPCore
import SIPRegistration
import SIPSession
import SIPTransaction
import Timebase
import Wire

/// An account's registration at run time: the pure state machine plus where its REGISTERs go and who waits
/// for the outcome (the `account.add` or `account.remove` request).
struct AccountRuntime: Sendable {
    var config: AccountConfig
    var machine: SIPRegistrationMachine
    var destination: SIPTransportAddress
    var local: SIPTransportAddress
    var waiters: [CheckedContinuation<Result<SigAPI.AccountStatus, WireError>, Never>] = []
    var removing = false

    var isBusy: Bool {
        switch machine.state {
        case .registering, .unregistering: true
        default: false
        }
    }
}

/// Registrations (RFC 3261 §10): one machine per account; its REGISTERs run through the transaction layer.
extension SignalingService {
    /// `account.add`: starts (or restarts) an account and waits for the registrar's verdict.
    func addAccount(_ args: AccountArgs) async -> Result<SigAPI.AccountStatus, WireError> {
        let config: AccountConfig
        do { config = try AccountConfig(args) } catch {
            return .failure(WireError(.badArgs, error.description))
        }
        if accounts[config.key] != nil { stopAccountNow(config.key) }
        guard startAccount(config) else {
            return .failure(WireError(.failed, "cannot start the registration of \(config.key)"))
        }
        return await withCheckedContinuation { continuation in
            accounts[config.key]?.waiters.append(continuation)
        }
    }

    /// `account.remove`: unregisters (Expires: 0) and forgets the account.
    func removeAccount(_ aor: String) async -> Result<SigAPI.AccountStatus, WireError> {
        guard var account = accounts[aor] else {
            return .failure(WireError(.notFound, "no account '\(aor)'"))
        }
        account.removing = true
        let actions = account.machine.stop(now: now)
        accounts[aor] = account
        let reply = await withCheckedContinuation { continuation in
            accounts[aor]?.waiters.append(continuation)
            performRegistration(actions, aor: aor)
        }
        accounts[aor] = nil
        if case .success = reply { return reply }
        return .success(.unregistered(aor))
    }

    @discardableResult
    func startAccount(_ config: AccountConfig) -> Bool {
        let next = config.outboundProxy ?? config.registrar ?? SIPURI(scheme: .sip, host: config.aor.host, port: config.aor.port)
        let destination = RequestFactory.destination(for: next, default: config.transport)
        let local = context.localAddress.resolve(destination.transport, destination.host)
        let contact = RequestFactory.contact(user: config.aor.user, local: local)
        let registration = SIPRegistrationConfig(aor: config.aor, contact: contact, password: config.password,
                                                 registrar: config.registrar, username: config.authUser, expires: config.expires,
                                                 outboundProxy: config.outboundProxy, userAgent: RequestFactory.userAgent)
        var machine = SIPRegistrationMachine(config: registration)
        let actions = machine.start(now: now)
        accounts[config.key] = AccountRuntime(config: config, machine: machine, destination: destination, local: local)
        performRegistration(actions, aor: config.key)
        return true
    }

    func stopAllAccounts() {
        for aor in Array(accounts.keys) {
            guard var account = accounts[aor] else { continue }
            let actions = account.machine.stop(now: now)
            accounts[aor] = account
            performRegistration(actions, aor: aor)
        }
    }

    private func stopAccountNow(_ aor: String) {
        guard let account = accounts.removeValue(forKey: aor) else { return }
        for w in account.waiters { w.resume(returning: .failure(WireError(.failed, "replaced by a new account.add"))) }
    }

    func accountResponse(_ response: SIPMessage, aor: String) {
        guard var account = accounts[aor] else { return }
        let actions = account.machine.handleResponse(response, now: now)
        accounts[aor] = account
        performRegistration(actions, aor: aor)
    }

    func accountTimeout(aor: String) {
        guard var account = accounts[aor] else { return }
        let actions = account.machine.handleTimeout(now: now)
        accounts[aor] = account
        performRegistration(actions, aor: aor)
    }

    func tickAccounts(now t: MonotonicTime) {
        for aor in Array(accounts.keys) {
            guard var account = accounts[aor], let due = account.machine.nextDeadline, due <= t else { continue }
            let actions = account.machine.advance(to: t)
            accounts[aor] = account
            performRegistration(actions, aor: aor)
        }
    }

    private func performRegistration(_ actions: [SIPRegistrationAction], aor: String) {
        for action in actions {
            switch action {
            case .send(var request):
                guard let account = accounts[aor] else { continue }
                RequestFactory.stampVia(&request, local: account.local)
                if case .success(let transaction) = startTransaction(request, to: account.destination) {
                    accountByTransaction[transaction] = aor
                }
            case .stateChanged(let event):
                registrationChanged(event, aor: aor)
            }
        }
    }

    private func registrationChanged(_ event: SIPRegistrationEvent, aor: String) {
        var published = RegistrationStateEvent(aor: aor, state: RegistrationState(rawValue: event.state.name), code: event.statusCode,
                                               reason: event.reason)
        let t = now
        var outcome: Result<SigAPI.AccountStatus, WireError>?
        switch event.state {
        case .registered(let expiresAt):
            let expires = max(0, Int((expiresAt - t).wholeNanoseconds / 1_000_000_000))
            published.expires = expires
            outcome = .success(.registered(aor, expires: expires, contact: accounts[aor]?.machine.config.contact.description ?? ""))
        case .failed(let reason, let retryAt):
            published.retryInS = max(0, Int((retryAt - t).wholeNanoseconds / 1_000_000_000))
            logger.warning("registration failed", metadata: ["aor": "\(aor)", "reason": "\(reason)"])
            outcome = .failure(WireError(.failed, reason))
        case .unregistered:
            outcome = .success(.unregistered(aor))
        case .registering, .unregistering:
            break
        }
        emit(published)
        if let outcome, var account = accounts[aor], !account.waiters.isEmpty {
            let waiters = account.waiters
            account.waiters = []
            accounts[aor] = account
            for w in waiters { w.resume(returning: outcome) }
        }
    }
}
