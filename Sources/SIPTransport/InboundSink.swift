import NIOCore
import SIPCore
import Synchronization

/// Direction of a traced message.
public enum SIPTraceDirection: String, Sendable {
    case received = "recv"
    case sent = "send"
}

/// Receives a copy of every message in and out when tracing is on (RFC-style troubleshooting logs).
public typealias SIPTraceHook = @Sendable (SIPTraceDirection, SIPTransportAddress, [UInt8]) -> Void

/// The shared state behind the handlers of every socket: parsing, the inbound stream, the table of open TCP
/// connections (reused for sends and for responses, §18.2.2) and the counters.
final class InboundSink: Sendable {
    let stream: AsyncStream<SIPInbound>
    private let continuation: AsyncStream<SIPInbound>.Continuation
    private let parser: SIPMessageParser
    private let counters = Mutex(SIPTransportCounters())
    private let connections = Mutex<[SIPTransportAddress: any Channel]>([:])
    private let trace: SIPTraceHook?
    let maxConnections: Int

    init(limits: SIPParserLimits, maxConnections: Int, queueLimit: Int, trace: SIPTraceHook?) {
        (stream, continuation) = AsyncStream.makeStream(of: SIPInbound.self, bufferingPolicy: .bufferingOldest(queueLimit))
        parser = SIPMessageParser(limits: limits)
        self.maxConnections = maxConnections
        self.trace = trace
    }

    var snapshot: SIPTransportCounters {
        var c = counters.withLock { $0 }
        c.connectionsOpen = connections.withLock { $0.count }
        return c
    }

    func finish() { continuation.finish() }

    func datagram(_ bytes: UnsafeRawBufferPointer, from: SIPTransportAddress, local: SIPTransportAddress) {
        if bytes.allSatisfy({ $0 == 0x0D || $0 == 0x0A }) {  // RFC 5626 keep-alive, or an empty datagram
            keepAlive()
            return
        }
        trace?(.received, from, Array(bytes))
        do {
            let message = try parser.parseDatagram(bytes)
            deliver(.message(message, from: from, local: local))
        } catch {
            let raw = Array(bytes.prefix(parser.limits.maxMessageSize))
            counters.withLock { $0.malformed += 1 }
            deliver(.malformed(raw: raw, error: error, from: from, local: local))
        }
    }

    func message(_ message: SIPMessage, from: SIPTransportAddress, local: SIPTransportAddress) {
        if let trace { trace(.received, from, message.serialized()) }
        deliver(.message(message, from: from, local: local))
    }

    func malformed(_ raw: [UInt8], error: SIPParseError, from: SIPTransportAddress, local: SIPTransportAddress) {
        trace?(.received, from, raw)
        counters.withLock { $0.malformed += 1 }
        deliver(.malformed(raw: raw, error: error, from: from, local: local))
    }

    private func deliver(_ inbound: SIPInbound) {
        if case .message = inbound { counters.withLock { $0.messagesIn += 1 } }
        if case .dropped = continuation.yield(inbound) { counters.withLock { $0.inboundDropped += 1 } }
    }

    func keepAlive() { counters.withLock { $0.keepAlives += 1 } }
    func sent(_ bytes: [UInt8], to: SIPTransportAddress) {
        counters.withLock { $0.messagesOut += 1 }
        trace?(.sent, to, bytes)
    }
    func sendFailed() { counters.withLock { $0.sendFailures += 1 } }

    // MARK: connections

    func connectionOpened(_ remote: SIPTransportAddress, channel: any Channel) {
        enum Outcome { case added, known, refused }
        let outcome = connections.withLock { table -> Outcome in
            if let current = table[remote], current === channel { return .known }  // registered by the connect path
            guard table.count < maxConnections else { return .refused }
            table[remote] = channel
            return .added
        }
        switch outcome {
        case .added: counters.withLock { $0.connectionsAccepted += 1 }
        case .known: break
        case .refused:
            counters.withLock { $0.connectionsRefused += 1 }
            channel.close(promise: nil)
        }
    }

    func connectionClosed(_ remote: SIPTransportAddress, channel: any Channel) {
        connections.withLock { table in
            if let current = table[remote], current === channel { table[remote] = nil }
        }
    }

    func connection(to remote: SIPTransportAddress) -> (any Channel)? {
        connections.withLock { $0[remote] }
    }

    func connectionCount() -> Int { connections.withLock { $0.count } }

    func allConnections() -> [any Channel] { connections.withLock { Array($0.values) } }
}
