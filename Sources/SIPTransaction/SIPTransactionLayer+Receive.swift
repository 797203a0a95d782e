import SIPCore
import Timebase

/// Incoming messages: the transport layer's receive duties (§18.1.2, §18.2.1) and transaction
/// matching (§17.1.3, §17.2.3), plus the UAS checks that must run before a request reaches
/// the TU (merged requests §8.2.2.2, overload 503).
extension SIPTransactionLayer {
    /// A parsed message from the transport. `from` is the packet source (for TCP/TLS, the
    /// connection's remote address).
    public mutating func receive(_ message: SIPMessage, from source: SIPTransportAddress,
                                 now: MonotonicTime) -> [SIPTransactionAction] {
        message.isRequest ? receiveRequest(message, from: source, now: now)
                          : receiveResponse(message, from: source, now: now)
    }

    // MARK: - Responses

    mutating func receiveResponse(_ response: SIPMessage, from source: SIPTransportAddress,
                                  now: MonotonicTime) -> [SIPTransactionAction] {
        guard let code = response.statusCode, let via = try? response.topVia(), let branch = via.branch,
              let cseq = try? response.cseq() else { discarded += 1; return [] }
        if !configuration.localSentBy.isEmpty, !configuration.localSentBy.contains(SIPSentBy(via: via)) {
            discarded += 1   // §18.1.2: not ours; a misrouted response.
            return []
        }
        if let id = clientIndex[SIPClientMatchKey(branch: branch, method: cseq.method)], var entry = clients[id] {
            let effects = entry.receive(response: response, now: now)
            clients[id] = entry
            return apply(effects, client: id)
        }
        if (200..<300).contains(code), cseq.method == .invite {
            return [.deliverStrayResponse(response, from: source)]
        }
        discarded += 1
        return []
    }

    // MARK: - Requests

    mutating func receiveRequest(_ raw: SIPMessage, from source: SIPTransportAddress,
                                 now: MonotonicTime) -> [SIPTransactionAction] {
        guard let method = raw.method, let cseq = try? raw.cseq(), cseq.method == method else {
            discarded += 1   // the CSeq method must equal the request method (§8.1.1.5)
            return []
        }
        let request = SIPResponseRouting.stampingReceived(raw, from: source)
        guard let via = try? request.topVia(),
              let key = SIPServerMatchKey.make(for: request, topVia: via, cseq: cseq) else {
            discarded += 1
            return []
        }

        if method == .ack { return receiveAck(request, key: key, from: source, now: now) }

        if let id = serverIndex[key], var entry = servers[id] {
            let effects = entry.receiveRetransmission(now: now)
            servers[id] = entry
            return apply(effects, server: id)
        }
        guard let destination = SIPResponseRouting.destination(forResponseTo: request, receivedFrom: source) else {
            discarded += 1
            return []
        }
        if count >= configuration.maxTransactions {
            rejectedForLimit += 1
            var busy = SIPResponseBuilder.response(to: request, status: 503, toTag: makeTag())
            busy.headers.insert(SIPHeaderField("Retry-After", String(configuration.retryAfterSeconds)),
                                at: max(busy.headers.count - 1, 0))
            return [.send(busy, to: destination)]
        }
        let mergeKey = SIPMergeKey.make(for: request, cseq: cseq)
        if let mergeKey, let other = mergeIndex[mergeKey], servers[other] != nil {
            // Same From tag, Call-ID and CSeq as a live transaction, different branch: the
            // request reached us twice through a fork (§8.2.2.2). Answer through a transaction
            // of its own so retransmissions get the same 482.
            rejectedAsMerged += 1
            let id = createServer(request, key: key, mergeKey: nil, destination: destination,
                                  isInternal: true, now: now)
            let loop = SIPResponseBuilder.response(to: request, status: 482, toTag: makeTag())
            return sendResponse(loop, transaction: id, now: now)
        }
        let id = createServer(request, key: key, mergeKey: mergeKey, destination: destination,
                              isInternal: false, now: now)
        var out: [SIPTransactionAction] = [.deliverRequest(request, from: source, transaction: id)]
        if var entry = servers[id] {
            let effects = entry.start(now: now)
            servers[id] = entry
            out += apply(effects, server: id)
        }
        return out
    }

    /// An ACK belongs to a server INVITE transaction only when it acknowledges our non-2xx
    /// final response; otherwise (ACK for 2xx) it goes to the dialog layer.
    mutating func receiveAck(_ ack: SIPMessage, key: SIPServerMatchKey, from source: SIPTransportAddress,
                             now: MonotonicTime) -> [SIPTransactionAction] {
        if let id = inviteTransaction(matchingAck: key), var entry = servers[id] {
            let effects = entry.receiveAck(now: now)
            servers[id] = entry
            return apply(effects, server: id)
        }
        return [.deliverAck(ack, from: source)]
    }

    /// §17.2.3: with the magic cookie the key already maps ACK to INVITE. For RFC 2543 peers the
    /// ACK's To tag is the one from our response, so look the INVITE up by its own To tag
    /// (none for an initial INVITE, the dialog's for a re-INVITE) and compare the response's.
    func inviteTransaction(matchingAck key: SIPServerMatchKey) -> SIPServerTransactionID? {
        switch key {
        case .branch:
            guard let id = serverIndex[key], servers[id]?.isInvite == true else { return nil }
            return id
        case .legacy(let legacy):
            for candidate in [legacy, legacy.withToTag(nil)] {
                guard let id = serverIndex[.legacy(candidate)], let entry = servers[id], entry.isInvite else { continue }
                if candidate.toTag != nil || entry.responseToTag == legacy.toTag { return id }
            }
            return nil
        }
    }

    mutating func createServer(_ request: SIPMessage, key: SIPServerMatchKey, mergeKey: SIPMergeKey?,
                               destination: SIPTransportAddress, isInternal: Bool, now: MonotonicTime) -> SIPServerTransactionID {
        let id = SIPServerTransactionID(rawValue: takeID())
        let reliable = destination.transport.isReliable
        let machine: ServerEntry.Machine = request.method == .invite
            ? .invite(.init(request: request, reliable: reliable, timers: timers))
            : .nonInvite(.init(request: request, reliable: reliable, timers: timers))
        servers[id] = ServerEntry(machine: machine, destination: destination, key: key,
                                  mergeKey: mergeKey, isInternal: isInternal)
        serverIndex[key] = id
        if let mergeKey, mergeIndex[mergeKey] == nil { mergeIndex[mergeKey] = id }
        return id
    }

    mutating func makeTag() -> String {
        SIPRandomToken.make(length: 12, using: &random)
    }
}
