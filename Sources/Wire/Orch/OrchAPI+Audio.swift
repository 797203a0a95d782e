/// orch's commands that sip-audio serves (docs/PROTOCOL.md §4, orch): orch passes each on as `audio` (the sip-audio
/// command) and answers its result as is; when sip-audio is not up the answer is `unavailable`.
public protocol OrchAudioCommand: WireCommand where Result == Forwarded.Result {
    associatedtype Forwarded: WireCommand
    /// The command orch sends sip-audio for this one.
    var audio: Forwarded { get }
}

extension OrchAudioCommand {
    public static var receiver: WireReceiver { .orch }
}

/// An orch command whose arguments are those of the sip-audio command it is passed on as.
public protocol OrchAudioPassthrough: OrchAudioCommand {
    init(_ audio: Forwarded)
}

extension OrchAudioPassthrough {
    public init(from r: WireReader) throws(WireError) { self.init(try Forwarded(from: r)) }
    public func write(to w: inout WireWriter) { audio.write(to: &w) }
}

/// An orch command without arguments: what it passes on is fixed.
public protocol OrchAudioFixed: OrchAudioCommand {
    init()
}

extension OrchAudioFixed {
    public init(from r: WireReader) { self.init() }
    public func write(to w: inout WireWriter) {}
}

extension OrchAPI {
    /// `devices`: sip-audio's `audio.devices`.
    public struct Devices: OrchAudioFixed, Hashable {
        public static let name = "devices"
        public init() {}
        public var audio: AudioAPI.Devices { AudioAPI.Devices() }
        public typealias Result = AudioAPI.Devices.Result
    }

    /// `mute`: `audio.set` with `mute` true; the answer is the controls.
    public struct Mute: OrchAudioFixed, Hashable {
        public static let name = "mute"
        public init() {}
        public var audio: AudioAPI.SetControls { AudioAPI.SetControls(mute: true) }
        public typealias Result = AudioAPI.Controls
    }

    /// `unmute`: `audio.set` with `mute` false; the answer is the controls.
    public struct Unmute: OrchAudioFixed, Hashable {
        public static let name = "unmute"
        public init() {}
        public var audio: AudioAPI.SetControls { AudioAPI.SetControls(mute: false) }
        public typealias Result = AudioAPI.Controls
    }

    /// `audio`: the arguments of `audio.set`, passed on.
    public struct Audio: OrchAudioPassthrough, Hashable {
        public static let name = "audio"
        public var audio: AudioAPI.SetControls
        public init(_ audio: AudioAPI.SetControls) { self.audio = audio }
        public typealias Result = AudioAPI.Controls
    }

    /// `audio_state`: sip-audio's `audio.state`.
    public struct AudioState: OrchAudioFixed, Hashable {
        public static let name = "audio_state"
        public init() {}
        public var audio: AudioAPI.State { AudioAPI.State() }
        public typealias Result = AudioAPI.State.Result
    }

    /// `audio_attach`: `audio.attach` for a client that brings its own streams (orch attaches its calls itself).
    public struct AudioAttach: OrchAudioPassthrough, Hashable {
        public static let name = "audio_attach"
        public var audio: AudioAPI.Attach
        public init(_ audio: AudioAPI.Attach) { self.audio = audio }
        public typealias Result = AudioAPI.Attach.Result
    }

    /// `audio_detach`: `audio.detach`, passed on.
    public struct AudioDetach: OrchAudioPassthrough, Hashable {
        public static let name = "audio_detach"
        public var audio: AudioAPI.Detach
        public init(_ audio: AudioAPI.Detach) { self.audio = audio }
        public typealias Result = AudioAPI.Detach.Result
    }
}
