import Bus
import Foundation
import ProcessSupport
import Timebase
import Wire
#if canImport(Glibc)
import Glibc
#endif

/// Starts and stops an instance's process group (what `sipc up` and `sipc down` do).
public enum GroupLauncher {
    public struct LaunchError: Error, CustomStringConvertible {
        public var message: String
        public init(_ message: String) { self.message = message }
        public var description: String { message }
    }

    /// Starts `sip-orch` detached (own session, output to `orch.log` in the run directory) and waits until every
    /// component reports up. Fails with orch's own words if it exits first.
    public static func up(instance: InstanceHandle, orchArguments: [String], timeout: Duration = .seconds(20)) async throws -> OrchAPI.Status.Result {
        if let pid = instance.orchPID ?? instance.runDirectory.runningKeeperPID() {
            throw LaunchError("instance '\(instance.name)' is already running (orch pid \(pid)); stop it with 'sipc down --instance \(instance.name)' or choose another --instance")
        }
        guard let orch = Executables.locate("sip-orch") else {
            throw LaunchError("cannot find the sip-orch executable beside sipc, in $SIPC_BIN_DIR or on $PATH; build with 'swift build' or set SIPC_BIN_DIR")
        }
        let dir = instance.runDirectory
        try dir.create()
        // Sockets of a previous run that was killed would otherwise look alive to connecting clients.
        for file in instance.endpoints.socketFiles { unlink(file) }
        let log = dir.logFile
        let logStart = fileSize(log)
        let pid = try ChildProcess.spawn(orch, arguments: ["--instance", instance.name, "--run-dir", dir.path] + orchArguments,
                                         logFile: log, newSession: true)
        let deadline = MonotonicClock.now() + timeout
        var lastStatus: OrchAPI.Status.Result?
        while MonotonicClock.now() < deadline {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                let reason = ChildProcess.Termination(status: status)
                throw LaunchError("sip-orch \(reason) during start-up:\n" + tail(of: log, from: logStart))
            }
            if let s = try? await instance.status(timeout: .milliseconds(500)) {
                lastStatus = s
                if s.allUp { return s }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let notUp = (lastStatus?.components ?? []).filter { $0.state != "up" }
            .map { "\($0.name) (\($0.state)\($0.lastExit.map { ", last exit: \($0)" } ?? ""))" }
        _ = try? await instance.request(OrchAPI.Shutdown(), timeout: .seconds(1))
        throw LaunchError("instance '\(instance.name)' did not come up within \(timeout); not up: \(notUp.joined(separator: ", ")). See \(dir.path)/*.log")
    }

    /// Stops the group and returns once every one of its processes has exited. Escalates to SIGKILL of the whole
    /// process group if orch does not finish in time.
    public static func down(instance: InstanceHandle, timeout: Duration = .seconds(10)) async throws -> [Int32] {
        let keeperPID = instance.runDirectory.runningKeeperPID()
        guard let anchor = instance.orchPID ?? keeperPID else { return [] }
        var pids: Set<Int32> = [anchor]
        if let keeperPID { pids.insert(keeperPID) }
        if let status = try? await instance.status(timeout: .seconds(1)) { pids.formUnion(instance.pids(in: status)) }
        if (try? await instance.request(OrchAPI.Shutdown(), timeout: .seconds(1))) == nil {
            ChildProcess.signal(keeperPID ?? anchor, SIGTERM)
        }
        let deadline = MonotonicClock.now() + timeout
        while MonotonicClock.now() < deadline, pids.contains(where: ChildProcess.isRunning) {
            try await Task.sleep(for: .milliseconds(25))
        }
        let survivors = pids.filter(ChildProcess.isRunning)
        if !survivors.isEmpty {
            kill(-(keeperPID ?? anchor), SIGKILL)  // the keeper leads the instance's process group
            survivors.forEach { ChildProcess.signal($0, SIGKILL) }
            let hard = MonotonicClock.now() + .seconds(2)
            while MonotonicClock.now() < hard, pids.contains(where: ChildProcess.isRunning) { try await Task.sleep(for: .milliseconds(25)) }
        }
        for file in instance.endpoints.socketFiles { unlink(file) }
        unlink(instance.runDirectory.pidFile)
        unlink(instance.runDirectory.keeperPidFile)
        return Array(pids)
    }

    static func fileSize(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : 0
    }

    static func tail(of path: String, from offset: Int, maxLines: Int = 20) -> String {
        guard let text = try? readSmallFile(path, limit: 1 << 20) else { return "(no log at \(path))" }
        let utf8 = Array(text.utf8)
        let fresh = String(decoding: utf8[min(offset, utf8.count)...], as: UTF8.self)
        return fresh.split(separator: "\n").suffix(maxLines).joined(separator: "\n")
    }
}
