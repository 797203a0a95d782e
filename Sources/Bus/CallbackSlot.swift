import Synchronization

/// A callback that can be set (or replaced) from any thread and called from another, such as a bus endpoint's.
///
/// Why not a `Mutex` of a closure: `withLock { $0 }` passes the stored closure `inout` through a generic
/// context, and each write-back wraps it in one more reabstraction thunk, so every call gets slower than the
/// last (seen as sip-audio's CPU climbing to 80 % under load). A class reference is stored as is.
public final class CallbackSlot<Argument>: Sendable {
    private final class Callback: Sendable {
        let body: @Sendable (Argument) -> Void
        init(_ body: @escaping @Sendable (Argument) -> Void) { self.body = body }
    }
    private let slot = Mutex<Callback?>(nil)

    public init() {}

    public func set(_ body: @escaping @Sendable (Argument) -> Void) { slot.withLock { $0 = Callback(body) } }

    public var isSet: Bool { slot.withLock { $0 != nil } }

    /// Calls the callback, if one is set (outside the lock).
    public func callAsFunction(_ argument: Argument) { slot.withLock { $0 }?.body(argument) }
}
