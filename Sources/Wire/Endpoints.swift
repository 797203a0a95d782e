/// Names of the sockets of one instance, relative to its run directory (`docs/PROTOCOL.md`, "Endpoints").
/// Every process derives its endpoints from the run directory alone, so nothing else has to be passed around.
public struct InstanceEndpoints: Sendable, Equatable {
    public let runDirectory: String

    public init(runDirectory: String) { self.runDirectory = runDirectory }

    /// orch ROUTER: component registration and heartbeats, and client requests.
    public var control: String { "ipc://\(runDirectory)/ctl.sock" }
    /// orch PUB: the event stream.
    public var events: String { "ipc://\(runDirectory)/events.sock" }
    /// sip-audio PULL: PCM frames to play (from media workers or the client library).
    public var audioPlayback: String { "ipc://\(runDirectory)/audio-out.sock" }
    /// sip-audio PUB: PCM frames captured from the microphone, one stream prefix per call.
    public var audioCapture: String { "ipc://\(runDirectory)/audio-in.sock" }

    /// A media worker's PUB of decoded frames, one stream prefix per call (frame taps for the client library).
    public func mediaTaps(worker: String) -> String { "ipc://\(runDirectory)/\(worker)-taps.sock" }
    /// A media worker's PULL for frames to send instead of the microphone (the client library injects here).
    public func mediaInject(worker: String) -> String { "ipc://\(runDirectory)/\(worker)-in.sock" }

    /// `tcp://HOST:PORT` -> `tcp://HOST:PORT+1`: sip-audio's second remote PCM socket (`remote.audio_listen`), and a
    /// remote worker's default audio endpoint after orch's `remote.listen`.
    public static func nextPort(_ endpoint: String) -> String {
        guard let colon = endpoint.lastIndex(of: ":"), let port = Int(endpoint[endpoint.index(after: colon)...]) else { return endpoint }
        return String(endpoint[...colon]) + String(port + 1)
    }

    /// Every socket file the instance may create, for cleanup.
    public var socketFiles: [String] {
        [control, events, audioPlayback, audioCapture].map { String($0.dropFirst("ipc://".count)) }
    }
}
