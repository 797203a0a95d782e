import Foundation
import Synchronization
import Timebase

/// One call, placed with `SIPClient.call(_:options:)` or received from `SIPClient.incomingCalls`.
///
/// The object follows the call's `call.state` events from the moment it exists (the client routes them here), so
/// `state`, `waitForAnswer()` and `waitForEnd()` never miss a change. It stays valid after the call ended: its
/// end and final figures remain readable.
public final class Call: Sendable, CustomStringConvertible {
    /// The instance's id of the call (orch's), used in every command and event about it.
    public let id: String
    /// The peer: the URI we called, or the caller's From URI.
    public let remoteURI: String
    /// Who placed the call.
    public let direction: CallDirection

    let core: ClientCore
    private struct Inner: Sendable {
        var store: CallStateStore
        var stateStreams = FanOut<CallState>()
        var audioStreams: [ObjectIdentifier: CallAudioStream] = [:]
    }
    private let inner: Mutex<Inner>
    private let ended = Latch<CallEnd>()

    init(id: String, remoteURI: String, direction: CallDirection, state: CallState, core: ClientCore) {
        self.id = id
        self.remoteURI = remoteURI
        self.direction = direction
        self.core = core
        inner = Mutex(Inner(store: CallStateStore(direction: direction, state: state)))
    }

    /// The call's current state. Async so that the state is read the same way whether it is cached here (today)
    /// or asked of the instance.
    public var state: CallState {
        get async { inner.withLock { $0.store.state } }
    }

    /// The negotiated codec (`PCMU`, `PCMA`), once the SDP settled.
    public var codec: String? {
        get async { inner.withLock { $0.store.codec } }
    }

    /// Every state the call went through so far, in order, starting with its first known one.
    public var stateHistory: [CallState] {
        get async { inner.withLock { $0.store.history } }
    }

    /// The call's states: first its current one, then each change, finishing after `terminated`. Each access gives
    /// a new stream, so several tasks can follow the same call.
    public var stateChanges: AsyncStream<CallState> {
        let (stream, continuation) = AsyncStream.makeStream(of: CallState.self, bufferingPolicy: .bufferingNewest(64))
        let registered = inner.withLock { s -> Int? in
            continuation.yield(s.store.state)
            return s.store.isTerminated ? nil : s.stateStreams.add(continuation)
        }
        if let registered {
            continuation.onTermination = { [weak self] _ in self?.inner.withLock { $0.stateStreams.remove(registered) } }
        } else {
            continuation.finish()
        }
        return stream
    }

    /// The call for logs: id, direction and peer.
    public var description: String { "Call(\(id), \(direction), \(remoteURI))" }

    // MARK: inputs from the client's event router

    func apply(_ event: CallStateEvent) {
        perform { $0.apply(event, now: MonotonicClock.now()) }
    }

    func mediaStopped(_ statistics: CallStatistics) {
        perform { $0.mediaStopped(statistics) }
    }

    func clientClosed(reason: String) {
        perform { $0.clientClosed(reason: reason, now: MonotonicClock.now()) }
    }

    func noteAnswering() { inner.withLock { $0.store.noteAnswering() } }

    /// Why the call ended, as soon as it is terminated (before the final figures are in).
    var termination: CallStateStore.Termination? { inner.withLock { $0.store.termination } }

    /// The call's end once resolved (terminated and final figures in), nil before.
    var resolvedEnd: CallEnd? { ended.value }

    /// Waits for the end; nil when the waiting task is cancelled.
    func awaitEnd() async -> CallEnd? { await ended.wait() }

    /// Runs one input of the state machine and carries out its actions: state yields under the lock (so a new
    /// `stateChanges` stream sees the current state and then every later one), the rest outside it.
    private func perform(_ input: (inout CallStateStore) -> [CallStateStore.Action]) {
        let (actions, finished, streams) = inner.withLock { s -> ([CallStateStore.Action], [AsyncStream<CallState>.Continuation], [CallAudioStream]) in
            let actions = input(&s.store)
            var finished: [AsyncStream<CallState>.Continuation] = []
            var streams: [CallAudioStream] = []
            for action in actions {
                switch action {
                case .publish(let state):
                    s.stateStreams.yield(state)
                    if state == .terminated { finished = s.stateStreams.takeAll() }
                case .closeMedia:
                    streams = Array(s.audioStreams.values)
                    s.audioStreams.removeAll()
                default:
                    break
                }
            }
            return (actions, finished, streams)
        }
        finished.forEach { $0.finish() }
        streams.forEach { $0.close() }
        for action in actions {
            switch action {
            case .startGrace:
                Task { [weak self] in
                    try? await Task.sleep(for: CallStateStore.graceAfterEnd)
                    self?.perform { $0.graceExpired() }
                }
            case .resolve(let end):
                ended.resolve(end)
                core.callResolved(self)
            default:
                break
            }
        }
    }

    /// Keeps an audio stream to close when the call ends; false (and the stream is closed) if it already ended.
    func adopt(_ stream: CallAudioStream) -> Bool {
        let open = inner.withLock { s -> Bool in
            guard !s.store.isTerminated else { return false }
            s.audioStreams[ObjectIdentifier(stream)] = stream
            return true
        }
        if !open { stream.close() }
        return open
    }

    func forget(_ stream: CallAudioStream) {
        _ = inner.withLock { $0.audioStreams.removeValue(forKey: ObjectIdentifier(stream)) }
    }
}
