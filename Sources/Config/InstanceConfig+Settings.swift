import Wire

extension InstanceConfig {
    /// Reads the settings sections of a `configure` message (the inverse of `json`) through the settings table, so a
    /// component applies exactly the rules the YAML file and the flags follow. Keys that are absent keep their
    /// defaults; a value the table refuses is left at its default and named in `problems` (orch validated the
    /// configuration before sending it, so a problem means a component of another version or a bug).
    public init(settings: JSONObject, problems: inout [String]) {
        self.init()
        let defaults = InstanceConfig().json
        for setting in SettingsTable.all {
            let parts = setting.key.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2, case .object(let section)? = settings[parts[0]], let value = section[parts[1]], value != .null,
                  value != defaults[parts[0]]?[parts[1]] else {
                continue  // absent, or the default (some defaults, such as an empty remote.advertise, are not settable values)
            }
            guard let text = Self.settingText(value), setting.apply(&self, text) else {
                problems.append("\(setting.key): \(value.encodedString()) is not \(setting.expected)")
                continue
            }
        }
    }

    /// As `init(settings:problems:)`, for callers that log nothing.
    public init(settings: JSONObject) {
        var ignored: [String] = []
        self.init(settings: settings, problems: &ignored)
    }

    /// A JSON value as the text the settings table parses (what the YAML file would hold).
    static func settingText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let s): s
        case .bool(let b): b ? "true" : "false"
        case .number(let n): n.rounded() == n && abs(n) < 9e15 ? String(Int64(n)) : String(n)
        default: nil
        }
    }
}
