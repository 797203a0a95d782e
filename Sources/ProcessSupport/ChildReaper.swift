import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reaps every child of this process on a dedicated thread (`waitpid` blocks) and reports each exit, so no
/// zombie is left behind and the supervisor learns of deaths at once instead of at its next check.
public final class ChildReaper: Sendable {
    public struct Exit: Sendable, Equatable {
        public var pid: pid_t
        public var termination: ChildProcess.Termination
    }

    public let exits: AsyncStream<Exit>

    public init() {
        let (stream, continuation) = AsyncStream.makeStream(of: Exit.self)
        exits = stream
        let thread = Thread {
            while true {
                var status: Int32 = 0
                let pid = waitpid(-1, &status, 0)
                if pid > 0 {
                    continuation.yield(Exit(pid: pid, termination: .init(status: status)))
                } else if errno == ECHILD {
                    usleep(20_000)  // no children right now; this thread has nothing else to do
                }
            }
        }
        thread.name = "reaper"
        thread.start()
    }
}
