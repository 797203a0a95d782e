import Foundation
import Logging
import ProcessSupport
import Timebase
#if canImport(Glibc)
import Glibc
#endif
import CPosix

/// The keeper: a deliberately tiny parent of `sip-orch` that restarts it when it dies, so the supervisor itself
/// is supervised. It is a child subreaper: components orphaned by a dead orch are re-parented to it (and reaped
/// by it), keep running, and are adopted by the restarted orch, so calls survive an orch crash.
///
/// It holds no state and speaks no protocol; it only forwards SIGTERM/SIGINT and waits.
public enum OrchKeeper {
    /// Runs until orch exits cleanly (after a shutdown) or the keeper is told to stop. Returns an exit code.
    public static func run(orchExecutable: String, arguments: [String], runDirectory: RunDirectory, logger: Logger) async -> Int32 {
        _ = cposix_set_child_subreaper()
        try? runDirectory.create()
        try? "\(getpid())\n".write(toFile: runDirectory.keeperPidFile, atomically: true, encoding: .utf8)
        defer { unlink(runDirectory.keeperPidFile) }
        let state = KeeperState()
        let signals = SignalStream.watch()
        SignalStream.ignoreSIGPIPE()
        let forwarder = Task {
            for await sig in signals {
                logger.info("keeper: stopping on \(ChildProcess.signalName(sig))")
                await state.stop()
            }
        }
        defer { forwarder.cancel() }

        var restarts = 0
        // At most 2 s between restarts: the components wait `orch_timeout_s` (5 s by default) for an orch before
        // giving up their calls, so the keeper must never be the one that makes them wait longer.
        var backoff = RestartBackoff(initial: .milliseconds(100), maximum: .seconds(2))
        while true {
            var args = arguments + ["--supervisor", "--orch-restarts", String(restarts)]
            if restarts > 0 { args.append("--adopting") }
            let started = MonotonicClock.now()
            let pid: pid_t
            do {
                pid = try ChildProcess.spawn(orchExecutable, arguments: args)
            } catch {
                logger.critical("keeper: \(error)")
                return 1
            }
            await state.setOrch(pid)
            let status = await waitForChild(pid)
            let termination = ChildProcess.Termination(status: status)
            if await state.isStopping || termination == .exited(0) {
                logger.info("keeper: orch \(termination); done")
                await reapRemaining()
                return 0
            }
            if termination == .exited(1) || termination == .exited(2) {
                // orch refused to start (configuration, already running): restarting cannot help.
                logger.critical("keeper: orch \(termination) at start-up; not restarting")
                return 1
            }
            // An orch that ran a couple of seconds came up fine: its death is not a start-up crash loop.
            if MonotonicClock.now().since(started) > .seconds(2) { backoff.reset() }
            let delay = backoff.take()
            restarts += 1
            logger.warning("keeper: orch \(termination); restarting in \(delay) (restart \(restarts))")
            try? await Task.sleep(for: delay)
            if await state.isStopping { return 0 }
        }
    }

    /// Waits for `pid` while reaping every other child (orphaned components re-parented to us).
    private static func waitForChild(_ pid: pid_t) async -> Int32 {
        while true {
            var status: Int32 = 0
            let reaped = waitpid(-1, &status, WNOHANG)
            if reaped == pid { return status }
            if reaped > 0 { continue }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// After orch has gone for good, collect any child that is still exiting so none is left a zombie.
    private static func reapRemaining() async {
        let deadline = MonotonicClock.now() + .seconds(5)
        while MonotonicClock.now() < deadline {
            var status: Int32 = 0
            let reaped = waitpid(-1, &status, WNOHANG)
            if reaped < 0 { return }  // ECHILD: nothing left
            if reaped == 0 { try? await Task.sleep(for: .milliseconds(20)) }
        }
    }
}

private actor KeeperState {
    private var orch: pid_t = 0
    private(set) var isStopping = false

    func setOrch(_ pid: pid_t) {
        orch = pid
        if isStopping { kill(pid, SIGTERM) }
    }

    func stop() {
        isStopping = true
        if orch > 0 { kill(orch, SIGTERM) }
    }
}
