/// The sound devices as sip-audio reports them (`audio.devices`, `audio.state`, and the device part of
/// `audio.attach`'s answer; docs/PROTOCOL.md §4, audio).
extension AudioAPI {
    /// Which way a device carries sound.
    public enum Direction: String, Sendable, Hashable, CaseIterable, WireString {
        case capture, playback
        public static var known: [Direction] { allCases }
    }

    /// The backend the configuration chose (`audio.backend` without its file or device names).
    public struct Backend: RawRepresentable, Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral, WireString {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { rawValue = value }
        public var description: String { rawValue }

        public static let null = Backend(rawValue: "null")
        public static let file = Backend(rawValue: "file")
        public static let alsa = Backend(rawValue: "alsa")
        /// Not decided yet (sip-audio decides `auto` when it reads its configuration).
        public static let automatic = Backend(rawValue: "auto")
    }

    /// A device's condition. A struct: later versions may add states.
    public struct DeviceState: RawRepresentable, Sendable, Hashable, CustomStringConvertible, WireString {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let closed = DeviceState(rawValue: "closed")
        public static let open = DeviceState(rawValue: "open")
        /// The null backend stands in; reopened every second.
        public static let lost = DeviceState(rawValue: "lost")
        /// The null backend stands in; not retried (a bad file or format).
        public static let failed = DeviceState(rawValue: "failed")
    }

    /// One direction's device: `{"device","state","rate"?,"channels"?,"xruns","error"?}` (the format once it was
    /// opened; the error while it is lost or failed).
    public struct DeviceStatus: WireObject, Hashable {
        public var device: String
        public var state: DeviceState
        public var rate: Int?
        public var channels: Int?
        public var xruns: Int
        public var error: String?

        public init(device: String, state: DeviceState, rate: Int? = nil, channels: Int? = nil, xruns: Int = 0, error: String? = nil) {
            self.device = device
            self.state = state
            self.rate = rate
            self.channels = channels
            self.xruns = xruns
            self.error = error
        }

        public init(from r: WireReader) throws(WireError) {
            device = try r("device")
            state = try r("state")
            rate = try r.optional("rate")
            channels = try r.optional("channels")
            xruns = try r("xruns")
            error = try r.optional("error")
        }

        public func write(to w: inout WireWriter) {
            w("device", device)
            w("state", state)
            w("rate", rate)
            w("channels", channels)
            w("xruns", xruns)
            w("error", error)
        }
    }

    /// The fields `audio.attach`, `audio.devices` and `audio.state` share: `{"backend","open","capture","playback"}`
    /// (while closed, the devices that would open next).
    public struct DeviceReport: WireObject, Hashable {
        public var backend: Backend
        public var open: Bool
        public var capture: DeviceStatus
        public var playback: DeviceStatus

        public init(backend: Backend, open: Bool, capture: DeviceStatus, playback: DeviceStatus) {
            self.backend = backend
            self.open = open
            self.capture = capture
            self.playback = playback
        }

        public init(from r: WireReader) throws(WireError) {
            backend = try r("backend")
            open = try r("open")
            capture = try r("capture")
            playback = try r("playback")
        }

        public func write(to w: inout WireWriter) {
            w("backend", backend)
            w("open", open)
            w("capture", capture)
            w("playback", playback)
        }
    }

    /// One PCM device ALSA knows (`audio.devices`).
    public struct DeviceEntry: WireObject, Hashable {
        public var name: String
        public var description: String
        public var playback: Bool
        public var capture: Bool

        public init(name: String, description: String, playback: Bool, capture: Bool) {
            self.name = name
            self.description = description
            self.playback = playback
            self.capture = capture
        }

        public init(from r: WireReader) throws(WireError) {
            name = try r("name")
            description = try r("description")
            playback = try r("playback")
            capture = try r("capture")
        }

        public func write(to w: inout WireWriter) {
            w("name", name)
            w("description", description)
            w("playback", playback)
            w("capture", capture)
        }
    }

    /// `audio.devices`: ALSA's PCM devices and the state of the configured ones.
    public struct Devices: WireCommand, Hashable {
        public static let name = "audio.devices"
        public static let receiver = WireReceiver.audio
        public init() {}
        public init(from r: WireReader) {}
        public func write(to w: inout WireWriter) {}

        public struct Result: WireObject, Hashable {
            public var devices: [DeviceEntry]
            public var report: DeviceReport

            public init(devices: [DeviceEntry], report: DeviceReport) {
                self.devices = devices
                self.report = report
            }

            public init(from r: WireReader) throws(WireError) {
                devices = try r("devices")
                report = try DeviceReport(from: r)
            }

            public func write(to w: inout WireWriter) {
                w("devices", devices)
                report.write(to: &w)
            }
        }
    }

    /// `audio.state`: the devices, the controls, the conference, the attached calls and the heartbeat's counters.
    public struct State: WireCommand, Hashable {
        public static let name = "audio.state"
        public static let receiver = WireReceiver.audio
        public init() {}
        public init(from r: WireReader) {}
        public func write(to w: inout WireWriter) {}

        public struct Result: WireObject, Hashable {
            public var report: DeviceReport
            public var controls: Controls
            /// The conference's members, sorted (empty: none).
            public var conference: [CallID]
            /// Sorted by call.
            public var calls: [AttachedCall]
            public var stats: AudioStats

            public init(report: DeviceReport, controls: Controls, conference: [CallID], calls: [AttachedCall], stats: AudioStats) {
                self.report = report
                self.controls = controls
                self.conference = conference
                self.calls = calls
                self.stats = stats
            }

            public init(from r: WireReader) throws(WireError) {
                report = try DeviceReport(from: r)
                controls = try r("controls")
                conference = try r("conference")
                calls = try r("calls")
                stats = try AudioStats(from: r)
            }

            public func write(to w: inout WireWriter) {
                // The counters first: `backend` is in both, and the device report's is the one answered.
                stats.write(to: &w)
                report.write(to: &w)
                w("controls", controls)
                w("conference", conference)
                w("calls", calls)
            }
        }
    }
}
