import Wire

extension Configure {
    /// The instance's settings this `configure` carries, read through the settings table; `problems` names values it
    /// refused (left at their defaults).
    public func settings(problems: inout [String]) -> InstanceConfig {
        let content = (try? content())?.settings ?? config
        return InstanceConfig(settings: content, problems: &problems)
    }

    public var settings: InstanceConfig {
        var ignored: [String] = []
        return settings(problems: &ignored)
    }
}
