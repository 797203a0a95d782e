/// A setting that cannot be used, with where it came from, what is wrong and how to fix it.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `FILE:LINE` or the command-line flag.
    public var source: String
    public var key: String
    public var value: String
    public var problem: String
    public var fix: String

    public init(source: String, key: String, value: String, problem: String, fix: String) {
        self.source = source
        self.key = key
        self.value = value
        self.problem = problem
        self.fix = fix
    }

    public var description: String {
        let shown = value.isEmpty ? "" : " = '\(value.prefix(80))'"
        return "config error at \(source): \(key)\(shown): \(problem). Fix: \(fix)"
    }
}
