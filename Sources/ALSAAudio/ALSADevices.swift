import CALSA

/// Sound devices ALSA knows (its "hints"): what `aplay -L` lists, without a sound card as well (plugins).
public enum ALSADevices {
    public struct Device: Sendable, Equatable {
        public var name: String
        public var description: String
        public var playback: Bool
        public var capture: Bool
    }

    public static func list() -> [Device] {
        var hints: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
        guard snd_device_name_hint(-1, "pcm", &hints) == 0, let hints else { return [] }
        defer { snd_device_name_free_hint(hints) }
        var devices: [Device] = []
        var p = hints
        while let hint = p.pointee {
            let name = take(snd_device_name_get_hint(hint, "NAME"))
            let desc = take(snd_device_name_get_hint(hint, "DESC"))
            let io = take(snd_device_name_get_hint(hint, "IOID"))  // nil means both directions
            if let name {
                devices.append(Device(name: name, description: (desc ?? "").replacingNewlines(),
                                      playback: io == nil || io == "Output", capture: io == nil || io == "Input"))
            }
            p += 1
        }
        return devices
    }

    /// Whether ALSA has a `default` device: what the `auto` audio backend chooses ALSA by.
    public static var hasDefault: Bool { list().contains { $0.name == "default" } }

    private static func take(_ s: UnsafeMutablePointer<CChar>?) -> String? {
        guard let s else { return nil }
        defer { free(s) }
        return String(cString: s)
    }
}

private extension String {
    func replacingNewlines() -> String { split(separator: "\n").joined(separator: " ") }
}
