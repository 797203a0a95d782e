import Foundation
import MediaCore
import NIOCore
import Timebase
import Wire

/// The engine's commands (from the bus, through `MediaSessionService`): each hops onto the loop, calls the
/// session's core and performs what it returns.
extension MediaEngine {
    /// Binds the RTP/RTCP port pair of a new session (the ports stay ours until release).
    public func allocate(call: String, port: Int) async -> Result<Int, MediaEngineError> {
        guard let (host, jitter) = try? await loop.submit({ (self.host, self.jitterConfiguration) }).get() else { return .failure(.stopped) }
        let session = MediaSession(core: MediaSessionCore(call: CallID(call), localPort: port, now: MonotonicClock.now(),
                                                          wallClock: Self.wallClock(), jitterBuffer: jitter))
        do {
            let rtp = try await bind(host: host, port: port, session: session, socket: .rtp)
            let rtcp: any Channel
            do { rtcp = try await bind(host: host, port: port + 1, session: session, socket: .rtcp) } catch {
                try? await rtp.close()
                throw error
            }
            return try await loop.submit { () -> Result<Int, MediaEngineError> in
                session.rtp = rtp
                session.rtcp = rtcp
                self.sessions[call] = session
                return .success(port)
            }.get()
        } catch {
            return .failure(.bindFailed(port, "\(error)"))
        }
    }

    public func hasSession(_ call: String) async -> Bool {
        (try? await loop.submit { self.sessions[call] != nil }.get()) ?? false
    }

    public func port(of call: String) async -> Int? {
        try? await loop.submit { self.sessions[call]?.core.localPort }.get()
    }

    /// Starts or updates (re-INVITE: new address, hold, resume) a session's flow without dropping it.
    public func start(call: String, spec: MediaStartSpec) async -> Result<MediaAPI.Start.Result, MediaEngineError> {
        guard let remote = MediaAddress(host: spec.remoteHost, port: spec.remotePort),
              let remoteRTCP = MediaAddress(host: spec.remoteHost, port: spec.remoteRTCPPort) else {
            return .failure(.badAddress(spec.remoteHost))
        }
        // Hold music is read here, off the event loop; a file already loaded for this call is not read again.
        var loading: Result<HoldMusic, HoldMusicError>?
        if let path = spec.holdMusic, (try? await loop.submit { self.sessions[call]?.core.holdMusic?.path }.get()) != path {
            loading = HoldMusic.load(path: path)
        }
        let music = loading
        return (try? await loop.submit { () -> Result<MediaAPI.Start.Result, MediaEngineError> in
            guard let session = self.sessions[call] else { return .failure(.noSession(call)) }
            var musicError: String?
            switch music {
            case .success(let loaded): session.core.setHoldMusic(loaded)
            case .failure(let error): session.core.setHoldMusic(nil); musicError = error.description
            case nil: if spec.holdMusic == nil { session.core.setHoldMusic(nil) }
            }
            let oldCapture = session.core.spec?.captureStream
            let now = MonotonicClock.now()
            self.withActions { actions in
                session.core.start(spec, remote: remote, remoteRTCP: remoteRTCP, host: self.host, now: now, into: &actions)
                session.started = true
                if oldCapture != spec.captureStream {
                    if let oldCapture, self.sessionByCapture[oldCapture] === session { self.sessionByCapture[oldCapture] = nil }
                    self.sessionByCapture[spec.captureStream] = session
                    self.audio?.captureStreamChanged(from: oldCapture, to: spec.captureStream)
                }
                self.perform(session, &actions)
            }
            return .success(MediaAPI.Start.Result(stats: session.core.stats(now: now), holdMusicError: musicError))
        }.get()) ?? .failure(.stopped)
    }

    /// Starts recording a call to `path` (a new WAV file), or (`path` nil) stops it; the result names the file and,
    /// when stopping, the seconds recorded.
    func record(call: String, path: String?, mode: CallRecorder.Mode) async -> Result<MediaAPI.Record.Result, MediaEngineError> {
        let recorder: CallRecorder?
        if let path {
            do { recorder = try CallRecorder(path: path, mode: mode) } catch { return .failure(.recording(error.description)) }
        } else {
            recorder = nil
        }
        let previous = try? await loop.submit { () -> Result<CallRecorder?, MediaEngineError> in
            guard let session = self.sessions[call] else { return .failure(.noSession(call)) }
            if recorder != nil, let current = session.recorder {
                return .failure(.recording("call '\(call)' is being recorded to \(current.path) already; stop that first"))
            }
            defer { session.recorder = recorder }
            return .success(session.recorder)
        }.get()
        switch previous {
        case .failure(let e)?:
            if let recorder { _ = recorder.finish() }
            return .failure(e)
        case nil:
            return .failure(.stopped)
        case .success(let old)?:
            if let recorder { return .success(.started(call: CallID(call), path: recorder.path, mode: RecordingMode(rawValue: mode.rawValue))) }
            guard let old else { return .failure(.recording("call '\(call)' is not being recorded")) }
            let seconds = old.finish()
            return .success(.stopped(call: CallID(call), path: old.path, seconds: seconds))
        }
    }

    /// Ends a session: closes its sockets and reports its final figures.
    public func release(call: String) async -> MediaStats? {
        let result = try? await loop.submit { () -> (MediaStats, [any Channel])? in
            guard let session = self.sessions.removeValue(forKey: call) else { return nil }
            session.released = true
            if let recorder = session.recorder {
                session.recorder = nil
                DispatchQueue.global().async { _ = recorder.finish() }  // the file is complete once the call is gone
            }
            let stats = self.withActions { actions in
                let stats = session.core.stop(now: MonotonicClock.now(), into: &actions)
                if let spec = session.core.spec {
                    if self.sessionByCapture[spec.captureStream] === session { self.sessionByCapture[spec.captureStream] = nil }
                    self.audio?.captureStreamChanged(from: spec.captureStream, to: nil)
                    self.audio?.endStream(spec.playbackStream, sequence: session.core.playbackSequence, timestamp: session.core.playbackTimestamp)
                }
                self.perform(session, &actions)
                return stats
            }
            return (stats, [session.rtp, session.rtcp].compactMap { $0 })
        }.get()
        guard let (stats, channels) = result ?? nil else { return nil }
        for c in channels { try? await c.close() }
        return stats
    }

    /// Queues RFC 4733 digits to send (each `durationMs`, 60 ms apart).
    public func sendDTMF(call: String, digits: String, durationMs: Int) async -> Result<Int, MediaEngineError> {
        let events = digits.compactMap { DTMFEvent(character: $0) }
        guard events.count == digits.count, !events.isEmpty else { return .failure(.badDigits(digits)) }
        return (try? await loop.submit { () -> Result<Int, MediaEngineError> in
            guard let session = self.sessions[call] else { return .failure(.noSession(call)) }
            return session.core.sendDTMF(events, durationMs: durationMs)
        }.get()) ?? .failure(.stopped)
    }

    public func stats(call: String) async -> MediaStats? {
        try? await loop.submit { self.sessions[call]?.core.stats(now: MonotonicClock.now()) }.get()
    }

    /// Frames to send the sessions took in (captured or injected), over all sessions: for benchmarks.
    public func framesCaptured() async -> Int {
        (try? await loop.submit { self.sessions.values.reduce(0) { $0 + $1.core.framesCaptured } }.get()) ?? 0
    }

    public func load() async -> (sessions: Int, started: Int) {
        (try? await loop.submit { (self.sessions.count, self.sessions.values.reduce(0) { $0 + ($1.started ? 1 : 0) }) }.get()) ?? (0, 0)
    }
}

public enum MediaEngineError: Error, Sendable, CustomStringConvertible {
    case bindFailed(Int, String)
    case noSession(String)
    case badAddress(String)
    case badDigits(String)
    case noTelephoneEvent
    case stopped
    case recording(String)

    public var description: String {
        switch self {
        case .bindFailed(let port, let why): "cannot bind RTP/RTCP ports \(port)/\(port + 1): \(why)"
        case .noSession(let call): "no media session for call '\(call)'"
        case .badAddress(let a): "'\(a)' is not an IP address"
        case .badDigits(let d): "'\(d)' holds characters that are not DTMF (0-9 * # A-D)"
        case .noTelephoneEvent: "the peer did not accept telephone-event in its SDP; DTMF cannot be sent in-band as RFC 4733"
        case .recording(let why): why
        case .stopped: "the media engine is stopping"
        }
    }
}
