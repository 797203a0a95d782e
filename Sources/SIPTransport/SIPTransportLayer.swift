import NIOCore
import NIOPosix
import SIPCore
import Synchronization
import Timebase

/// SIP over UDP and TCP on SwiftNIO (RFC 3261 §18): listens on the configured addresses, parses what arrives
/// into `inbound`, and sends messages, reusing an open TCP connection to the same peer (inbound or outbound)
/// before opening a new one.
///
/// Pure SIP logic lives above this type: it neither retransmits nor routes; it moves bytes and frames them.
/// TLS will be one more `SIPTransportKind` with a channel initializer; nothing above changes.
public final class SIPTransportLayer: Sendable {
    public let settings: SIPTransportSettings
    /// Every message (or parse failure) received, in arrival order.
    public var inbound: AsyncStream<SIPInbound> { sink.stream }

    private let group: MultiThreadedEventLoopGroup
    private let sink: InboundSink
    private struct Listeners {
        var udp: [(local: SIPTransportAddress, channel: any Channel)] = []
        var tcp: [(local: SIPTransportAddress, channel: any Channel)] = []
    }
    private let listeners = Mutex(Listeners())

    public init(settings: SIPTransportSettings, trace: SIPTraceHook? = nil, inboundQueueLimit: Int = 4096) {
        self.settings = settings
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.sink = InboundSink(limits: settings.limits, maxConnections: settings.maxConnections,
                                queueLimit: inboundQueueLimit, trace: trace)
    }

    public var counters: SIPTransportCounters { sink.snapshot }

    /// Binds every listener. Returns the bound addresses (with the real port when `settings.port` was 0;
    /// TCP then uses the port UDP got, so one port serves both).
    @discardableResult
    public func start() async throws(SIPTransportError) -> [SIPTransportAddress] {
        var bound: [SIPTransportAddress] = []
        for host in settings.listenHosts {
            var port = Int(settings.port)
            if settings.transports.contains(.udp) {
                let channel = try await bindUDP(host: host, port: port)
                guard let local = channel.localAddress?.sipAddress(.udp) else { throw .bindFailed(host, "no local address") }
                port = Int(local.port)
                listeners.withLock { $0.udp.append((local, channel)) }
                bound.append(local)
            }
            if settings.transports.contains(.tcp) {
                let channel = try await bindTCP(host: host, port: port)
                guard let local = channel.localAddress?.sipAddress(.tcp) else { throw .bindFailed(host, "no local address") }
                listeners.withLock { $0.tcp.append((local, channel)) }
                bound.append(local)
            }
        }
        return bound
    }

    /// The addresses bound so far.
    public var localAddresses: [SIPTransportAddress] {
        listeners.withLock { $0.udp.map(\.local) + $0.tcp.map(\.local) }
    }

    /// The address to put in Via and Contact for messages to `destination` over `transport`: the listener of the
    /// same IP family; a wildcard listener is replaced by the source address the kernel would pick.
    public func advertisedAddress(transport: SIPTransportKind, towards destinationHost: String) -> SIPTransportAddress? {
        let wantV6 = destinationHost.contains(":")
        let candidates = listeners.withLock { l in (transport == .udp ? l.udp : l.tcp).map(\.local) }
        guard var local = candidates.first(where: { $0.host.contains(":") == wantV6 }) ?? candidates.first else { return nil }
        if SIPTransportAddress.isWildcard(local.host) {
            local.host = SourceAddressProbe.localIP(towards: destinationHost) ?? (wantV6 ? "::1" : "127.0.0.1")
        }
        return local
    }

    /// Serializes and sends. UDP goes out of the listener of the destination's family (so the source port is our
    /// SIP port, which symmetric peers and `rport` rely on); TCP reuses or opens a connection.
    public func send(_ message: SIPMessage, to destination: SIPTransportAddress) async throws(SIPTransportError) {
        try await send(bytes: message.serialized(), to: destination)
    }

    public func send(bytes: [UInt8], to destination: SIPTransportAddress) async throws(SIPTransportError) {
        switch destination.transport {
        case .udp:
            guard settings.transports.contains(.udp) else { throw .unsupportedTransport(.udp) }
            let address = try destination.socketAddress()
            let channel = listeners.withLock { l in
                l.udp.first(where: { $0.local.host.contains(":") == address.isIPv6 })?.channel
            }
            guard let channel else { throw .noSocketForFamily(destination.host) }
            var buffer = channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            try await write(AddressedEnvelope(remoteAddress: address, data: buffer), on: channel)
        case .tcp:
            guard settings.transports.contains(.tcp) else { throw .unsupportedTransport(.tcp) }
            let channel = try await connection(to: destination)
            var buffer = channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            try await write(buffer, on: channel)
        case .tls:
            throw .unsupportedTransport(.tls)
        }
        sink.sent(bytes, to: destination)
    }

    /// Sends a datagram without waiting for the write to complete: writes from one caller leave in call order
    /// (they are queued on the event loop), so a sender can stream without a thread hop per message. A failure is
    /// reported through `onFailure`, on the event loop.
    public func sendDatagram(_ bytes: [UInt8], to destination: SIPTransportAddress,
                             onFailure: @escaping @Sendable (SIPTransportError) -> Void) throws(SIPTransportError) {
        guard settings.transports.contains(.udp) else { throw .unsupportedTransport(.udp) }
        let address = try destination.socketAddress()
        let channel = listeners.withLock { l in l.udp.first(where: { $0.local.host.contains(":") == address.isIPv6 })?.channel }
        guard let channel else { throw .noSocketForFamily(destination.host) }
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        let sink = self.sink
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: buffer)).whenComplete { result in
            switch result {
            case .success: sink.sent(bytes, to: destination)
            case .failure(let error):
                sink.sendFailed()
                onFailure(.writeFailed("\(error)"))
            }
        }
    }

    /// Closes every socket and ends `inbound`.
    public func shutdown() async {
        let channels = listeners.withLock { l in l.udp.map(\.channel) + l.tcp.map(\.channel) } + sink.allConnections()
        for channel in channels { try? await channel.close() }
        listeners.withLock { $0 = Listeners() }
        sink.finish()
        try? await group.shutdownGracefully()
    }

    // MARK: private

    private func write<T: Sendable>(_ data: T, on channel: any Channel) async throws(SIPTransportError) {
        do {
            try await channel.writeAndFlush(data)
        } catch {
            sink.sendFailed()
            throw .writeFailed("\(error)")
        }
    }

    private func connection(to destination: SIPTransportAddress) async throws(SIPTransportError) -> any Channel {
        if let existing = sink.connection(to: destination), existing.isActive { return existing }
        guard sink.connectionCount() < settings.maxConnections else { throw .tooManyConnections(settings.maxConnections) }
        let address = try destination.socketAddress()
        let sink = self.sink
        let limits = settings.limits
        let idle = settings.idleTimeout
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.nanoseconds(settings.connectTimeout.wholeNanoseconds))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(allTimeout: .nanoseconds(idle.wholeNanoseconds)))
                    try channel.pipeline.syncOperations.addHandler(StreamHandler(sink: sink, transport: .tcp, limits: limits))
                }
            }
        do {
            let channel = try await bootstrap.connect(to: address).get()
            // The handler registered it under the remote address the kernel reports, which may be a normalised
            // form of `destination`; register the name we were asked for too.
            if sink.connection(to: destination) == nil { sink.connectionOpened(destination, channel: channel) }
            return channel
        } catch {
            sink.sendFailed()
            throw .connectFailed(destination, "\(error)")
        }
    }

    private func bindUDP(host: String, port: Int) async throws(SIPTransportError) -> any Channel {
        let sink = self.sink
        let maxSize = settings.limits.maxMessageSize
        let bootstrap = DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: max(maxSize + 1, 2048)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(DatagramHandler(sink: sink))
                }
            }
        do {
            return try await bootstrap.bind(host: host, port: port).get()
        } catch {
            throw .bindFailed("udp:\(host):\(port)", "\(error)")
        }
    }

    private func bindTCP(host: String, port: Int) async throws(SIPTransportError) -> any Channel {
        let sink = self.sink
        let limits = settings.limits
        let idle = settings.idleTimeout
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(allTimeout: .nanoseconds(idle.wholeNanoseconds)))
                    try channel.pipeline.syncOperations.addHandler(StreamHandler(sink: sink, transport: .tcp, limits: limits))
                }
            }
        do {
            return try await bootstrap.bind(host: host, port: port).get()
        } catch {
            throw .bindFailed("tcp:\(host):\(port)", "\(error)")
        }
    }
}
