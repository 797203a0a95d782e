/// orch's commands that sip-audio serves (docs/PROTOCOL.md §4, orch): orch passes each on as `audio` (the sip-audio
/// command) and answers its result as is; when sip-audio is not up the answer is `unavailable`.
public protocol OrchAudioCommand: WireCommand where Result == Forwarded.Result {
    associatedtype Forwarded: WireCommand
    /// The command orch sends sip-audio for this one.
    var audio: Forwarded { get }
}

extension OrchAPI {
    /// `devices`: sip-audio's `audio.devices`.
    public struct Devices: OrchAudioCommand, Hashable {
        public static let name = "devices"
        public static let receiver = WireReceiver.orch
        public init() {}
        public init(from r: WireReader) {}
        public func write(to w: inout WireWriter) {}
        public var audio: AudioAPI.Devices { AudioAPI.Devices() }
        public typealias Result = AudioAPI.Devices.Result
    }

    /// `mute`: `audio.set` with `mute` true; the answer is the controls.
    public struct Mute: OrchAudioCommand, Hashable {
        public static let name = "mute"
        public static let receiver = WireReceiver.orch
        public init() {}
        public init(from r: WireReader) {}
        public func write(to w: inout WireWriter) {}
        public var audio: AudioAPI.SetControls { AudioAPI.SetControls(mute: true) }
        public typealias Result = AudioAPI.Controls
    }

    /// `unmute`: `audio.set` with `mute` false; the answer is the controls.
    public struct Unmute: OrchAudioCommand, Hashable {
        public static let name = "unmute"
        public static let receiver = WireReceiver.orch
        public init() {}
        public init(from r: WireReader) {}
        public func write(to w: inout WireWriter) {}
        public var audio: AudioAPI.SetControls { AudioAPI.SetControls(mute: false) }
        public typealias Result = AudioAPI.Controls
    }

    /// `audio`: the arguments of `audio.set`, passed on.
    public struct Audio: OrchAudioCommand, Hashable {
        public static let name = "audio"
        public static let receiver = WireReceiver.orch
        public var audio: AudioAPI.SetControls
        public init(_ audio: AudioAPI.SetControls) { self.audio = audio }
        public init(from r: WireReader) throws(WireError) { audio = try AudioAPI.SetControls(from: r) }
        public func write(to w: inout WireWriter) { audio.write(to: &w) }
        public typealias Result = AudioAPI.Controls
    }

    /// `audio_state`: sip-audio's `audio.state`.
    public struct AudioState: OrchAudioCommand, Hashable {
        public static let name = "audio_state"
        public static let receiver = WireReceiver.orch
        public init() {}
        public init(from r: WireReader) {}
        public func write(to w: inout WireWriter) {}
        public var audio: AudioAPI.State { AudioAPI.State() }
        public typealias Result = AudioAPI.State.Result
    }

    /// `audio_attach`: `audio.attach` for a client that brings its own streams (orch attaches its calls itself).
    public struct AudioAttach: OrchAudioCommand, Hashable {
        public static let name = "audio_attach"
        public static let receiver = WireReceiver.orch
        public var audio: AudioAPI.Attach
        public init(_ audio: AudioAPI.Attach) { self.audio = audio }
        public init(from r: WireReader) throws(WireError) { audio = try AudioAPI.Attach(from: r) }
        public func write(to w: inout WireWriter) { audio.write(to: &w) }
        public typealias Result = AudioAPI.Attach.Result
    }

    /// `audio_detach`: `audio.detach`, passed on.
    public struct AudioDetach: OrchAudioCommand, Hashable {
        public static let name = "audio_detach"
        public static let receiver = WireReceiver.orch
        public var audio: AudioAPI.Detach
        public init(_ audio: AudioAPI.Detach) { self.audio = audio }
        public init(from r: WireReader) throws(WireError) { audio = try AudioAPI.Detach(from: r) }
        public func write(to w: inout WireWriter) { audio.write(to: &w) }
        public typealias Result = AudioAPI.Detach.Result
    }
}
