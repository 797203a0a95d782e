import Foundation
import Synchronization
import Wire

/// A control message received by a `ControlServer`, with the routing envelope needed to answer it.
public struct ControlInbound: Sendable {
    /// ROUTER envelope: the peer's routing id (and an empty delimiter frame for REQ peers).
    public var envelope: [[UInt8]]
    public var message: ControlMessage

    /// The peer's routing id as text (components use their name).
    public var peer: String { String(decoding: envelope.first ?? [], as: UTF8.self) }
}

/// The answering side of the control protocol over a ROUTER socket (orch's `ctl.sock`).
///
/// Malformed input never reaches the application: a message that cannot be decoded is answered with an error
/// reply naming the defect (echoing its `id` when one can be read) and counted.
public final class ControlServer: Sendable {
    private let endpoint: BusEndpoint
    private let decoder: Decoder
    public let messages: AsyncStream<ControlInbound>
    private let pump: Mutex<Task<Void, Never>?> = Mutex(nil)

    /// Decodes on the endpoint's thread (no hop through a task per message) and answers what it cannot decode.
    private final class Decoder: Sendable {
        let rejected = Atomic<Int>(0)
        /// For error replies; cleared at shutdown (the endpoint's handler holds this decoder).
        let endpoint = Mutex<BusEndpoint?>(nil)

        func decode(_ message: BusMessage) -> ControlInbound? {
            guard message.frames.count >= 2, let body = message.frames.last else {
                rejected.add(1, ordering: .relaxed)
                return nil  // no envelope + body: nothing to answer
            }
            let envelope = Array(message.frames.dropLast())
            do {
                return ControlInbound(envelope: envelope, message: try ControlMessage.decode(body))
            } catch {
                rejected.add(1, ordering: .relaxed)
                let id = ControlMessage.salvageID(body)
                endpoint.withLock { $0 }?.send(envelope + [ControlMessage.reply(Reply(id: id, error: error)).encoded()])
                return nil
            }
        }
    }

    /// - Parameter security: `.curveServer` for a `tcp://` endpoint other hosts reach (with a `ZAPAuthenticator` policy).
    public init(bindTo address: String, security: SocketSecurity = .none, zapDomain: String? = nil,
                context: ZMQContext = .shared) throws(BusError) {
        var spec = SocketSpec(type: .router, bind: [address])
        spec.security = security
        spec.zapDomain = zapDomain
        spec.routerHandover = true  // a restarted component reconnects under its old name
        spec.maxMessageSize = Int64(WireLimits.maxControlMessageBytes * 16)
        spec.sendHighWaterMark = 10_000
        spec.receiveHighWaterMark = 10_000
        let (stream, continuation) = AsyncStream.makeStream(of: ControlInbound.self, bufferingPolicy: .bufferingOldest(10_000))
        messages = stream
        let decoder = Decoder()
        self.decoder = decoder
        endpoint = try BusEndpoint(name: "control", context: context, sockets: [spec]) { message in
            if let decoded = decoder.decode(message) { continuation.yield(decoded) }
        }
        decoder.endpoint.withLock { $0 = endpoint }
        let inbound = endpoint.inbound
        let task = Task {
            for await _ in inbound {}  // ends when the endpoint stops
            continuation.finish()
        }
        pump.withLock { $0 = task }
    }

    deinit { decoder.endpoint.withLock { $0 = nil } }

    /// Messages refused as malformed, oversized or of an unknown kind or version.
    public var rejectedCount: Int { decoder.rejected.load(ordering: .relaxed) }
    public var counters: BusCounters { endpoint.stats }

    public func send(_ message: ControlMessage, to envelope: [[UInt8]]) {
        endpoint.send(envelope + [message.encoded()])
    }

    /// Sends to a peer by routing id (a component's name).
    public func send(_ message: ControlMessage, toPeer peer: String) {
        endpoint.send([Array(peer.utf8), message.encoded()])
    }

    public func reply(_ inbound: ControlInbound, _ reply: Reply) {
        send(.reply(reply), to: inbound.envelope)
    }

    public func shutdown() {
        endpoint.shutdown()
        decoder.endpoint.withLock { $0 = nil }
        pump.withLock { $0?.cancel() }
    }

    /// The endpoint actually bound (a `tcp://…:*` wildcard resolved to its port).
    public var boundEndpoint: String { endpoint.boundEndpoints.first ?? "" }
}
