import Bus
import Foundation
import Logging
import ProcessSupport
import Wire

/// Arguments every component executable takes from orch, and the common start-up path.
public struct ComponentOptions: Sendable {
    public var instance: String
    public var runDirectory: String
    public var name: String
    public var logLevel: String
    /// orch's control endpoint when not the run directory's `ctl.sock` (a worker on another host), and its security.
    public var control: String?
    public var security: SocketSecurity = .none

    public init(instance: String, runDirectory: String, name: String, logLevel: String) {
        self.instance = instance
        self.runDirectory = runDirectory
        self.name = name
        self.logLevel = logLevel
    }

    /// Sets up logging and the agent; exits with a message naming the problem if the bus cannot be reached.
    /// - Parameter bootstrapLogging: false the second time in one process (a standby taking over: logging is set up).
    public func makeAgent(role: String, bootstrapLogging: Bool = true) -> (ComponentAgent, Logger) {
        if bootstrapLogging { LogSetup.bootstrap(level: LogSetup.level(named: logLevel)) }
        var logger = Logger(label: "sip-\(role)")
        logger[metadataKey: "component"] = "\(name)"
        logger[metadataKey: "pid"] = "\(getpid())"
        do {
            let agent = try ComponentAgent(name: name, role: role, control: control ?? InstanceEndpoints(runDirectory: runDirectory).control,
                                           security: security, logger: logger)
            logger.info("starting", metadata: ["instance": "\(instance)", "run_dir": "\(runDirectory)"])
            return (agent, logger)
        } catch {
            logger.critical("cannot connect to orch's control socket: \(error). Is the run directory \(runDirectory) right?")
            exit(1)
        }
    }
}

extension ComponentOptions {
    /// Sends this process's stdout and stderr on to `<run dir>/<name>.log` (appending), where orch put the log of the
    /// component the process now is: a standby that took over `rtp-1` logs to `rtp-1.log`, as an operator expects.
    public func redirectLog() {
        let fd = open("\(runDirectory)/\(name).log", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { return }
        fflush(nil)  // every output stream
        dup2(fd, 1)
        dup2(fd, 2)
        close(fd)
    }
}
