import Foundation
import Synchronization

/// A ZAP handler (ZeroMQ RFC 27): libzmq asks it, for every connection to a socket with a ZAP domain, whether the
/// peer may in. For CURVE the question carries the client's public key, which must be one of the domain's authorised
/// keys; everything else is refused.
///
/// The owner of the sockets it guards creates it (orch for `remote.listen`, sip-audio for `remote.audio_listen`),
/// installs the domains' policies with `setPolicy` before binding them, and observes the decisions.
///
/// One per context: libzmq finds the handler by the fixed address `inproc://zeromq.zap.01` bound in the sockets'
/// context, so a second instance on the same context cannot bind it and `init` throws `StartError.alreadyRunning`
/// (share the first one, or give the sockets another `ZMQContext`). It answers from `init` until `shutdown()`; shut
/// it down only after the sockets it guards are closed, because libzmq admits every CURVE client of a socket whose
/// context has no handler.
public final class ZAPAuthenticator: Sendable {
    /// Why a handler could not start.
    public enum StartError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The context has a ZAP handler already (libzmq allows one per context).
        case alreadyRunning
        /// The handler's socket could not be created.
        case bus(BusError)

        public var description: String {
            switch self {
            case .alreadyRunning:
                "this ZeroMQ context has a ZAP handler already (inproc://zeromq.zap.01 is bound): use that ZAPAuthenticator, or another ZMQContext"
            case .bus(let error): "cannot start the ZAP handler: \(error)"
            }
        }
    }

    /// Who gets in on a domain.
    public enum Policy: Sendable, Equatable {
        /// CURVE clients whose public key (Z85) is in the set.
        case curve(authorized: Set<String>)
        /// Any client of the NULL mechanism (plain text; only ever set up for loopback endpoints).
        case plaintext
    }

    /// A decision, for logs and counters.
    public struct Decision: Sendable, Equatable {
        public var domain: String
        public var address: String
        public var mechanism: String
        public var publicKey: String?
        public var allowed: Bool
    }

    private let policies = Mutex<[String: Policy]>([:])
    private let endpoint: BusEndpoint
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let counts = Mutex<(allowed: Int, denied: Int)>((0, 0))
    private let observer = CallbackSlot<Decision>()

    /// Binds the handler's address in `context` and starts answering (every domain is refused until it has a policy).
    public init(context: ZMQContext = .shared) throws(StartError) {
        let spec = SocketSpec(type: .router, bind: ["inproc://zeromq.zap.01"])
        do {
            endpoint = try BusEndpoint(name: "zap", context: context, sockets: [spec], inboundBuffer: 1000, maxFramesPerMessage: 16)
        } catch {
            throw error.errno == EADDRINUSE ? .alreadyRunning : .bus(error)
        }
        let inbound = endpoint.inbound
        task.withLock { $0 = Task { [self] in for await message in inbound { answer(message) } } }
    }

    /// Sets (or replaces) a domain's policy. Call before binding the socket.
    public func setPolicy(_ policy: Policy, for domain: String) {
        policies.withLock { $0[domain] = policy }
    }

    /// Called with every decision (e.g. to log refused workers with their key).
    public func onDecision(_ handler: @escaping @Sendable (Decision) -> Void) { observer.set(handler) }

    public var allowedCount: Int { counts.withLock { $0.allowed } }
    public var deniedCount: Int { counts.withLock { $0.denied } }

    /// Stops answering and releases the handler's address. Idempotent.
    public func shutdown() {
        endpoint.shutdown()
        task.withLock { $0?.cancel() }
    }

    /// frames: routing id, empty, "1.0", request id, domain, address, identity, mechanism, credentials...
    private func answer(_ message: BusMessage) {
        let f = message.frames
        guard f.count >= 8, f[1].isEmpty else { return }
        let text = { (i: Int) in String(decoding: f[i], as: UTF8.self) }
        let requestID = f[3], domain = text(4), address = text(5), mechanism = text(7)
        let policy = policies.withLock { $0[domain] }
        var key: String?
        let allowed: Bool
        switch (policy, mechanism) {
        case (.curve(let authorized)?, "CURVE"):
            key = f.count >= 9 ? CurveKeyPair.z85(f[8]) : nil
            allowed = key.map(authorized.contains) ?? false
        case (.plaintext?, "NULL"):
            allowed = true
        default:
            allowed = false
        }
        counts.withLock { if allowed { $0.allowed += 1 } else { $0.denied += 1 } }
        observer(Decision(domain: domain, address: address, mechanism: mechanism, publicKey: key, allowed: allowed))
        let status = allowed ? "200" : "400"
        let reason = allowed ? "OK" : (mechanism == "CURVE" ? "public key not authorised" : "mechanism \(mechanism) not allowed")
        endpoint.send([f[0], [], Array("1.0".utf8), requestID, Array(status.utf8), Array(reason.utf8),
                       Array((key ?? "").utf8), []])
    }
}
