import CPosix
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Termination signals as an AsyncSequence. The default disposition is replaced (the signal is ignored and
/// observed through a dispatch source), so a process can shut down in order instead of dying mid-write.
public enum SignalStream {
    public static func watch(_ signals: [Int32] = [SIGTERM, SIGINT]) -> AsyncStream<Int32> {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        let queue = DispatchQueue(label: "signals")
        var sources: [any DispatchSourceSignal] = []
        for sig in signals {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { continuation.yield(sig) }
            source.resume()
            sources.append(source)
        }
        let keep = SourceBox(sources)
        continuation.onTermination = { _ in keep.cancel() }
        return stream
    }

    /// Writing to a closed pipe must return EPIPE, not kill the process.
    public static func ignoreSIGPIPE() { signal(SIGPIPE, SIG_IGN) }
}

private final class SourceBox: @unchecked Sendable {
    // Only touched at creation and at termination.
    let sources: [any DispatchSourceSignal]
    init(_ sources: [any DispatchSourceSignal]) { self.sources = sources }
    func cancel() { sources.forEach { $0.cancel() } }
}
