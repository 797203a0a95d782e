import CPosix
import Logging

/// Logging bootstrap for executables (libraries only take a `Logger`): one line per record on stderr,
/// line-buffered so a killed process loses nothing, with the component name as label.
public enum LogSetup {
    public static func bootstrap(level: Logger.Level = .info) {
        cposix_line_buffer_stdio()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    /// Line-buffers stdout and stderr: a command whose output goes to a pipe or file and is then killed
    /// (`sipc events | …`, `timeout sipc events`) must not lose what it printed.
    public static func lineBufferStdio() { cposix_line_buffer_stdio() }

    public static func level(named name: String?) -> Logger.Level {
        guard let name, let level = Logger.Level(rawValue: name.lowercased()) else { return .info }
        return level
    }
}
