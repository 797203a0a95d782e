import Bus
import Foundation
import Logging
import ProcessSupport

/// Arguments every component executable takes from orch, and the common start-up path.
public struct ComponentOptions: Sendable {
    public var instance: String
    public var runDirectory: String
    public var name: String
    public var logLevel: String

    public init(instance: String, runDirectory: String, name: String, logLevel: String) {
        self.instance = instance
        self.runDirectory = runDirectory
        self.name = name
        self.logLevel = logLevel
    }

    /// Sets up logging and the agent; exits with a message naming the problem if the bus cannot be reached.
    public func makeAgent(role: String) -> (ComponentAgent, Logger) {
        LogSetup.bootstrap(level: LogSetup.level(named: logLevel))
        var logger = Logger(label: "sip-\(role)")
        logger[metadataKey: "component"] = "\(name)"
        logger[metadataKey: "pid"] = "\(getpid())"
        do {
            let agent = try ComponentAgent(name: name, role: role, runDirectory: runDirectory, logger: logger)
            logger.info("starting", metadata: ["instance": "\(instance)", "run_dir": "\(runDirectory)"])
            return (agent, logger)
        } catch {
            logger.critical("cannot connect to orch's control socket: \(error). Is the run directory \(runDirectory) right?")
            exit(1)
        }
    }
}
