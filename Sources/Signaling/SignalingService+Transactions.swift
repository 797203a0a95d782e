import SIPCore
import SIPSession
import SIPTransaction
import SIPTransport
import Wire

/// Between the transaction layer and the transport: what the layer asks (sends, deliveries to the TU, timeouts,
/// terminations), the sends themselves, and the transactions the sessions and accounts start.
extension SignalingService {
    /// Answers that betray a scanner or a broken peer (not the ordinary ends of calls such as 481, 486, 487 or 503
    /// under load): only these count towards throttling a source.
    static let suspiciousStatus: Set<Int> = [400, 403, 404, 405, 413, 414, 415, 416, 420, 482, 483, 484, 485, 505, 513]

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
            case .deliverAck(let ack, _):
                handleAck(ack)
            case .deliverResponse(let response, let transaction):
                handleResponse(response, transaction: transaction)
            case .deliverStrayResponse(let response, _):
                handleStrayResponse(response)
            case .timeout(let transaction):
                handleClientFailure(transaction, .timeout)
            case .transportError(.client(let transaction)):
                handleClientFailure(transaction, .transport)
            case .transportError(.server), .ackTimeout:
                break
            case .terminated(.client(let id)):
                clientTransactions[id] = nil
                accountByTransaction[id] = nil
            case .terminated(.server(let id)):
                if let handle = callByServerTransaction.removeValue(forKey: id) { sessions[handle]?.inviteTransactionEnded() }
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
        sendDatagram(bytes, to: destination, transaction: transaction)
    }

    private func sendDatagram(_ bytes: [UInt8], to destination: SIPTransportAddress, transaction: SIPClientTransactionID?) {
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

    func drain(_ stream: AsyncStream<Outgoing>) async {
        for await item in stream {
            if item.to.transport == .udp {
                // Datagrams need no connection: hand them to the event loop in order without waiting for each.
                sendDatagram(item.bytes, to: item.to, transaction: item.transaction)
                continue
            }
            do { try await transport.send(bytes: item.bytes, to: item.to) } catch {
                sendFailed(error, to: item.to, transaction: item.transaction)
            }
        }
    }

    private func sendFailed(_ error: SIPTransportError, to destination: SIPTransportAddress, transaction: SIPClientTransactionID?) {
        counters.sendFailures += 1
        log("send to \(destination) failed: \(error)", cause: "send-failed")
        if let transaction { perform(transactions.transportFailed(client: transaction, now: now)) }
    }

    /// Starts a client transaction for a request that already has its Via; nil (logged) when the layer refuses it.
    /// - Parameter sendNow: false for a request the peer already has (a restored INVITE): the transaction only
    ///   retransmits it when its timer says so, so the peer's own retransmitted answer usually arrives first.
    func startTransaction(_ request: SIPMessage, to destination: SIPTransportAddress, sendNow: Bool = true) -> Result<SIPClientTransactionID, SIPTransactionError> {
        do {
            let (id, actions) = try transactions.sendRequest(request, to: destination, now: now)
            for action in actions {
                if case .send(let message, let to) = action { if sendNow { send(message, to: to, transaction: id) } } else { perform([action]) }
            }
            return .success(id)
        } catch {
            log("cannot start a transaction: \(error)", cause: "txn-start")
            return .failure(error)
        }
    }

    /// Answers on a server transaction; a `judged` answer that betrays a scanner counts against its source.
    func respond(_ response: SIPMessage, transaction: SIPServerTransactionID, judged: Bool = true) {
        if judged, let code = response.statusCode, Self.suspiciousStatus.contains(code), let source = transactions.responseDestination(for: transaction) {
            if throttle.recordFailure(source.host, now: now) {
                log("throttling \(source.host): too many failed requests", cause: "throttle:\(source.host)")
            }
        }
        perform(transactions.sendResponse(response, transaction: transaction, now: now))
    }
}
