import Foundation
import GroupControl
import ProcessSupport
import Timebase
import Wire

/// Finds the client's process group: attaches to it when it runs, else starts it (what `sipc up` does) and
/// remembers that this client owns it.
enum GroupConnector {
    /// The instance to talk to, and whether we started it.
    static func connect(_ configuration: SIPClientConfiguration) async throws(SIPClientError) -> (handle: InstanceHandle, owns: Bool) {
        let handle = InstanceHandle(runDirectory: configuration.runDirectory)
        if try await waitForRunning(handle) {
            guard configuration.attachIfRunning else { throw .instanceAlreadyRunning(instance: handle.name) }
            return (handle, false)
        }
        do {
            _ = try await GroupLauncher.up(instance: handle, orchArguments: configuration.orchArguments,
                                           timeout: configuration.startTimeout)
            return (handle, true)
        } catch {
            // Another client may have started the same instance a moment ago: use it.
            if configuration.attachIfRunning, (try? await waitForRunning(handle)) == true { return (handle, false) }
            throw .startFailed(instance: handle.name, reason: "\(error)")
        }
    }

    /// True when orch runs and answers; waits a few seconds while its keeper restarts it.
    private static func waitForRunning(_ handle: InstanceHandle) async throws(SIPClientError) -> Bool {
        let deadline = MonotonicClock.now() + .seconds(5)
        while true {
            if handle.orchPID != nil {
                if (try? await handle.request("ping", timeout: .seconds(2))) != nil { return true }
            } else if handle.runDirectory.runningKeeperPID() == nil {
                return false
            }
            guard MonotonicClock.now() < deadline else {
                throw .instanceUnavailable(instance: handle.name, reason: "its orch does not answer a ping (restarting or hung)")
            }
            do { try await Task.sleep(for: .milliseconds(50)) } catch { throw .cancelled }
        }
    }

    /// Stops a group this client started; returns once its processes are gone and its sockets removed.
    static func stop(_ handle: InstanceHandle) async {
        _ = try? await GroupLauncher.down(instance: handle, timeout: .seconds(10))
    }
}
