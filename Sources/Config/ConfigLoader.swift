import Foundation
import Yams

/// Reads an instance configuration from YAML and command-line overrides.
///
/// Strict on purpose: an unknown key, a wrong type or a value out of range refuses to start, with a message
/// naming the file and line (or flag), the key, the value and the fix. A silently ignored typo in a phone's
/// config costs users far more than a refusal.
public enum ConfigLoader {
    /// Most bytes of a config file read; larger is refused (it is not a config file).
    public static let maxFileBytes = 1 << 20

    public static func load(path: String) throws(ConfigError) -> InstanceConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(source: path, key: "(file)", value: "", problem: "cannot read the file",
                              fix: "check the path given to --config and that the file is readable")
        }
        guard data.count <= maxFileBytes else {
            throw ConfigError(source: path, key: "(file)", value: "", problem: "file is \(data.count) bytes, over the \(maxFileBytes)-byte limit",
                              fix: "point --config at the YAML settings file described in docs/CONFIG.md")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(source: path, key: "(file)", value: "", problem: "file is not UTF-8 text", fix: "save the file as UTF-8")
        }
        var config = InstanceConfig()
        try apply(yaml: text, source: path, to: &config)
        return config
    }

    /// Applies the settings of a YAML document on top of `config`.
    public static func apply(yaml text: String, source: String, to config: inout InstanceConfig) throws(ConfigError) {
        if let problem = YAMLNestingGuard.problem(in: text) {
            throw ConfigError(source: source, key: "(syntax)", value: "", problem: "nested too deeply: \(problem)",
                              fix: "a settings file has sections of single values (docs/CONFIG.md); remove the nesting")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ConfigError(source: source, key: "(syntax)", value: "", problem: "not valid YAML (\(Self.shortReason(error)))",
                              fix: "correct the YAML syntax; see docs/CONFIG.md for an example")
        }
        guard let root else { return }  // empty file: all defaults
        guard case .mapping(let sections) = root else {
            throw ConfigError(source: where_(source, root), key: "(top level)", value: "", problem: "expected a mapping of sections",
                              fix: "start the file with sections such as 'sip:', 'rtp:', 'audio:' (docs/CONFIG.md)")
        }
        for (sectionNode, body) in sections {
            let section = sectionNode.string ?? "?"
            guard case .mapping(let entries) = body else {
                throw ConfigError(source: where_(source, body), key: section, value: "", problem: "expected a mapping of settings",
                                  fix: suggestionFix(for: section + ".") ?? "see docs/CONFIG.md for the sections and keys")
            }
            for (keyNode, valueNode) in entries {
                let key = "\(section).\(keyNode.string ?? "?")"
                guard let setting = SettingsTable.setting(key) else {
                    throw ConfigError(source: where_(source, keyNode), key: key, value: "", problem: "unknown key",
                                      fix: suggestionFix(for: key) ?? "remove it; docs/CONFIG.md lists every key")
                }
                guard case .scalar(let scalar) = valueNode else {
                    throw ConfigError(source: where_(source, valueNode), key: key, value: "", problem: "expected a single value",
                                      fix: "set \(key) to \(setting.expected)")
                }
                guard setting.apply(&config, scalar.string) else {
                    throw ConfigError(source: where_(source, valueNode), key: key, value: scalar.string, problem: "invalid value",
                                      fix: "set \(key) to \(setting.expected)")
                }
            }
        }
    }

    /// Applies command-line overrides, given as (flag, value) pairs such as ("--rtp-workers", "3").
    public static func apply(overrides: [(flag: String, value: String)], to config: inout InstanceConfig) throws(ConfigError) {
        for (flag, value) in overrides {
            if flag == "--set" {
                try apply(assignment: value, to: &config)
                continue
            }
            guard let setting = SettingsTable.setting(flag: flag) else {
                throw ConfigError(source: flag, key: flag, value: value, problem: "not a configuration flag", fix: "see sipc up --help")
            }
            guard setting.apply(&config, value) else {
                throw ConfigError(source: "command line", key: flag, value: value, problem: "invalid value",
                                  fix: "give \(flag) \(setting.expected) (config key \(setting.key))")
            }
        }
    }

    /// `KEY=VALUE` from `--set`: any key of the file, on the command line.
    static func apply(assignment: String, to config: inout InstanceConfig) throws(ConfigError) {
        guard let eq = assignment.firstIndex(of: "=") else {
            throw ConfigError(source: "--set", key: assignment, value: "", problem: "expected KEY=VALUE", fix: "write e.g. --set audio.mute=true")
        }
        let key = String(assignment[..<eq]), value = String(assignment[assignment.index(after: eq)...])
        guard let setting = SettingsTable.setting(key) else {
            throw ConfigError(source: "--set", key: key, value: value, problem: "unknown key",
                              fix: suggestionFix(for: key) ?? "docs/CONFIG.md lists every key")
        }
        guard setting.apply(&config, value) else {
            throw ConfigError(source: "--set", key: key, value: value, problem: "invalid value", fix: "give \(key) \(setting.expected)")
        }
    }

    /// Every key with its expected form (for `docs/CONFIG.md` and `--help`).
    public static var keys: [(key: String, flag: String?, expected: String)] {
        SettingsTable.all.map { ($0.key, $0.flag, $0.expected) }
    }

    private static func where_(_ source: String, _ node: Node) -> String {
        guard let mark = node.mark else { return source }
        return "\(source):\(mark.line)"
    }

    private static func suggestionFix(for key: String) -> String? {
        SettingsTable.suggestion(for: key).map { "did you mean '\($0)'? (docs/CONFIG.md lists every key)" }
    }

    private static func shortReason(_ error: any Error) -> String {
        String(String(describing: error).split(separator: "\n").first ?? "syntax error").trimmingCharacters(in: .whitespaces)
    }
}
