import CZeroMQ

/// ZeroMQ socket patterns used by the bus.
public enum SocketType: Sendable {
    case router, dealer, pub, sub, push, pull, pair

    var raw: Int32 {
        switch self {
        case .router: ZMQ_ROUTER
        case .dealer: ZMQ_DEALER
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .push: ZMQ_PUSH
        case .pull: ZMQ_PULL
        case .pair: ZMQ_PAIR
        }
    }
}

/// Everything needed to create a socket inside the thread that will own it.
public struct SocketSpec: Sendable {
    public var type: SocketType
    public var bind: [String] = []
    public var connect: [String] = []
    /// ZMQ_ROUTING_ID: how a ROUTER peer addresses this socket.
    public var identity: [UInt8]? = nil
    /// SUB prefixes; an empty prefix subscribes to everything.
    public var subscriptions: [[UInt8]] = []
    public var sendHighWaterMark: Int32 = 1000
    public var receiveHighWaterMark: Int32 = 1000
    /// ZMQ_IMMEDIATE: queue only to completed connections, so a dead peer does not collect stale messages.
    public var immediate: Bool = false
    /// ZMQ_ROUTER_HANDOVER: a reconnecting peer with a known identity takes over (restarted components).
    public var routerHandover: Bool = false
    /// ZMQ_MAXMSGSIZE: peers sending larger messages are disconnected (hard limit; -1 is none).
    public var maxMessageSize: Int64 = -1
    /// ZMQ_RECONNECT_IVL and _MAX in ms: how fast a connecting socket retries a vanished peer.
    public var reconnectInterval: Int32 = 10
    public var reconnectIntervalMax: Int32 = 1000
    /// CURVE (authenticated, encrypted) or none; see `SocketSecurity`.
    public var security: SocketSecurity = .none
    /// ZAP domain for a plain-text socket whose peers the `ZAPAuthenticator` must still admit (`.plaintext` policy).
    public var zapDomain: String? = nil
    /// Inbound messages go to the endpoint's `frameHandler` as borrowed bytes instead of a `BusMessage` (the
    /// allocation-free PCM path, see `BusEndpoint`).
    public var borrowsFrames: Bool = false

    public init(type: SocketType, bind: [String] = [], connect: [String] = []) {
        self.type = type
        self.bind = bind
        self.connect = connect
    }
}
