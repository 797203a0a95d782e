import CZeroMQ
#if canImport(Glibc)
import Glibc
#endif

/// A libzmq context. libzmq documents contexts as thread-safe, hence `@unchecked Sendable`.
/// Every socket holds a strong reference to its context, so the context is terminated only after the last
/// socket is closed (`zmq_ctx_term` would block forever otherwise).
public final class ZMQContext: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer

    public init(ioThreads: Int32 = 1) throws(BusError) {
        guard let ctx = zmq_ctx_new() else { throw BusError.last("zmq_ctx_new") }
        raw = ctx
        zmq_ctx_set(ctx, ZMQ_IO_THREADS, ioThreads)
        // Do not block process exit on unsent messages.
        zmq_ctx_set(ctx, ZMQ_BLOCKY, 0)
    }

    /// The context every process uses unless a test wants isolation.
    public static let shared: ZMQContext = {
        // A context can only fail to be created when the process is out of file descriptors or memory.
        guard let ctx = try? ZMQContext() else { fatalError("sip-client: cannot create a ZeroMQ context (out of file descriptors?)") }
        return ctx
    }()

    deinit {
        while zmq_ctx_term(raw) != 0 && zmq_errno() == EINTR {}
    }

    /// Whether libzmq was built with a capability such as "ipc" or "curve".
    public static func has(_ capability: String) -> Bool { zmq_has(capability) != 0 }

    public static var version: String {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }
}

/// A ZeroMQ failure, with the libzmq errno and what we were doing.
public struct BusError: Error, Sendable, Equatable, CustomStringConvertible {
    public var operation: String
    public var errno: Int32
    public var message: String

    public init(operation: String, errno: Int32, message: String) {
        self.operation = operation
        self.errno = errno
        self.message = message
    }

    static func last(_ operation: String) -> BusError {
        let code = zmq_errno()
        return BusError(operation: operation, errno: code, message: String(cString: zmq_strerror(code)))
    }

    public var description: String { "\(operation): \(message)" }
}
