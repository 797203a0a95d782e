import CZeroMQ
#if canImport(Glibc)
import Glibc
#endif

/// One libzmq socket. Not thread-safe, like the socket it wraps: it is created, used and closed by one thread
/// (a `BusEndpoint` loop, or a benchmark's own thread), so it is deliberately not `Sendable`.
public final class ZMQSocket {
    public let type: SocketType
    let raw: UnsafeMutableRawPointer
    private let context: ZMQContext  // keeps the context alive while the socket is open
    private var closed = false
    /// Reused for every receive: a `zmq_msg_t` must not move after `zmq_msg_init`.
    let message: UnsafeMutablePointer<zmq_msg_t>
    /// Reused for zero-copy sends (two: a slot's message and a copy sharing its content, see `ZMQSocket+Slots`).
    let outgoing: UnsafeMutablePointer<zmq_msg_t>

    public init(context: ZMQContext, spec: SocketSpec) throws(BusError) {
        guard let s = zmq_socket(context.raw, spec.type.raw) else { throw BusError.last("zmq_socket") }
        self.raw = s
        self.type = spec.type
        self.context = context
        self.message = .allocate(capacity: 1)
        self.outgoing = .allocate(capacity: 2)
        do {
            try setInt(ZMQ_LINGER, 0)
            try setInt(ZMQ_SNDHWM, spec.sendHighWaterMark)
            try setInt(ZMQ_RCVHWM, spec.receiveHighWaterMark)
            try setInt(ZMQ_RECONNECT_IVL, spec.reconnectInterval)
            try setInt(ZMQ_RECONNECT_IVL_MAX, spec.reconnectIntervalMax)
            if spec.maxMessageSize >= 0 { try setInt64(ZMQ_MAXMSGSIZE, spec.maxMessageSize) }
            if spec.immediate { try setInt(ZMQ_IMMEDIATE, 1) }
            if spec.routerHandover, spec.type == .router { try setInt(ZMQ_ROUTER_HANDOVER, 1) }
            if let id = spec.identity { try setBytes(ZMQ_ROUTING_ID, id) }
            switch spec.security {
            case .none:
                if let domain = spec.zapDomain { try setBytes(ZMQ_ZAP_DOMAIN, Array(domain.utf8)) }
            case .curveServer(let secret, let domain):
                try setInt(ZMQ_CURVE_SERVER, 1)
                try setBytes(ZMQ_CURVE_SECRETKEY, Array(secret.utf8))
                try setBytes(ZMQ_ZAP_DOMAIN, Array(domain.utf8))
            case .curveClient(let server, let pub, let secret):
                try setBytes(ZMQ_CURVE_SERVERKEY, Array(server.utf8))
                try setBytes(ZMQ_CURVE_PUBLICKEY, Array(pub.utf8))
                try setBytes(ZMQ_CURVE_SECRETKEY, Array(secret.utf8))
            }
            if spec.type == .sub { for prefix in spec.subscriptions { try subscribe(prefix) } }
            for endpoint in spec.bind { try bind(endpoint) }
            for endpoint in spec.connect { try connect(endpoint) }
        } catch {
            close()
            throw error
        }
    }

    deinit {
        close()
        message.deallocate()
        outgoing.deallocate()
    }

    public func close() {
        guard !closed else { return }
        closed = true
        zmq_close(raw)
    }

    public func bind(_ endpoint: String) throws(BusError) {
        guard zmq_bind(raw, endpoint) == 0 else { throw BusError.last("bind \(endpoint)") }
    }

    public func connect(_ endpoint: String) throws(BusError) {
        guard zmq_connect(raw, endpoint) == 0 else { throw BusError.last("connect \(endpoint)") }
    }

    public func subscribe(_ prefix: [UInt8]) throws(BusError) { try setBytes(ZMQ_SUBSCRIBE, prefix) }
    public func unsubscribe(_ prefix: [UInt8]) throws(BusError) { try setBytes(ZMQ_UNSUBSCRIBE, prefix) }

    public func setInt(_ option: Int32, _ value: Int32) throws(BusError) {
        var v = value
        guard zmq_setsockopt(raw, option, &v, MemoryLayout<Int32>.size) == 0 else { throw BusError.last("setsockopt \(option)") }
    }

    public func setInt64(_ option: Int32, _ value: Int64) throws(BusError) {
        var v = value
        guard zmq_setsockopt(raw, option, &v, MemoryLayout<Int64>.size) == 0 else { throw BusError.last("setsockopt \(option)") }
    }

    public func setBytes(_ option: Int32, _ value: [UInt8]) throws(BusError) {
        let rc = value.withUnsafeBytes { zmq_setsockopt(raw, option, $0.baseAddress, $0.count) }
        guard rc == 0 else { throw BusError.last("setsockopt \(option)") }
    }

    /// Outcome of a non-blocking send.
    public enum SendResult: Sendable, Equatable {
        case sent
        /// The high-water mark is reached or no peer can take it (EAGAIN): the message was dropped.
        case wouldBlock
        case failed(BusError)
    }

    /// Sends a multipart message without blocking. libzmq sends multipart messages atomically: if the first
    /// frame goes, all go.
    @discardableResult
    public func send(_ frames: [[UInt8]], blocking: Bool = false) -> SendResult {
        for (i, frame) in frames.enumerated() {
            var flags: Int32 = blocking ? 0 : ZMQ_DONTWAIT
            if i < frames.count - 1 { flags |= ZMQ_SNDMORE }
            let result = frame.withUnsafeBytes { sendRaw($0, flags: flags) }
            if result != .sent { return result }
        }
        return .sent
    }

    /// Sends one frame from raw memory (copied by libzmq).
    public func send(bytes: UnsafeRawBufferPointer, more: Bool = false, blocking: Bool = false) -> SendResult {
        var flags: Int32 = blocking ? 0 : ZMQ_DONTWAIT
        if more { flags |= ZMQ_SNDMORE }
        return sendRaw(bytes, flags: flags)
    }

    private func sendRaw(_ bytes: UnsafeRawBufferPointer, flags: Int32) -> SendResult {
        while true {
            if zmq_send(raw, bytes.baseAddress, bytes.count, flags) >= 0 { return .sent }
            let e = zmq_errno()
            if e == EINTR { continue }
            if e == EAGAIN { return .wouldBlock }
            return .failed(BusError.last("send"))
        }
    }

    /// Sends a frame slot without copying: libzmq keeps a reference to the slot's memory and releases the slot
    /// once the bytes are on the wire (or dropped).
    public func send(slot: FrameSlot, count: Int, blocking: Bool = false) -> SendResult {
        guard Self.initMessage(outgoing, slot: slot, count: count) else { return .failed(BusError.last("zmq_msg_init_data")) }
        return send(message: outgoing, blocking: blocking)
    }

    /// Receives one whole multipart message without blocking; nil when none is waiting.
    /// Messages with more than `maxFrames` frames are drained and dropped (reported as `.oversized`).
    public func receive(maxFrames: Int = 16) -> ReceiveResult {
        var frames: [[UInt8]] = []
        var tooMany = false
        while true {
            switch receiveFrame() {
            case .none:
                return frames.isEmpty ? .empty : .message(frames)  // cannot happen mid-message: parts arrive atomically
            case .error(let e):
                return .failed(e)
            case .frame(let bytes, let more):
                if frames.count < maxFrames { frames.append(bytes) } else { tooMany = true }
                if !more { return tooMany ? .oversized(frameCount: frames.count + 1) : .message(frames) }
            }
        }
    }

    public enum ReceiveResult {
        case empty
        case message([[UInt8]])
        case oversized(frameCount: Int)
        case failed(BusError)
    }

    private enum FrameResult { case none, frame([UInt8], more: Bool), error(BusError) }

    private func receiveFrame() -> FrameResult {
        zmq_msg_init(message)
        defer { zmq_msg_close(message) }
        while true {
            let rc = zmq_msg_recv(message, raw, ZMQ_DONTWAIT)
            if rc >= 0 { break }
            let e = zmq_errno()
            if e == EINTR { continue }
            if e == EAGAIN { return .none }
            return .error(BusError.last("receive"))
        }
        let size = zmq_msg_size(message)
        let bytes = [UInt8](UnsafeRawBufferPointer(start: zmq_msg_data(message), count: size))
        return .frame(bytes, more: zmq_msg_more(message) != 0)
    }

    /// Receives one single-frame message into caller memory without allocating (the hot PCM path).
    /// Returns the frame's real size (which may exceed `buffer.count`: the bytes are then truncated), or nil.
    public func receive(into buffer: UnsafeMutableRawBufferPointer, blocking: Bool = false) -> Int? {
        while true {
            let rc = zmq_recv(raw, buffer.baseAddress, buffer.count, blocking ? 0 : ZMQ_DONTWAIT)
            if rc >= 0 { return Int(rc) }
            if zmq_errno() == EINTR { continue }
            return nil
        }
    }

    /// The endpoint the socket last bound or connected, with wildcards resolved (`tcp://127.0.0.1:*` becomes
    /// the port the kernel chose).
    public var lastEndpoint: String {
        var buffer = [CChar](repeating: 0, count: 512)
        var size = buffer.count
        guard zmq_getsockopt(raw, ZMQ_LAST_ENDPOINT, &buffer, &size) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether the last received frame had more parts (for the raw receive path).
    public var hasMore: Bool {
        var more: Int32 = 0
        var size = MemoryLayout<Int32>.size
        zmq_getsockopt(raw, ZMQ_RCVMORE, &more, &size)
        return more != 0
    }

    /// Waits until this socket is readable or `timeoutMs` passes (-1: forever).
    public func waitReadable(timeoutMs: Int) -> Bool {
        var item = zmq_pollitem_t(socket: raw, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
        while true {
            let rc = zmq_poll(&item, 1, timeoutMs)
            if rc >= 0 { return rc > 0 }
            if zmq_errno() != EINTR { return false }
        }
    }
}
