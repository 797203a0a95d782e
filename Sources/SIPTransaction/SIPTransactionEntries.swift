import SIPCore
import Timebase

/// A client transaction as the layer stores it: the machine plus where it sends.
///
/// Why an enum inside: INVITE and non-INVITE machines differ in states and timers but the
/// layer treats them alike; this switch is the only place that knows both.
struct ClientEntry: Sendable {
    enum Machine: Sendable {
        case invite(SIPClientInviteTransaction)
        case nonInvite(SIPClientNonInviteTransaction)
    }

    var machine: Machine
    let destination: SIPTransportAddress
    let key: SIPClientMatchKey

    var nextDeadline: MonotonicTime? {
        switch machine {
        case .invite(let m): return m.nextDeadline
        case .nonInvite(let m): return m.nextDeadline
        }
    }

    var request: SIPMessage {
        switch machine {
        case .invite(let m): return m.request
        case .nonInvite(let m): return m.request
        }
    }

    var hasReceivedProvisional: Bool {
        switch machine {
        case .invite(let m): return m.hasReceivedProvisional
        case .nonInvite(let m): return m.hasReceivedProvisional
        }
    }

    mutating func start(now: MonotonicTime) -> [SIPTransactionEffect] {
        switch machine {
        case .invite(var m): defer { machine = .invite(m) }; return m.start(now: now)
        case .nonInvite(var m): defer { machine = .nonInvite(m) }; return m.start(now: now)
        }
    }

    mutating func receive(response: SIPMessage, now: MonotonicTime) -> [SIPTransactionEffect] {
        switch machine {
        case .invite(var m): defer { machine = .invite(m) }; return m.receive(response: response, now: now)
        case .nonInvite(var m): defer { machine = .nonInvite(m) }; return m.receive(response: response, now: now)
        }
    }

    mutating func advance(to now: MonotonicTime) -> [SIPTransactionEffect] {
        switch machine {
        case .invite(var m): defer { machine = .invite(m) }; return m.advance(to: now)
        case .nonInvite(var m): defer { machine = .nonInvite(m) }; return m.advance(to: now)
        }
    }

    mutating func transportFailed() -> [SIPTransactionEffect] {
        switch machine {
        case .invite(var m): defer { machine = .invite(m) }; return m.transportFailed()
        case .nonInvite(var m): defer { machine = .nonInvite(m) }; return m.transportFailed()
        }
    }
}

/// A server transaction as the layer stores it.
struct ServerEntry: Sendable {
    enum Machine: Sendable {
        case invite(SIPServerInviteTransaction)
        case nonInvite(SIPServerNonInviteTransaction)
    }

    var machine: Machine
    let destination: SIPTransportAddress
    let key: SIPServerMatchKey
    let mergeKey: SIPMergeKey?
    /// Created by the layer to answer 482 itself; the TU never hears of it.
    let isInternal: Bool

    var nextDeadline: MonotonicTime? {
        switch machine {
        case .invite(let m): return m.nextDeadline
        case .nonInvite(let m): return m.nextDeadline
        }
    }

    var request: SIPMessage {
        switch machine {
        case .invite(let m): return m.request
        case .nonInvite(let m): return m.request
        }
    }

    var isInvite: Bool {
        if case .invite = machine { return true }
        return false
    }

    var isAwaitingFinalResponse: Bool {
        switch machine {
        case .invite(let m): return m.isAwaitingFinalResponse
        case .nonInvite(let m): return m.isAwaitingFinalResponse
        }
    }

    /// The To tag our final response carried: an RFC 2543 ACK must echo it (§17.2.3).
    var responseToTag: String? {
        guard case .invite(let m) = machine, let r = m.lastResponse else { return nil }
        return (try? r.to())?.tag
    }

    mutating func start(now: MonotonicTime) -> [SIPTransactionEffect] {
        switch machine {
        case .invite(var m): defer { machine = .invite(m) }; return m.start(now: now)
        case .nonInvite: return []
        }
    }

    mutating func send(response: SIPMessage, now: MonotonicTime) -> [SIPTransactionEffect] {
        switch machine {
        case .invite(var m): defer { machine = .invite(m) }; return m.send(response: response, now: now)
        case .nonInvite(var m): defer { machine = .nonInvite(m) }; return m.send(response: response, now: now)
        }
    }

    mutating func receiveRetransmission(now: MonotonicTime) -> [SIPTransactionEffect] {
        switch machine {
        case .invite(var m): defer { machine = .invite(m) }; return m.receiveRetransmission(now: now)
        case .nonInvite(var m): defer { machine = .nonInvite(m) }; return m.receiveRetransmission(now: now)
        }
    }

    mutating func receiveAck(now: MonotonicTime) -> [SIPTransactionEffect] {
        switch machine {
        case .invite(var m): defer { machine = .invite(m) }; return m.receiveAck(now: now)
        case .nonInvite: return []
        }
    }

    mutating func advance(to now: MonotonicTime) -> [SIPTransactionEffect] {
        switch machine {
        case .invite(var m): defer { machine = .invite(m) }; return m.advance(to: now)
        case .nonInvite(var m): defer { machine = .nonInvite(m) }; return m.advance(to: now)
        }
    }

    mutating func transportFailed() -> [SIPTransactionEffect] {
        switch machine {
        case .invite(var m): defer { machine = .invite(m) }; return m.transportFailed()
        case .nonInvite(var m): defer { machine = .nonInvite(m) }; return m.transportFailed()
        }
    }
}
