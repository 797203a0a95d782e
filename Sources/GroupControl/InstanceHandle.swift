import Bus
import Foundation
import ProcessSupport
import Wire

/// A running (or not) instance, seen from outside: where it lives and how to ask it things.
public struct InstanceHandle: Sendable {
    public let runDirectory: RunDirectory
    public var endpoints: InstanceEndpoints { InstanceEndpoints(runDirectory: runDirectory.path) }

    public init(runDirectory: RunDirectory) { self.runDirectory = runDirectory }

    public var name: String { runDirectory.instance }

    /// orch's pid, when its pid file names a live process.
    public var orchPID: Int32? { runDirectory.runningOrchPID() }

    public struct NotRunning: Error, CustomStringConvertible {
        public let instance: String
        public let runDirectory: String
        public init(instance: String, runDirectory: String) {
            self.instance = instance
            self.runDirectory = runDirectory
        }
        public var description: String {
            "instance '\(instance)' is not running (no orch in \(runDirectory)); start it with 'sipc up --instance \(instance)'"
        }
    }

    /// Sends one request to orch and returns its result.
    public func request(_ command: String, args: [String: JSONValue] = [:], timeout: Duration = .seconds(3)) async throws -> JSONValue {
        var wait = timeout
        if orchPID == nil {
            if let keeper = runDirectory.runningKeeperPID() {
                throw WireError(.unavailable, "instance '\(name)' is restarting its orch (keeper pid \(keeper)); try again in a moment")
            }
            // No live pid here, but a socket: orch may run in another PID namespace (a container sharing the run
            // directory). Ask it briefly; a socket left behind by a dead orch does not answer.
            guard FileManager.default.fileExists(atPath: String(endpoints.control.dropFirst("ipc://".count))),
                  FileManager.default.fileExists(atPath: runDirectory.pidFile) else {
                throw NotRunning(instance: name, runDirectory: runDirectory.path)
            }
            wait = min(timeout, .seconds(2))
        }
        let client = try ControlClient(connectTo: endpoints.control)
        defer { client.shutdown() }
        do {
            return try await client.request(command, args: args, timeout: wait)
        } catch let error as WireError where error.code == .timeout && orchPID == nil {
            throw NotRunning(instance: name, runDirectory: runDirectory.path)
        }
    }

    /// orch's `status`: the group's components, registrations and calls.
    public func status(timeout: Duration = .seconds(3)) async throws -> OrchAPI.Status.Result {
        try await request(OrchAPI.Status(), timeout: timeout)
    }

    /// Every pid of the group that orch reports, orch included.
    public func pids(in status: OrchAPI.Status.Result) -> [Int32] { status.pids }
}

extension InstanceHandle {
    /// Sends one typed command to orch and decodes its typed result.
    public func request<C: WireCommand>(_ command: C, timeout: Duration = .seconds(3)) async throws -> C.Result {
        try await requestKeepingJSON(command, timeout: timeout).result
    }

    /// Sends one typed command and returns its typed result together with the JSON it came as: what a `--json`
    /// output prints as is (fields a later version adds included).
    public func requestKeepingJSON<C: WireCommand>(_ command: C, timeout: Duration = .seconds(3)) async throws
        -> (result: C.Result, json: JSONValue) {
        let value = try await request(C.name, args: command.jsonObject, timeout: timeout)
        return (try C.Result(wire: value, at: WirePath("result.")), value)
    }
}
