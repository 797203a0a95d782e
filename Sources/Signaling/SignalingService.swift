import Foundation
import Logging
import SIPCore
import SIPSession
import SIPTransaction
import SIPTransport
import Timebase
import Wire

/// sip-sig's user agent: the adapter around the pure cores. It owns the SIP transport, the transaction layer, the
/// table of calls (`InviteSession` values, SIPSession) and the maps that find a call from a dialog or a transaction,
/// the accounts, the throttle, the answer slots and the call limit; it reads the clock, keeps the sessions' timers, and
/// maps what the sessions ask (`SessionAction`) onto the transaction layer, the transport and the bus. It decides
/// nothing about media: orch hands it the address and port to put in the SDP.
///
/// One actor serialises all SIP state; the pure layers under it (transactions, dialogs, sessions, registration, SDP)
/// take the time as an argument, and a 10 ms tick advances their timers.
public actor SignalingService {
    /// Where events go (orch, through the component agent).
    public typealias Emit = @Sendable (any WireEvent) -> Void

    let settings: SignalingSettings
    let emit: Emit
    let logger: Logger
    let transport: SIPTransportLayer
    var transactions: SIPTransactionLayer
    /// What the sessions share: settings, the SDP origin, the random source, our address.
    var context: SessionContext

    var sessions: [SessionHandle: InviteSession] = [:]
    var handleByCall: [String: SessionHandle] = [:]
    var nextHandle: UInt64 = 0
    var callByDialogKey: [String: SessionHandle] = [:]
    /// Requests the sessions sent: whose they are and what for.
    var clientTransactions: [SIPClientTransactionID: (session: SessionHandle, purpose: RequestPurpose)] = [:]
    /// Incoming calls by their INVITE server transaction (CANCEL finds them so) and by their INVITE (Call-ID, From tag,
    /// CSeq) to recognise a retransmitted INVITE without a scan of every call.
    var callByServerTransaction: [SIPServerTransactionID: SessionHandle] = [:]
    var callByInvite: [String: SessionHandle] = [:]
    /// The sessions' timers: the 10 ms tick visits only the sessions with one due.
    var sessionTimers = SessionTimerQueue()
    /// Commands waiting for a session's reply (hold, resume, reoffer, transfer), and replies not yet collected.
    var replyWaiters: [ReplyToken: CheckedContinuation<Result<CommandReply, WireError>, Never>] = [:]
    var readyReplies: [ReplyToken: Result<CommandReply, WireError>] = [:]
    var nextReply: UInt64 = 0
    /// Port pairs orch holds for answering calls at once (auto-answer), newest last; and the ids already used, so a
    /// list that crossed our use of a slot cannot hand it out twice (SignalingService+AnswerSlots).
    var answerSlots: [AnswerSlot] = []
    var usedAnswerSlots: Set<String> = []
    var accounts: [String: AccountRuntime] = [:]
    var accountByTransaction: [SIPClientTransactionID: String] = [:]
    var counters = SignalingCounters()
    var throttle = SourceThrottle()
    var loggedCauses: Set<String> = []
    private var tasks: [Task<Void, Never>] = []
    let outbox: AsyncStream<Outgoing>.Continuation
    private let outboxStream: AsyncStream<Outgoing>
    private var bound: [SIPTransportAddress] = []

    public init(settings: SignalingSettings, logger: Logger, emit: @escaping Emit) {
        self.settings = settings
        self.emit = emit
        self.logger = logger
        (outboxStream, outbox) = AsyncStream.makeStream(of: Outgoing.self, bufferingPolicy: .bufferingOldest(10_000))
        let timers = SIPTimerSettings(t1: settings.t1, t2: settings.t2, t4: settings.t4)
        transactions = SIPTransactionLayer(configuration: SIPTransactionLayerConfiguration(
            timers: timers, maxTransactions: settings.maxTransactions, retryAfterSeconds: UInt32(settings.retryAfter)))
        let trace: SIPTraceHook? = settings.trace ? Self.traceHook(logger) : nil
        let transport = SIPTransportLayer(settings: SIPTransportSettings(
            listenHosts: [settings.listenHost], port: settings.listenPort, transports: settings.transports), trace: trace)
        self.transport = transport
        let fallbackHost = settings.listenHost, fallbackPort = settings.listenPort
        context = SessionContext(
            settings: SessionSettings(timers: timers, sessionExpires: settings.sessionExpires, minSE: settings.minSE, retryAfter: settings.retryAfter),
            media: MediaNegotiation(codecNames: settings.codecs, sessionID: UInt64(Date().timeIntervalSince1970)),
            localAddress: LocalAddressResolver { kind, host in
                transport.advertisedAddress(transport: kind, towards: host) ?? SIPTransportAddress(transport: kind, host: fallbackHost, port: fallbackPort)
            })
    }

    /// Every SIP message in and out, whole, at info level (sip.trace / `sipc up --sip-trace`).
    static func traceHook(_ logger: Logger) -> SIPTraceHook {
        var traceLogger = logger
        traceLogger[metadataKey: "trace"] = "sip"
        let log = traceLogger
        return { direction, peer, bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            let preposition = direction == .sent ? "to" : "from"
            log.info("\(direction.rawValue) \(bytes.count) bytes \(preposition) \(peer)\n\(text)")
        }
    }

    /// Max-Forwards is required of requests (§8.1.1.6), but some old phones omit it: tolerated, as by most UAs.
    static let validation = SIPValidationOptions(requireMaxForwards: false, validateDate: false, rejectRequestURIHeaders: true)

    /// The only clock read of sip-sig's SIP state: everything below takes this as `now:`.
    var now: MonotonicTime { MonotonicClock.now() }

    /// Binds the SIP ports and starts processing; returns the bound addresses.
    @discardableResult
    public func start() async throws(SIPTransportError) -> [SIPTransportAddress] {
        bound = try await transport.start()
        logger.info("SIP listening", metadata: ["addresses": "\(bound.map(\.description).joined(separator: " "))"])
        let inbound = transport.inbound
        let outgoing = outboxStream
        tasks.append(Task { await self.drain(outgoing) })
        tasks.append(Task { for await item in inbound { await self.receive(item) } })
        tasks.append(Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(10))
                await self.tick()
            }
        })
        for account in settings.accounts { _ = startAccount(account) }
        return bound
    }

    /// Unregisters the accounts (briefly waiting for the registrar), ends calls, and closes the sockets.
    public func shutdown() async {
        for handle in Array(sessions.keys) {
            withSession(handle) { session, context, now in session.handle(.end(reason: "shutting down", normal: true), reply: nil, now: now, context: &context) }
        }
        stopAllAccounts()
        let deadline = now + .seconds(2)
        while now < deadline, accounts.values.contains(where: { $0.isBusy }) {
            try? await Task.sleep(for: .milliseconds(20))
        }
        outbox.finish()
        tasks.forEach { $0.cancel() }
        await transport.shutdown()
    }

    public var boundAddresses: [SIPTransportAddress] { bound }

    // MARK: the loop

    /// Every 10 ms: the transactions' timers, the sessions with a timer due (none visited otherwise), the accounts.
    private func tick() {
        let t = now
        perform(transactions.advance(to: t))
        for (handle, timer) in sessionTimers.popDue(now: t) {
            withSession(handle) { session, context, now in session.timerFired(timer, now: now, context: &context) }
        }
        tickAccounts(now: t)
    }

    private func receive(_ item: SIPInbound) {
        let t = now
        switch item {
        case .message(let message, let from, _):
            if throttle.isBlocked(from.host, now: t) { counters.throttled += 1; return }
            do {
                try SIPMessageValidator.validate(message, options: Self.validation)
            } catch {
                counters.malformed += 1
                log("invalid SIP \(message.isRequest ? "request" : "response") from \(from): \(error)", cause: "invalid:\(error.kind)")
                guard message.isRequest else { return }
                throttle.recordFailure(from.host, now: t)
                if var response = SIPErrorResponse.make(for: message, error: error, toTag: SIPRandomToken.make(length: 10, using: &context.random)) {
                    RequestFactory.decorate(&response)
                    send(response, to: from)
                    counters.answered400 += 1
                }
                return
            }
            perform(transactions.receive(message, from: from, now: t))
        case .malformed(let raw, let error, let from, _):
            counters.malformed += 1
            log("malformed SIP input from \(from): \(error)", cause: "malformed:\(error.kind)")
            if throttle.isBlocked(from.host, now: t) { return }
            throttle.recordFailure(from.host, now: t)
            // A request we can route an answer to gets 400 naming the defect (§21.4.1); responses are dropped.
            if let response = SIPErrorResponse.make(forRawRequest: raw, error: error, toTag: SIPRandomToken.make(length: 10, using: &context.random)) {
                send(response, to: from)
                counters.answered400 += 1
            }
        }
    }

    /// Logs a rejected input once per cause (then only counts it), so floods cannot flood the log.
    func log(_ message: String, cause: String, call: String? = nil) {
        counters.rejectedByCause[cause, default: 0] += 1
        guard loggedCauses.count < 256, loggedCauses.insert(cause).inserted else { return }
        let meta: Logger.Metadata = call.map { ["cause": "\(cause)", "call": "\($0)"] } ?? ["cause": "\(cause)"]
        logger.warning("\(message) (logged once per cause; see stats)", metadata: meta)
    }

    // MARK: stats

    /// The counters of sig's heartbeat `stats` (open: a later version adds some).
    public func stats() -> JSONObject {
        let t = transport.counters
        return [
            "messages_in": .init(t.messagesIn), "messages_out": .init(t.messagesOut), "malformed": .init(counters.malformed),
            "answered_400": .init(counters.answered400), "keepalives": .init(t.keepAlives), "tcp_connections": .init(t.connectionsOpen),
            "send_failures": .init(counters.sendFailures + t.sendFailures), "inbound_dropped": .init(t.inboundDropped),
            "transactions": .init(transactions.count), "rejected_transaction_limit": .init(transactions.rejectedForLimit),
            "rejected_merged": .init(transactions.rejectedAsMerged), "discarded": .init(transactions.discarded),
            "calls": .init(sessions.count), "rejected_call_limit": .init(counters.rejectedCallLimit),
            "throttled": .init(counters.throttled + throttle.blockedDrops), "accounts": .init(accounts.count),
            "rejected": .object(counters.rejectedByCause.mapValues { .init($0) }),
        ]
    }
}

/// Counters shown in `stats` (and `sipc status`).
struct SignalingCounters: Sendable {
    var malformed = 0
    var answered400 = 0
    var sendFailures = 0
    var throttled = 0
    var rejectedCallLimit = 0
    var rejectedByCause: [String: Int] = [:]
}
