import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where an instance keeps its runtime files (sockets, pid file, logs): a private (0700) directory under
/// `$XDG_RUNTIME_DIR/sip-client/`, else `<temp>/sip-client-<uid>/`. One directory per instance, so instances
/// run side by side.
public struct RunDirectory: Sendable, Equatable {
    public let instance: String
    public let path: String

    public init(instance: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.instance = instance
        self.path = Self.base(environment) + "/" + instance
    }

    public init(instance: String, path: String) {
        self.instance = instance
        self.path = path
    }

    static func base(_ env: [String: String]) -> String {
        if let xdg = env["XDG_RUNTIME_DIR"], !xdg.isEmpty { return xdg + "/sip-client" }
        let tmp = (env["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp")
        return tmp.hasSuffix("/") ? "\(tmp)sip-client-\(getuid())" : "\(tmp)/sip-client-\(getuid())"
    }

    /// Instance names become path components and socket names: keep them short and plain.
    public static func validate(instance: String) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        guard !instance.isEmpty, instance.count <= 32, instance.allSatisfy(allowed.contains), !instance.hasPrefix(".") else {
            return "instance name '\(instance)' is invalid: use 1-32 letters, digits, '-', '_' or '.'"
        }
        return nil
    }

    public var pidFile: String { path + "/orch.pid" }
    /// The keeper: the small parent that restarts sip-orch itself (see `OrchKeeper`).
    public var keeperPidFile: String { path + "/keeper.pid" }
    public var logFile: String { path + "/orch.log" }
    public func componentLog(_ name: String) -> String { path + "/\(name).log" }

    /// Creates the directory (and its parent) with mode 0700.
    public func create() throws {
        let parent = (path as NSString).deletingLastPathComponent
        for dir in [parent, path] {
            if mkdir(dir, 0o700) != 0 && errno != EEXIST {
                throw RunDirectoryError(message: "cannot create run directory \(dir): \(String(cString: strerror(errno)))")
            }
            chmod(dir, 0o700)
        }
        // ipc:// endpoints are limited to 107 bytes of path.
        if path.utf8.count + 20 > 107 {
            throw RunDirectoryError(message: "run directory path \(path) is too long for ipc sockets; set XDG_RUNTIME_DIR to a shorter directory")
        }
    }

    /// Removes the directory and everything in it (socket files, logs are kept only while the instance runs).
    public func remove(keepLogs: Bool = false) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: path) else { return }
        for entry in entries where !(keepLogs && entry.hasSuffix(".log")) {
            unlink(path + "/" + entry)
        }
        rmdir(path)
    }

    /// The pid written by a running orch, if the process still exists.
    public func runningOrchPID() -> pid_t? { runningPID(in: pidFile) }

    /// The pid of the instance's keeper, if it still exists.
    public func runningKeeperPID() -> pid_t? { runningPID(in: keeperPidFile) }

    private func runningPID(in file: String) -> pid_t? {
        guard let text = try? readSmallFile(file),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)),
              ChildProcess.isRunning(pid) else { return nil }
        return pid
    }
}

public struct RunDirectoryError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
