import AudioIO
import MediaQuality
import Wire

/// The engine's figures in the bus contract's types (docs/PROTOCOL.md §4, audio).
extension AudioEngine.DeviceStatus {
    /// As `audio.state` and `audio.devices` report it.
    var wire: AudioAPI.DeviceStatus {
        AudioAPI.DeviceStatus(device: name, state: state, rate: format?.sampleRate, channels: format?.channels, xruns: xruns, error: error)
    }
}

extension AudioDirection {
    var wire: AudioAPI.Direction {
        switch self {
        case .capture: .capture
        case .playback: .playback
        }
    }
}

extension AudioStats.Latency {
    /// A latency window's percentiles, to 0.01 ms.
    init(_ summary: LatencyWindow.Summary) {
        let p = summary.rounded
        self.init(p50: p.p50, p99: p.p99)
    }
}
