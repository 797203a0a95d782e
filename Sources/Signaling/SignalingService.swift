import Foundation
import Logging
import SIPCore
import SIPDialog
import SIPTransaction
import SIPTransport
import Timebase
import Wire

/// sip-sig's user agent: it owns the SIP transport, the transaction layer, the dialogs, the accounts and the
/// calls, and it answers orch's commands (docs/PROTOCOL.md §4, sig). It decides nothing about media: orch hands
/// it the address and port to put in the SDP.
///
/// One actor serialises all SIP state; the pure layers under it (transactions, dialogs, registration, SDP) take
/// the time as an argument, and a 10 ms tick advances their timers.
public actor SignalingService {
    /// Where events go (orch, through the component agent).
    public typealias Emit = @Sendable (any WireEvent) -> Void

    let settings: SignalingSettings
    let emit: Emit
    let logger: Logger
    let transport: SIPTransportLayer
    let timers: SIPTimerSettings
    var transactions: SIPTransactionLayer
    var media: MediaNegotiation

    var calls: [String: CallSession] = [:]
    var callByDialogKey: [String: String] = [:]
    var callByClientTransaction: [SIPClientTransactionID: String] = [:]
    var callByServerTransaction: [SIPServerTransactionID: String] = [:]
    /// In-dialog requests we sent (BYE, re-INVITE): which call they belong to.
    var inDialogTransactions: [SIPClientTransactionID: String] = [:]
    /// Commands waiting for the outcome of a call's re-INVITE (hold, resume).
    var reinviteWaiters: [String: CheckedContinuation<Result<SigAPI.CallHold.Result, WireError>, Never>] = [:]
    /// Commands waiting for the peer's answer to a REFER.
    var transferWaiters: [String: CheckedContinuation<Result<SigAPI.CallTransfer.Result, WireError>, Never>] = [:]
    /// NOTIFYs we sent for a peer's REFER: their answers are not about the call.
    var notifyTransactions: Set<SIPClientTransactionID> = []
    /// DTMF digits going out as INFO, per call.
    var infoDTMFQueues: [String: InfoDTMFQueue] = [:]
    /// Port pairs orch holds for answering calls at once (auto-answer), newest last; and the ids already used, so a
    /// list that crossed our use of a slot cannot hand it out twice (SignalingService+AnswerSlots).
    var answerSlots: [AnswerSlot] = []
    /// Calls whose 2xx is being retransmitted until the ACK (the 10 ms tick looks at these only), and incoming calls by
    /// their INVITE (Call-ID, From tag, CSeq) to recognise a retransmitted INVITE without a scan of every call.
    var retransmitting2xx: Set<String> = []
    var callByInvite: [String: String] = [:]
    var tickCount = 0
    var usedAnswerSlots: Set<String> = []
    var accounts: [String: AccountRuntime] = [:]
    var accountByTransaction: [SIPClientTransactionID: String] = [:]
    var counters = SignalingCounters()
    var throttle = SourceThrottle()
    var loggedCauses: Set<String> = []
    private var tasks: [Task<Void, Never>] = []
    private let outbox: AsyncStream<Outgoing>.Continuation
    private let outboxStream: AsyncStream<Outgoing>
    private var bound: [SIPTransportAddress] = []

    public init(settings: SignalingSettings, logger: Logger, emit: @escaping Emit) {
        self.settings = settings
        self.emit = emit
        self.logger = logger
        (outboxStream, outbox) = AsyncStream.makeStream(of: Outgoing.self, bufferingPolicy: .bufferingOldest(10_000))
        timers = SIPTimerSettings(t1: settings.t1, t2: settings.t2, t4: settings.t4)
        transactions = SIPTransactionLayer(configuration: SIPTransactionLayerConfiguration(
            timers: timers, maxTransactions: settings.maxTransactions, retryAfterSeconds: UInt32(settings.retryAfter)))
        media = MediaNegotiation(codecNames: settings.codecs, sessionID: UInt64(Date().timeIntervalSince1970))
        let trace: SIPTraceHook? = settings.trace ? Self.traceHook(logger) : nil
        transport = SIPTransportLayer(settings: SIPTransportSettings(
            listenHosts: [settings.listenHost], port: settings.listenPort, transports: settings.transports), trace: trace)
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

    /// Answers that betray a scanner or a broken peer (not the ordinary ends of calls such as 481, 486, 487 or 503
    /// under load): only these count towards throttling a source.
    static let suspiciousStatus: Set<Int> = [400, 403, 404, 405, 413, 414, 415, 416, 420, 482, 483, 484, 485, 505, 513]

    /// Max-Forwards is required of requests (§8.1.1.6), but some old phones omit it: tolerated, as by most UAs.
    static let validation = SIPValidationOptions(requireMaxForwards: false, validateDate: false, rejectRequestURIHeaders: true)

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
        for id in Array(calls.keys) { hangup(callID: id, reason: "shutting down") }
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

    private func tick() {
        let t = now
        perform(transactions.advance(to: t))
        tickCount &+= 1
        // Timers of seconds (CANCEL deadlines, session timers, PRACK waits) are looked at every 100 ms: a scan of
        // every call each 10 ms costs more than the precision is worth under load.
        let scan = tickCount % 10 == 0
        if scan {
            for (id, call) in calls where call.cancelDeadline.map({ t >= $0 }) == true && call.state != .terminated {
                log("no final response after CANCEL", cause: "cancel-timeout", call: id)
                end(id, code: 408, reason: "no final response to the INVITE within 64*T1 of our CANCEL", normal: true)
            }
        }
        for id in retransmitting2xx {
            guard var call = calls[id], var retransmitter = call.twoXX else {
                retransmitting2xx.remove(id)
                continue
            }
            for action in retransmitter.advance(to: t) {
                switch action {
                case .retransmit(let response):
                    if let to = call.twoXXDestination { send(response, to: to) }
                case .gaveUp:
                    // §13.3.1.4: no ACK for our 2xx within 64*T1: end the call with BYE.
                    call.twoXX = nil
                    calls[id] = call
                    log("no ACK for 200 OK", cause: "ack-timeout", call: id)
                    hangup(callID: id, reason: "no ACK from peer", normal: false)
                    continue
                }
            }
            if calls[id] != nil {
                call.twoXX = retransmitter.state == .retransmitting ? retransmitter : nil
                calls[id]?.twoXX = call.twoXX
            }
        }
        if scan {
            tickSessionTimers(now: t)
            tickReliableProvisionals(now: t)
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
                if var response = SIPErrorResponse.make(for: message, error: error, toTag: SIPRandomToken.make(length: 10)) {
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
            if let response = SIPErrorResponse.make(forRawRequest: raw, error: error, toTag: SIPRandomToken.make(length: 10)) {
                send(response, to: from)
                counters.answered400 += 1
            }
        }
    }

    /// Carries out what the transaction layer asks: its sends first (retransmissions, the ACK of a non-2xx), then
    /// what goes to the TU, so anything the TU sends in reaction follows them on the wire.
    func perform(_ actions: [SIPTransactionAction]) {
        let ordered = actions.filter { if case .send = $0 { true } else { false } }
            + actions.filter { if case .send = $0 { false } else { true } }
        for action in ordered {
            switch action {
            case .send(let message, let to):
                send(message, to: to)
            case .deliverRequest(let request, let from, let transaction):
                handleRequest(request, from: from, transaction: transaction)
            case .deliverAck(let ack, let from):
                handleAck(ack, from: from)
            case .deliverResponse(let response, let transaction):
                handleResponse(response, transaction: transaction)
            case .deliverStrayResponse(let response, _):
                handleStrayResponse(response)
            case .timeout(let transaction):
                handleClientFailure(transaction, code: 408, reason: "no answer from peer (timeout)")
            case .transportError(.client(let transaction)):
                handleClientFailure(transaction, code: 503, reason: "cannot reach the peer (transport error)")
            case .transportError(.server), .ackTimeout:
                break
            case .terminated(.client(let id)):
                callByClientTransaction[id] = nil
                notifyTransactions.remove(id)
                inDialogTransactions[id] = nil
                accountByTransaction[id] = nil
            case .terminated(.server(let id)):
                callByServerTransaction[id] = nil
            }
        }
    }

    /// Hands a message to the transport in the order the protocol produced it (the ACK for a 401 before the re-sent
    /// INVITE); a failure is reported to the transaction layer. Datagrams go to the event loop at once (its queue keeps
    /// their order, with no task hop on the way: the latency of every response); stream messages, which may first need
    /// a connection, go through one queue drained in order by one task.
    func send(_ message: SIPMessage, to destination: SIPTransportAddress, transaction: SIPClientTransactionID? = nil) {
        let bytes = message.serialized()
        guard destination.transport == .udp else {
            outbox.yield(Outgoing(bytes: bytes, to: destination, transaction: transaction))
            return
        }
        do {
            try transport.sendDatagram(bytes, to: destination) { error in
                Task { await self.sendFailed(error, to: destination, transaction: transaction) }
            }
        } catch {
            sendFailed(error, to: destination, transaction: transaction)
        }
    }

    struct Outgoing: Sendable {
        var bytes: [UInt8]
        var to: SIPTransportAddress
        var transaction: SIPClientTransactionID?
    }

    private func drain(_ stream: AsyncStream<Outgoing>) async {
        for await item in stream {
            if item.to.transport == .udp {
                // Datagrams need no connection: hand them to the event loop in order without waiting for each.
                let transaction = item.transaction
                let destination = item.to
                do {
                    try transport.sendDatagram(item.bytes, to: destination) { error in
                        Task { await self.sendFailed(error, to: destination, transaction: transaction) }
                    }
                } catch {
                    sendFailed(error, to: destination, transaction: transaction)
                }
                continue
            }
            let result: Result<Void, SIPTransportError>
            do { try await transport.send(bytes: item.bytes, to: item.to); result = .success(()) } catch {
                result = .failure(error as? SIPTransportError ?? .writeFailed("\(error)"))
            }
            if case .failure(let error) = result { sendFailed(error, to: item.to, transaction: item.transaction) }
        }
    }

    private func sendFailed(_ error: SIPTransportError, to destination: SIPTransportAddress, transaction: SIPClientTransactionID?) {
        counters.sendFailures += 1
        log("send to \(destination) failed: \(error)", cause: "send-failed")
        if let transaction { perform(transactions.transportFailed(client: transaction, now: now)) }
    }

    /// Starts a client transaction for a request that already has its Via.
    /// - Parameter sendNow: false for a request the peer already has (a restored INVITE): the transaction only
    ///   retransmits it when its timer says so, so the peer's own retransmitted answer usually arrives first.
    func startTransaction(_ request: SIPMessage, to destination: SIPTransportAddress, sendNow: Bool = true) -> SIPClientTransactionID? {
        do {
            let (id, actions) = try transactions.sendRequest(request, to: destination, now: now)
            for action in actions {
                if case .send(let message, let to) = action { if sendNow { send(message, to: to, transaction: id) } } else { perform([action]) }
            }
            return id
        } catch {
            log("cannot start a transaction: \(error)", cause: "txn-start")
            return nil
        }
    }

    func respond(_ response: SIPMessage, transaction: SIPServerTransactionID) {
        if let code = response.statusCode, Self.suspiciousStatus.contains(code), let source = transactions.responseDestination(for: transaction) {
            if throttle.recordFailure(source.host, now: now) {
                log("throttling \(source.host): too many failed requests", cause: "throttle:\(source.host)")
            }
        }
        perform(transactions.sendResponse(response, transaction: transaction, now: now))
    }

    /// Logs a rejected input once per cause (then only counts it), so floods cannot flood the log.
    func log(_ message: String, cause: String, call: String? = nil) {
        counters.rejectedByCause[cause, default: 0] += 1
        guard loggedCauses.count < 256, loggedCauses.insert(cause).inserted else { return }
        let meta: Logger.Metadata = call.map { ["cause": "\(cause)", "call": "\($0)"] } ?? ["cause": "\(cause)"]
        logger.warning("\(message) (logged once per cause; see stats)", metadata: meta)
    }

    func advertised(_ transport: SIPTransportKind, towards host: String) -> SIPTransportAddress {
        self.transport.advertisedAddress(transport: transport, towards: host)
            ?? SIPTransportAddress(transport: transport, host: settings.listenHost, port: settings.listenPort)
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
            "calls": .init(calls.count), "rejected_call_limit": .init(counters.rejectedCallLimit),
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
