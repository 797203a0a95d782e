import ALSAAudio
import AudioIO
import Bus
import Config
import Foundation
import Synchronization
import Wire

/// sip-audio on the bus: the audio engine, its PCM sockets, and the `audio.*` commands orch sends
/// (docs/PROTOCOL.md §4, "audio").
public final class AudioService: Sendable {
    private let streams = AudioStreams()
    private let link: AudioBusLink?
    public let engine: AudioEngine
    private let emit: AudioEngine.Emit
    private let lastConfigControls = Mutex<AudioControls?>(nil)
    /// Admits the workers' keys on the remote PCM sockets; created with them (the first `remote.audio_listen`).
    private let remoteZAP = Mutex<ZAPAuthenticator?>(nil)

    /// Binds the PCM sockets in `runDirectory` (nil: no bus, for tests of the engine alone).
    public init(runDirectory: String?, settings: AudioEngineSettings = AudioEngineSettings(),
                emit: @escaping AudioEngine.Emit) throws(BusError) {
        link = try runDirectory.map { dir throws(BusError) in try AudioBusLink(runDirectory: dir) }
        self.emit = emit
        engine = AudioEngine(settings: settings, streams: streams, link: link, emit: emit)
        link?.start(streams: streams, emit: emit)
        engine.start()
    }

    /// Applies `configure`: settings for the next time the devices open; controls only when the configuration's
    /// own values changed (an orch restart re-sends the same file and must not undo a user's mute). Returns the
    /// problems with sip-audio's settings (`audio.*`, `remote.*`).
    public func configure(_ configure: Configure) -> [String] {
        var problems: [String] = []
        let config = configure.settings(problems: &problems)
        problems = problems.filter { $0.hasPrefix("audio.") || $0.hasPrefix("remote.") }
        let settings = AudioEngineSettings.from(config)
        if let problem = openRemote(config.remote) { problems.append(problem) }
        engine.update(settings: settings)
        let changed = lastConfigControls.withLock { last -> Bool in
            defer { last = settings.controls }
            return last != settings.controls
        }
        if changed { engine.controls = settings.controls }
        return problems
    }

    /// `remote.audio_listen`: PCM sockets for media workers on other hosts, CurveZMQ with the instance key and the
    /// workers' authorised keys (plain text only where the configuration allowed it: loopback).
    private func openRemote(_ remote: RemoteSettings) -> String? {
        guard let link, !remote.audioListen.isEmpty else { return nil }
        let listen = remote.audioListen
        do {
            let zap = try remoteZAP.withLock { (slot: inout ZAPAuthenticator?) throws(ZAPAuthenticator.StartError) -> ZAPAuthenticator in
                if let zap = slot { return zap }
                let zap = try ZAPAuthenticator()
                slot = zap
                return zap
            }
            let secured = try RemoteServerSecurity.configure(keyFile: remote.keyFile, authorizedKeys: remote.authorizedKeys,
                                                             allowPlaintext: remote.allowPlaintext,
                                                             domain: "sip-client-pcm", authenticator: zap)
            try link.openRemote(listen: listen, security: secured.security, zapDomain: secured.zapDomain)
            return nil
        } catch {
            return "remote.audio_listen \(listen): \(error)"
        }
    }

    /// Serves the `audio.*` commands (nil for another command).
    public func handle(_ request: Request) async -> Reply? {
        switch request.command {
        case AudioAPI.Attach.name: request.answerNow(AudioAPI.Attach.self) { attach($0) }
        case AudioAPI.Detach.name: request.answerNow(AudioAPI.Detach.self) { detach($0) }
        case AudioAPI.Conference.name: request.answerNow(AudioAPI.Conference.self) { c throws(WireError) in try conference(c) }
        case AudioAPI.SetControls.name:
            request.answerNow(AudioAPI.SetControls.self) { change in
                let controls = engine.controls.applying(change)
                engine.controls = controls
                return controls
            }
        case AudioAPI.Devices.name:
            request.answerNow(AudioAPI.Devices.self) { _ in
                .init(devices: ALSADevices.list().map { .init(name: $0.name, description: $0.description, playback: $0.playback, capture: $0.capture) },
                      report: deviceReport())
            }
        case AudioAPI.State.name: request.answerNow(AudioAPI.State.self) { _ in state() }
        default: nil
        }
    }

    private func attach(_ command: AudioAPI.Attach) -> AudioAPI.Attach.Result {
        let (call, ids, microphone) = (command.call, command.streams, command.takesMicrophone)
        if streams.attach(call: call.rawValue, playback: ids.playback.rawValue, capture: microphone ? ids.capture.rawValue : nil) {
            emit(AudioStreamStartedEvent(call: call, playback: ids.playback, capture: ids.capture, microphone: microphone))
        }
        engine.wake()
        return .init(call: call, report: deviceReport())
    }

    private func detach(_ command: AudioAPI.Detach) -> AudioAPI.Detach.Result {
        let detached = streams.detach(call: command.call.rawValue) != nil
        if detached { emit(AudioStreamStoppedEvent(call: command.call, reason: .detached)) }
        return .init(call: command.call, detached: detached)
    }

    private func conference(_ command: AudioAPI.Conference) throws(WireError) -> AudioAPI.Conference.Result {
        let attached = Set(streams.attachments.map(\.call))
        if let missing = command.calls.first(where: { !attached.contains($0.rawValue) }) {
            throw WireError(.notFound, "call '\(missing)' is not attached to the sound devices (audio.attach it first)")
        }
        streams.setConference(Set(command.calls.map(\.rawValue)))
        let members = command.calls.sorted()
        emit(AudioConferenceEvent(calls: members))
        return .init(calls: members)
    }

    private func deviceReport() -> AudioAPI.DeviceReport {
        let s = engine.snapshot
        let settings = engine.settings
        let factory = AudioDeviceFactory(settings: settings)
        var capture = s.capture, playback = s.playback
        if !s.open {
            // Closed: show what would open next (the settings may have changed since).
            capture.name = factory.captureName()
            playback.name = factory.playbackName()
        }
        return .init(backend: settings.backendName, open: s.open, capture: capture.wire, playback: playback.wire)
    }

    /// Everything `audio.state` reports.
    public func state() -> AudioAPI.State.Result {
        let conference = streams.conference.sorted().map { CallID($0) }
        let calls = streams.attachments.sorted { $0.call < $1.call }.map { a in
            AudioAPI.AttachedCall(call: CallID(a.call), playback: StreamID(a.playback), capture: a.capture.map { StreamID($0) })
        }
        return .init(report: deviceReport(), controls: engine.controls, conference: conference, calls: calls, stats: stats())
    }

    /// The counters for heartbeats.
    public func stats() -> AudioStats {
        let s = engine.snapshot
        let c = streams.counters
        var stats = AudioStats()
        stats.backend = engine.settings.backendName
        stats.devicesOpen = s.open
        stats.opens = s.opens
        stats.callsAttached = streams.attachments.count
        stats.framesIn = c.framesIn
        stats.framesPlayed = c.framesPlayed
        stats.framesUnattached = c.unattached
        stats.framesBadFormat = c.badFormat
        stats.framesMalformed = c.malformed
        stats.framesLate = c.late
        stats.framesTrimmed = c.trimmed
        stats.playbackStarved = c.starved
        stats.ticks = s.ticks
        stats.lateTicks = s.lateTicks
        stats.captureUnderflows = s.captureUnderflows
        stats.playbackDroppedFrames = s.playbackDropped
        stats.captureXruns = s.capture.xruns
        stats.playbackXruns = s.playback.xruns
        stats.captureState = s.capture.state
        stats.playbackState = s.playback.state
        if s.ticks > 0 { stats.tickBusyUsAvg = (Double(s.busyNanoseconds) / Double(s.ticks) / 1000 * 10).rounded() / 10 }
        stats.playbackLatencyMs = streams.playbackLatency.map(AudioStats.Latency.init)
        stats.rtpToDeviceMs = streams.rtpToDeviceLatency.map(AudioStats.Latency.init)
        stats.captureLatencyMs = s.captureLatency.summary().map(AudioStats.Latency.init)
        if let link {
            stats.pcmSent = link.counters.sent
            stats.pcmSendDropped = link.counters.sendDropped
        }
        return stats
    }

    public func shutdown() {
        engine.stop()
        link?.shutdown()
        remoteZAP.withLock { $0?.shutdown() }  // after the sockets it guards
    }
}
