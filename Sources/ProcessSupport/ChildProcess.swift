import CPosix
#if canImport(Glibc)
import Glibc
#endif

/// Starting and signalling child processes with `posix_spawn`, which (unlike Foundation's `Process`) leaves
/// reaping to us: the supervisor owns `waitpid` for all its children.
public enum ChildProcess {
    public struct SpawnError: Error, Sendable, CustomStringConvertible {
        public var executable: String
        public var errno: Int32
        public var description: String { "cannot start \(executable): \(String(cString: strerror(errno)))" }
    }

    /// Starts `executable` with `arguments`. Output goes to `logFile` (appended) or is inherited.
    /// Signal dispositions and the mask are reset to defaults in the child, whatever the parent set.
    /// - Parameter newSession: run the child in its own session (detached from the caller's terminal).
    public static func spawn(_ executable: String, arguments: [String], environment: [String: String]? = nil,
                             logFile: String? = nil, newSession: Bool = false) throws(SpawnError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let logFile {
            posix_spawn_file_actions_addopen(&actions, 1, logFile, O_WRONLY | O_CREAT | O_APPEND, 0o600)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        // A daemon must not keep its launcher's descriptors (a caller reading sipc's output through a pipe
        // would otherwise never see end-of-file while the group runs).
        cposix_spawn_close_from(&actions, 3)

        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGPIPE, SIGQUIT] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        var flags = Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        if newSession { flags |= cposix_spawn_setsid_flag() }
        posix_spawnattr_setflags(&attr, flags)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = (environment ?? currentEnvironment()).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { env.forEach { free($0) } }

        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attr, argv, env)
        guard rc == 0 else { throw SpawnError(executable: executable, errno: rc) }
        return pid
    }

    public static func currentEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") { result[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
            p += 1
        }
        return result
    }

    /// Whether a process with this pid exists (it may be a zombie).
    public static func isAlive(_ pid: pid_t) -> Bool {
        guard pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    /// Whether a process exists and is not a zombie (reads /proc, Linux).
    public static func isRunning(_ pid: pid_t) -> Bool {
        guard isAlive(pid) else { return false }
        guard let stat = try? readSmallFile("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return true }
        let rest = stat[stat.index(after: close)...].drop(while: { $0 == " " })
        return rest.first != "Z"
    }

    @discardableResult
    public static func signal(_ pid: pid_t, _ sig: Int32) -> Bool { pid > 0 && kill(pid, sig) == 0 }

    /// How a child ended, from its `waitpid` status.
    public enum Termination: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)
        /// A process we did not start (adopted after an orch restart) is gone; its status went to its parent.
        case vanished

        public init(status: Int32) {
            if cposix_wifsignaled(status) != 0 { self = .signalled(cposix_wtermsig(status)) } else { self = .exited(cposix_wexitstatus(status)) }
        }

        public var description: String {
            switch self {
            case .exited(let code): "exited with status \(code)"
            case .signalled(let sig): "killed by signal \(sig) (\(signalName(sig)))"
            case .vanished: "exited (status unknown: started by a previous orch)"
            }
        }
    }

    public static func signalName(_ sig: Int32) -> String {
        switch sig {
        case SIGKILL: "SIGKILL"
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        case SIGSEGV: "SIGSEGV"
        case SIGABRT: "SIGABRT"
        case SIGILL: "SIGILL"
        case SIGTRAP: "SIGTRAP"
        case SIGBUS: "SIGBUS"
        default: "signal \(sig)"
        }
    }
}

/// Reads a small text file (procfs, pid files) without Foundation.
public func readSmallFile(_ path: String, limit: Int = 65536) throws -> String {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw POSIXErrorCode(rawValue: errno).map { POSIXError($0) } ?? POSIXError(.EIO) }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while bytes.count < limit {
        let n = read(fd, &chunk, chunk.count)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        bytes += chunk[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}

public struct POSIXError: Error, Sendable, CustomStringConvertible {
    public var code: POSIXErrorCode
    public init(_ code: POSIXErrorCode) { self.code = code }
    public var description: String { String(cString: strerror(code.rawValue)) }
}
