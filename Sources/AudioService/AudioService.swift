import ALSAAudio
import AudioIO
import Bus
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
                emit: @escaping @Sendable (String, [String: JSONValue]) -> Void) throws(BusError) {
        link = try runDirectory.map { dir throws(BusError) in try AudioBusLink(runDirectory: dir) }
        self.emit = emit
        engine = AudioEngine(settings: settings, streams: streams, link: link, emit: emit)
        link?.start(streams: streams, emit: emit)
        engine.start()
    }

    /// Applies `configure`: settings for the next time the devices open; controls only when the configuration's
    /// own values changed (an orch restart re-sends the same file and must not undo a user's mute).
    public func configure(_ config: [String: JSONValue]) -> [String] {
        var (settings, problems) = AudioEngineSettings.from(config: config)
        if let problem = openRemote(config["remote"]) { problems.append(problem) }
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
    private func openRemote(_ remote: JSONValue?) -> String? {
        guard let link, let listen = remote?["audio_listen"]?.stringValue, !listen.isEmpty else { return nil }
        do {
            let zap = try remoteZAP.withLock { (slot: inout ZAPAuthenticator?) throws(ZAPAuthenticator.StartError) -> ZAPAuthenticator in
                if let zap = slot { return zap }
                let zap = try ZAPAuthenticator()
                slot = zap
                return zap
            }
            let secured = try RemoteServerSecurity.configure(keyFile: remote?["key_file"]?.stringValue ?? "",
                                                             authorizedKeys: remote?["authorized_keys"]?.stringValue ?? "",
                                                             allowPlaintext: remote?["allow_plaintext"]?.boolValue == true,
                                                             domain: "sip-client-pcm", authenticator: zap)
            try link.openRemote(listen: listen, security: secured.security, zapDomain: secured.zapDomain)
            return nil
        } catch {
            return "remote.audio_listen \(listen): \(error)"
        }
    }

    public func handle(_ request: Request) async -> Reply? {
        let id = request.id
        let args = request.args
        switch request.command {
        case "audio.attach":
            guard let call = args["call"]?.stringValue, !call.isEmpty,
                  let playback = args["streams"]?["playback"]?.intValue, let capture = args["streams"]?["capture"]?.intValue,
                  (0...Int(UInt32.max)).contains(playback), (0...Int(UInt32.max)).contains(capture) else {
                return Reply(id: id, error: WireError(.badArgs, "audio.attach needs {\"call\",\"streams\":{\"playback\",\"capture\"}} with stream ids 0-4294967295"))
            }
            let takesMicrophone = args["capture"]?.boolValue ?? true
            if streams.attach(call: call, playback: UInt32(playback), capture: takesMicrophone ? UInt32(capture) : nil) {
                emit("audio.stream.started", ["call": .string(call), "playback": .init(playback), "capture": .init(capture),
                                              "microphone": .bool(takesMicrophone)])
            }
            engine.wake()
            return Reply(id: id, result: .object(["call": .string(call), "attached": true].merging(deviceJSON()) { a, _ in a }))
        case "audio.detach":
            guard let call = args["call"]?.stringValue else {
                return Reply(id: id, error: WireError(.badArgs, "audio.detach needs {\"call\"}"))
            }
            let detached = streams.detach(call: call)
            if detached != nil { emit("audio.stream.stopped", ["call": .string(call), "reason": "detached"]) }
            return Reply(id: id, result: ["call": .string(call), "detached": .bool(detached != nil)])
        case "audio.conference":
            guard let list = args["calls"]?.arrayValue, list.count <= 8,
                  case let members = list.compactMap(\.stringValue), members.count == list.count else {
                return Reply(id: id, error: WireError(.badArgs, "audio.conference needs {\"calls\":[CALL,...]} (at most 8; [] ends the conference)"))
            }
            let attached = Set(streams.attachments.map(\.call))
            if let missing = members.first(where: { !attached.contains($0) }) {
                return Reply(id: id, error: WireError(.notFound, "call '\(missing)' is not attached to the sound devices (audio.attach it first)"))
            }
            streams.setConference(Set(members))
            emit("audio.conference", ["calls": .array(members.sorted().map { .string($0) })])
            return Reply(id: id, result: ["calls": .array(members.sorted().map { .string($0) })])
        case "audio.set":
            switch engine.controls.applying(args) {
            case .success(let controls):
                engine.controls = controls
                return Reply(id: id, result: .object(controls.json))
            case .failure(let error):
                return Reply(id: id, error: error)
            }
        case "audio.devices":
            let list = ALSADevices.list().map { d -> JSONValue in
                ["name": .string(d.name), "description": .string(d.description), "playback": .bool(d.playback), "capture": .bool(d.capture)]
            }
            return Reply(id: id, result: .object(["devices": .array(list)].merging(deviceJSON()) { a, _ in a }))
        case "audio.state":
            return Reply(id: id, result: .object(state()))
        default:
            return nil
        }
    }

    private func deviceJSON() -> [String: JSONValue] {
        let s = engine.snapshot
        let settings = engine.settings
        let factory = AudioDeviceFactory(settings: settings)
        var capture = s.capture, playback = s.playback
        if !s.open {
            // Closed: show what would open next (the settings may have changed since).
            capture.name = factory.captureName()
            playback.name = factory.playbackName()
        }
        return ["backend": .string(settings.backendName), "open": .bool(s.open),
                "capture": .object(capture.json), "playback": .object(playback.json)]
    }

    /// Everything `audio.state` and heartbeats report.
    public func state() -> [String: JSONValue] {
        var json = deviceJSON()
        json["controls"] = .object(engine.controls.json)
        json["conference"] = .array(streams.conference.sorted().map { .string($0) })
        json["calls"] = .array(streams.attachments.sorted { $0.call < $1.call }.map {
            ["call": .string($0.call), "playback": .init(Int($0.playback)), "capture": $0.capture.map { .init(Int($0)) } ?? .null]
        })
        json.merge(stats()) { a, _ in a }
        return json
    }

    /// The counters for heartbeats.
    public func stats() -> [String: JSONValue] {
        let s = engine.snapshot
        let c = streams.counters
        var json: [String: JSONValue] = [
            "backend": .string(engine.settings.backendName), "devices_open": .bool(s.open), "opens": .init(s.opens),
            "calls_attached": .init(streams.attachments.count),
            "frames_in": .init(c.framesIn), "frames_played": .init(c.framesPlayed), "frames_unattached": .init(c.unattached),
            "frames_bad_format": .init(c.badFormat), "frames_malformed": .init(c.malformed), "frames_late": .init(c.late),
            "frames_trimmed": .init(c.trimmed), "playback_starved": .init(c.starved),
            "ticks": .init(s.ticks), "late_ticks": .init(s.lateTicks), "capture_underflows": .init(s.captureUnderflows),
            "playback_dropped_frames": .init(s.playbackDropped),
            "capture_xruns": .init(s.capture.xruns), "playback_xruns": .init(s.playback.xruns),
            "capture_state": .string(s.capture.state), "playback_state": .string(s.playback.state),
        ]
        if s.ticks > 0 { json["tick_busy_us_avg"] = .number((Double(s.busyNanoseconds) / Double(s.ticks) / 1000 * 10).rounded() / 10) }
        if let p = streams.playbackLatency {
            json["playback_latency_ms"] = ["p50": .number((p.p50Milliseconds * 100).rounded() / 100), "p99": .number((p.p99Milliseconds * 100).rounded() / 100)]
        }
        if let p = streams.rtpToDeviceLatency?.rounded {
            json["rtp_to_device_ms"] = ["p50": .number(p.p50), "p99": .number(p.p99)]
        }
        if let p = s.captureLatency.summary() {
            json["capture_latency_ms"] = ["p50": .number((p.p50Milliseconds * 100).rounded() / 100), "p99": .number((p.p99Milliseconds * 100).rounded() / 100)]
        }
        if let link { json["pcm_sent"] = .init(link.counters.sent); json["pcm_send_dropped"] = .init(link.counters.sendDropped) }
        return json
    }

    public func shutdown() {
        engine.stop()
        link?.shutdown()
        remoteZAP.withLock { $0?.shutdown() }  // after the sockets it guards
    }
}
