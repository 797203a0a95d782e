import Foundation
import Synchronization

/// The process's ZAP handler (ZeroMQ RFC 27): libzmq asks it, for every connection to a socket with a ZAP domain,
/// whether the peer may in. For CURVE the question carries the client's public key, which must be one of the domain's
/// authorised keys; everything else is refused. One per process (it binds `inproc://zeromq.zap.01` in the shared
/// context), started on first use.
public final class ZAPAuthenticator: Sendable {
    public static let shared = ZAPAuthenticator()

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
    private let endpoint = Mutex<BusEndpoint?>(nil)
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let counts = Mutex<(allowed: Int, denied: Int)>((0, 0))
    private let observer = CallbackSlot<Decision>()

    private init() {}

    /// Sets (or replaces) a domain's policy and makes sure the handler runs. Call before binding the socket.
    public func setPolicy(_ policy: Policy, for domain: String) throws(BusError) {
        policies.withLock { $0[domain] = policy }
        try start()
    }

    /// Called with every decision (e.g. to log refused workers with their key).
    public func onDecision(_ handler: @escaping @Sendable (Decision) -> Void) { observer.set(handler) }

    public var allowedCount: Int { counts.withLock { $0.allowed } }
    public var deniedCount: Int { counts.withLock { $0.denied } }

    private func start() throws(BusError) {
        try endpoint.withLock { (slot: inout BusEndpoint?) throws(BusError) in
            guard slot == nil else { return }
            let spec = SocketSpec(type: .router, bind: ["inproc://zeromq.zap.01"])
            let created = try BusEndpoint(name: "zap", sockets: [spec], inboundBuffer: 1000, maxFramesPerMessage: 16)
            slot = created
            let inbound = created.inbound
            task.withLock {
                $0 = Task { [self] in
                    for await message in inbound { answer(message, on: created) }
                }
            }
        }
    }

    /// frames: routing id, empty, "1.0", request id, domain, address, identity, mechanism, credentials...
    private func answer(_ message: BusMessage, on endpoint: BusEndpoint) {
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
