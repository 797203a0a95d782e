import SIPCore
import Timebase

/// Owns every transaction of one SIP endpoint and routes messages and timers to them
/// (RFC 3261 §17), sans I/O.
///
/// Why a struct of dictionaries: the runtime calls it from one actor; each call takes the
/// current time and returns the actions to perform, in order, so the whole layer is driven by
/// tests with a virtual clock. Terminated transactions are dropped from every index in the same
/// call that terminated them, so memory is bounded by `maxTransactions` plus what the TU starts.
///
/// Runtime loop:
/// ```
/// receive(msg, from:, now:) / advance(to: now) / TU calls  ->  [SIPTransactionAction]
/// sleep until nextDeadline (or the next packet)
/// ```
/// Scale note: `nextDeadline` and `advance` scan all transactions (O(n)); fine for a softphone's
/// tens of transactions, replace by a heap if the layer ever serves thousands.
public struct SIPTransactionLayer: Sendable {
    public let configuration: SIPTransactionLayerConfiguration
    public var timers: SIPTimerSettings { configuration.timers }

    /// Requests answered 503 because `maxTransactions` was reached.
    public internal(set) var rejectedForLimit = 0
    /// Requests answered 482 as merged (§8.2.2.2).
    public internal(set) var rejectedAsMerged = 0
    /// Messages dropped: unparsable key headers, foreign sent-by, unmatched non-2xx responses.
    public internal(set) var discarded = 0

    var clients: [SIPClientTransactionID: ClientEntry] = [:]
    var clientIndex: [SIPClientMatchKey: SIPClientTransactionID] = [:]
    var servers: [SIPServerTransactionID: ServerEntry] = [:]
    var serverIndex: [SIPServerMatchKey: SIPServerTransactionID] = [:]
    var mergeIndex: [SIPMergeKey: SIPServerTransactionID] = [:]
    var nextID: UInt64 = 1
    var random: SIPSplitMix64

    /// - Parameter seed: fixes the To tags of layer-generated responses (tests); nil seeds from
    ///   the system generator.
    public init(configuration: SIPTransactionLayerConfiguration = .init(), seed: UInt64? = nil) {
        self.configuration = configuration
        self.random = seed.map(SIPSplitMix64.init(seed:)) ?? SIPSplitMix64()
    }

    /// Live transactions, client and server.
    public var count: Int { clients.count + servers.count }

    /// The earliest pending timer; the runtime calls `advance(to:)` then.
    public var nextDeadline: MonotonicTime? {
        let c = clients.values.compactMap { $0.nextDeadline }.min()
        let s = servers.values.compactMap { $0.nextDeadline }.min()
        return [c, s].compactMap { $0 }.min()
    }

    // MARK: - Client side

    /// Starts a client transaction for `request` (never ACK) towards `destination`.
    /// The request must already carry its final top Via with a unique branch (`SIPBranch.make()`).
    public mutating func sendRequest(_ request: SIPMessage, to destination: SIPTransportAddress,
                                     now: MonotonicTime) throws(SIPTransactionError) -> (SIPClientTransactionID, [SIPTransactionAction]) {
        guard let method = request.method else { throw .notARequest }
        guard method != .ack else { throw .ackIsNotATransaction }
        guard let via = try? request.topVia(), let branch = via.branch, !branch.isEmpty else { throw .missingBranch }
        guard let cseq = try? request.cseq(), cseq.method == method else { throw .badCSeq }
        let key = SIPClientMatchKey(branch: branch, method: method)
        guard clientIndex[key] == nil else { throw .duplicateTransaction }

        let id = SIPClientTransactionID(rawValue: takeID())
        let reliable = destination.transport.isReliable
        var entry: ClientEntry
        if method == .invite {
            entry = ClientEntry(machine: .invite(.init(request: request, reliable: reliable, timers: timers)),
                                destination: destination, key: key)
        } else {
            entry = ClientEntry(machine: .nonInvite(.init(request: request, reliable: reliable, timers: timers)),
                                destination: destination, key: key)
        }
        let effects = entry.start(now: now)
        clients[id] = entry
        clientIndex[key] = id
        return (id, apply(effects, client: id))
    }

    /// The transport failed to send for this client transaction (e.g. ICMP, connection refused).
    public mutating func transportFailed(client id: SIPClientTransactionID, now: MonotonicTime) -> [SIPTransactionAction] {
        guard var entry = clients[id] else { return [] }
        let effects = entry.transportFailed()
        clients[id] = entry
        return apply(effects, client: id)
    }

    /// True once the INVITE (or other request) got a provisional response: CANCEL is allowed.
    public func hasReceivedProvisional(_ id: SIPClientTransactionID) -> Bool {
        clients[id]?.hasReceivedProvisional ?? false
    }

    /// The request a live client transaction sent.
    public func request(for id: SIPClientTransactionID) -> SIPMessage? { clients[id]?.request }

    // MARK: - Server side

    /// The TU's response for a server transaction. Responses to unknown (already terminated)
    /// transactions and responses after a final one are ignored.
    public mutating func sendResponse(_ response: SIPMessage, transaction id: SIPServerTransactionID,
                                      now: MonotonicTime) -> [SIPTransactionAction] {
        guard response.isResponse, var entry = servers[id] else { return [] }
        let effects = entry.send(response: response, now: now)
        servers[id] = entry
        return apply(effects, server: id)
    }

    /// The transport failed to send a response for this server transaction.
    public mutating func transportFailed(server id: SIPServerTransactionID, now: MonotonicTime) -> [SIPTransactionAction] {
        guard var entry = servers[id] else { return [] }
        let effects = entry.transportFailed()
        servers[id] = entry
        return apply(effects, server: id)
    }

    /// True while the server transaction has not sent a final response.
    public func isAwaitingFinalResponse(_ id: SIPServerTransactionID) -> Bool {
        servers[id]?.isAwaitingFinalResponse ?? false
    }

    /// The request (Via stamped) that created a live server transaction.
    public func request(for id: SIPServerTransactionID) -> SIPMessage? { servers[id]?.request }

    /// Where responses of a live server transaction go (§18.2.2).
    public func responseDestination(for id: SIPServerTransactionID) -> SIPTransportAddress? {
        servers[id]?.destination
    }

    /// True while the transaction exists.
    public func contains(_ id: SIPTransactionID) -> Bool {
        switch id {
        case .client(let c): return clients[c] != nil
        case .server(let s): return servers[s] != nil
        }
    }

    // MARK: - Timers

    /// Fires every timer due at or before `now`, transaction by transaction in deadline order.
    /// Retransmission timers are rescheduled from their due time, not from `now`, so a late call
    /// reproduces the RFC schedule exactly.
    public mutating func advance(to now: MonotonicTime) -> [SIPTransactionAction] {
        var due: [(MonotonicTime, SIPTransactionID)] = []
        for (id, entry) in clients { if let d = entry.nextDeadline, d <= now { due.append((d, .client(id))) } }
        for (id, entry) in servers { if let d = entry.nextDeadline, d <= now { due.append((d, .server(id))) } }
        due.sort { a, b in
            if a.0 != b.0 { return a.0 < b.0 }
            return Self.order(a.1) < Self.order(b.1)
        }
        var out: [SIPTransactionAction] = []
        for (_, id) in due {
            switch id {
            case .client(let c):
                guard var entry = clients[c] else { continue }
                let effects = entry.advance(to: now)
                clients[c] = entry
                out += apply(effects, client: c)
            case .server(let s):
                guard var entry = servers[s] else { continue }
                let effects = entry.advance(to: now)
                servers[s] = entry
                out += apply(effects, server: s)
            }
        }
        return out
    }

    /// Stable tie-break for timers due at the same instant: creation order.
    static func order(_ id: SIPTransactionID) -> UInt64 {
        switch id {
        case .client(let c): return c.rawValue
        case .server(let s): return s.rawValue
        }
    }

    // MARK: - Effects to actions

    mutating func takeID() -> UInt64 {
        defer { nextID += 1 }
        return nextID
    }

    /// Maps a client machine's effects to actions and forgets the transaction once terminated.
    mutating func apply(_ effects: [SIPTransactionEffect], client id: SIPClientTransactionID) -> [SIPTransactionAction] {
        guard let entry = clients[id] else { return [] }
        var out: [SIPTransactionAction] = []
        for effect in effects {
            switch effect {
            case .send(let m): out.append(.send(m, to: entry.destination))
            case .deliver(let m): out.append(.deliverResponse(m, transaction: id))
            case .timeout: out.append(.timeout(id))
            case .transportError: out.append(.transportError(.client(id)))
            case .terminated:
                clients[id] = nil
                if clientIndex[entry.key] == id { clientIndex[entry.key] = nil }
                out.append(.terminated(.client(id)))
            }
        }
        return out
    }

    /// Maps a server machine's effects to actions and forgets the transaction once terminated.
    /// Transactions the layer answered itself (482) stay invisible to the TU.
    mutating func apply(_ effects: [SIPTransactionEffect], server id: SIPServerTransactionID) -> [SIPTransactionAction] {
        guard let entry = servers[id] else { return [] }
        var out: [SIPTransactionAction] = []
        for effect in effects {
            switch effect {
            case .send(let m): out.append(.send(m, to: entry.destination))
            case .deliver: break   // server machines never deliver; the layer does on creation
            case .timeout: if !entry.isInternal { out.append(.ackTimeout(id)) }
            case .transportError: if !entry.isInternal { out.append(.transportError(.server(id))) }
            case .terminated:
                servers[id] = nil
                if serverIndex[entry.key] == id { serverIndex[entry.key] = nil }
                if let m = entry.mergeKey, mergeIndex[m] == id { mergeIndex[m] = nil }
                if !entry.isInternal { out.append(.terminated(.server(id))) }
            }
        }
        return out
    }
}
