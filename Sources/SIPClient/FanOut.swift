import Synchronization

/// The continuations of every stream handed out for one source: an `AsyncStream` has one consumer, so each
/// consumer gets its own stream and the source yields to all. A plain value: its owner guards it with a lock.
///
/// Yielding under the owner's lock is safe (a yield never calls back); finishing is not (it runs the streams'
/// termination handlers, which take the lock to remove themselves), so `takeAll()` hands them out to finish
/// outside the lock.
struct FanOut<Element: Sendable>: Sendable {
    private var continuations: [Int: AsyncStream<Element>.Continuation] = [:]
    private var nextID = 0

    mutating func add(_ continuation: AsyncStream<Element>.Continuation) -> Int {
        nextID += 1
        continuations[nextID] = continuation
        return nextID
    }

    mutating func remove(_ id: Int) { continuations[id] = nil }

    func yield(_ element: Element) {
        for continuation in continuations.values { continuation.yield(element) }
    }

    mutating func takeAll() -> [AsyncStream<Element>.Continuation] {
        defer { continuations.removeAll() }
        return Array(continuations.values)
    }

    var isEmpty: Bool { continuations.isEmpty }
}

/// A thread-safe `FanOut` for sources that need no other state under the same lock.
final class Broadcaster<Element: Sendable>: Sendable {
    private let state = Mutex<(fanOut: FanOut<Element>, finished: Bool)>((FanOut(), false))
    private let bufferSize: Int

    /// - Parameter bufferSize: elements kept for a slow consumer; beyond, the oldest are dropped.
    init(bufferSize: Int = 4096) { self.bufferSize = bufferSize }

    /// A new stream that receives every element yielded from now on. Finished at once after `finish()`.
    func stream() -> AsyncStream<Element> {
        let (stream, continuation) = AsyncStream.makeStream(of: Element.self, bufferingPolicy: .bufferingNewest(bufferSize))
        let id = state.withLock { s -> Int? in s.finished ? nil : s.fanOut.add(continuation) }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in self?.state.withLock { $0.fanOut.remove(id) } }
        return stream
    }

    func yield(_ element: Element) { state.withLock { $0.fanOut.yield(element) } }

    /// Ends every stream; later `stream()` calls get finished streams.
    func finish() {
        let all = state.withLock { s in
            s.finished = true
            return s.fanOut.takeAll()
        }
        all.forEach { $0.finish() }
    }
}
