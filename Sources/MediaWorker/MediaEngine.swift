import Foundation
import Synchronization
import JitterBuffer
import MediaCore
import MediaQuality
import NIOCore
import NIOPosix
import Timebase
import Wire

/// The media worker's engine: one event loop thread carries every session of the worker. RTP arrives on it
/// (NIO datagram channels), and a 20 ms tick scheduled at absolute deadlines (so it does not drift) plays out,
/// captures, packetizes and sends for all sessions at once: the per-call cost is a few microseconds of work per
/// tick and no thread of its own.
///
/// Thread-safety: all mutable state is touched only on `loop`; public methods hop onto it.
public final class MediaEngine: @unchecked Sendable {
    /// Publishes an event on the bus (through orch).
    public typealias Emit = @Sendable (any WireEvent) -> Void

    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let loop: any EventLoop
    let emit: Emit
    let audio: (any MediaPlayoutSink)?
    private var sessions: [String: MediaSession] = [:]
    /// Started sessions by the stream their frames to send come on (loop only).
    private var sessionByCapture: [UInt32: MediaSession] = [:]
    /// Frames to send, from the bus thread, waiting for the loop.
    private let pendingCaptured = Mutex<[CapturedFrame]>([])
    struct CapturedFrame: Sendable {
        var stream: UInt32
        var samples: [Int16]
        var injected: Bool
        var origin: UInt64
        var at: UInt64
    }
    private var host = "127.0.0.1"
    private var jitterConfiguration = JitterBufferConfiguration()
    private var tickIndex: Int64 = 0
    private var tickOrigin: UInt64 = 0
    private var scheduled: Scheduled<Void>?
    private var sendBuffer = [UInt8](repeating: 0, count: 2048)
    private var codecBuffer = [UInt8](repeating: 0, count: 1920)
    private var decodeBuffer = [Int16](repeating: 0, count: 1920)
    var latchToSource = true
    public static let frameNanoseconds: UInt64 = 20_000_000
    static let silence = [Int16](repeating: 0, count: 160)

    public init(audio: (any MediaPlayoutSink)?, emit: @escaping Emit) {
        self.loop = group.next()
        self.audio = audio
        self.emit = emit
    }

    public func setHost(_ host: String) { loop.execute { self.host = host } }

    /// Jitter buffer settings for calls started from now on (`rtp.jitter_min_ms` / `rtp.jitter_max_ms`).
    public func setJitterBuffer(_ configuration: JitterBufferConfiguration) { loop.execute { self.jitterConfiguration = configuration } }

    /// Starts the 20 ms tick.
    public func start() {
        loop.execute {
            self.tickOrigin = MonotonicClock.now().unsignedNanoseconds
            self.tickIndex = 0
            self.scheduleNextTick()
        }
    }

    public func shutdown() async {
        _ = try? await loop.submit { () -> [any Channel] in
            self.scheduled?.cancel()
            let channels = self.sessions.values.flatMap { [$0.rtp, $0.rtcp].compactMap { $0 } }
            self.sessions.removeAll()
            return channels
        }.flatMap { channels in
            EventLoopFuture.andAllComplete(channels.map { $0.close() }, on: self.loop)
        }.get()
        try? await group.shutdownGracefully()
    }

    // MARK: commands (from the bus)

    /// Binds the RTP/RTCP port pair of a new session (the ports stay ours until release).
    public func allocate(call: String, port: Int) async -> Result<Int, MediaEngineError> {
        let host = await hostValue()
        do {
            let rtp = try await bind(host: host, port: port, call: call, rtcp: false)
            let rtcp: any Channel
            do { rtcp = try await bind(host: host, port: port + 1, call: call, rtcp: true) } catch {
                try? await rtp.close()
                throw error
            }
            return try await loop.submit { () -> Result<Int, MediaEngineError> in
                let session = MediaSession(call: call, localPort: port, now: MonotonicClock.now().unsignedNanoseconds,
                                           jitterBuffer: self.jitterConfiguration)
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
        try? await loop.submit { self.sessions[call]?.localPort }.get()
    }

    /// Starts or updates (re-INVITE: new address, hold, resume) a session's flow without dropping it.
    public func start(call: String, spec: MediaStartSpec) async -> Result<MediaAPI.Start.Result, MediaEngineError> {
        let remote: SocketAddress
        let remoteRTCP: SocketAddress
        do {
            remote = try SocketAddress(ipAddress: spec.remoteHost, port: spec.remotePort)
            remoteRTCP = try SocketAddress(ipAddress: spec.remoteHost, port: spec.remoteRTCPPort)
        } catch {
            return .failure(.badAddress(spec.remoteHost))
        }
        // Hold music is read here, off the event loop; a file already loaded for this call is not read again.
        var music: Result<HoldMusic, HoldMusicError>?
        if let path = spec.holdMusic, (try? await loop.submit { self.sessions[call]?.holdMusic?.path }.get()) != path {
            music = HoldMusic.load(path: path)
        }
        return (try? await loop.submit { () -> Result<MediaAPI.Start.Result, MediaEngineError> in
            guard let session = self.sessions[call] else { return .failure(.noSession(call)) }
            var musicError: String?
            switch music {
            case .success(let loaded): session.holdMusic = loaded
            case .failure(let error): session.holdMusic = nil; musicError = error.description
            case nil: if spec.holdMusic == nil { session.holdMusic = nil }
            }
            let first = session.spec == nil
            if first, let state = spec.continuing {
                session.packetizer = RTPPacketizer(continuing: state, now: UInt64(Self.monotonic()))
            }
            if session.rtcpSession == nil {
                let config = RTCPSession.Configuration(ssrc: session.packetizer.ssrc, cname: "sip-rtp@\(self.host)")
                session.rtcpSession = try? RTCPSession(configuration: config, now: Self.monotonic())
            }
            let moved = session.spec.map { $0.remoteHost != spec.remoteHost || $0.remotePort != spec.remotePort } ?? true
            let oldCapture = session.spec?.captureStream
            session.spec = spec
            if oldCapture != spec.captureStream {
                if let oldCapture, self.sessionByCapture[oldCapture] === session { self.sessionByCapture[oldCapture] = nil }
                self.sessionByCapture[spec.captureStream] = session
                self.audio?.captureStreamChanged(from: oldCapture, to: spec.captureStream)
            }
            if moved {
                session.remoteRTP = remote
                session.remoteRTCP = remoteRTCP
                session.latched = false
                session.latchCandidate = nil
            }
            let flow = MediaFlow(call: CallID(call), direction: spec.direction, remote: "\(spec.remoteHost):\(spec.remotePort)",
                                 codec: spec.codec, localPort: UInt16(clamping: session.localPort))
            self.emit(first ? MediaStartedEvent(flow) as any WireEvent : MediaUpdatedEvent(flow))
            return .success(MediaAPI.Start.Result(stats: session.stats(), holdMusicError: musicError))
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
            if recorder != nil, session.recorder != nil { return .failure(.recording("call '\(call)' is being recorded to \(session.recorder!.path) already; stop that first")) }
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
            if let recorder = session.recorder {
                session.recorder = nil
                DispatchQueue.global().async { _ = recorder.finish() }  // the file is complete once the call is gone
            }
            if session.isStarted, let bye = session.rtcpSession?.bye(now: Self.monotonic()) { self.sendRTCP(session, bytes: bye) }
            let stats = session.stats()
            if let capture = session.spec?.captureStream {
                if self.sessionByCapture[capture] === session { self.sessionByCapture[capture] = nil }
                self.audio?.captureStreamChanged(from: capture, to: nil)
            }
            self.audio?.endStream(session)
            self.emit(MediaStoppedEvent(stats))
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
            guard let session = self.sessions[call], let spec = session.spec else { return .failure(.noSession(call)) }
            guard spec.telephoneEventPayloadType != nil else { return .failure(.noTelephoneEvent) }
            session.dtmfQueue += events.map { ($0, UInt32(durationMs)) }
            return .success(events.count)
        }.get()) ?? .failure(.stopped)
    }

    public func stats(call: String) async -> MediaStats? {
        try? await loop.submit { self.sessions[call]?.stats() }.get()
    }

    public func load() async -> (sessions: Int, started: Int) {
        (try? await loop.submit { (self.sessions.count, self.sessions.values.filter(\.isStarted).count) }.get()) ?? (0, 0)
    }

    /// A captured (microphone or injected) frame for the session whose capture stream it is.
    /// A frame to send on the call whose capture stream is `stream`: from sip-audio's microphone, or `injected`
    /// by a client (the library's `send`), which replaces the microphone: while injected frames keep coming
    /// (within `injectionHold` ns of the last one), microphone frames for that call are dropped.
    /// - Parameter origin: the frame's origin stamp (monotonic ns on this host), 0 for none.
    func captured(stream: UInt32, samples: [Int16], injected: Bool = false, origin: UInt64 = 0) {
        let now = MonotonicClock.now().unsignedNanoseconds
        // Frames come one by one from the bus thread; the loop takes whatever piled up in one go (one wake-up per
        // batch, not per frame).
        let first = pendingCaptured.withLock { queue in
            queue.append(CapturedFrame(stream: stream, samples: samples, injected: injected, origin: origin, at: now))
            return queue.count == 1
        }
        guard first else { return }
        loop.execute { self.takeCaptured() }
    }

    private func takeCaptured() {
        let frames = pendingCaptured.withLock { queue -> [CapturedFrame] in
            let taken = queue
            queue.removeAll(keepingCapacity: true)
            return taken
        }
        for frame in frames {
            guard let session = sessionByCapture[frame.stream] else { continue }
            if frame.injected {
                session.lastInjected = frame.at
            } else if let last = session.lastInjected, frame.at &- last < MediaSession.injectionHold {
                continue
            }
            session.captureQueue.append((frame.samples, frame.origin))
            if session.captureQueue.count > MediaSession.captureDepth { session.captureQueue.removeFirst() }
            session.counters.framesCaptured += 1
        }
    }

    private func hostValue() async -> String { (try? await loop.submit { self.host }.get()) ?? "127.0.0.1" }

    private func bind(host: String, port: Int, call: String, rtcp: Bool) async throws -> any Channel {
        let engine = self
        return try await DatagramBootstrap(group: loop)
            .channelOption(.socketOption(.so_reuseaddr), value: 0)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(MediaDatagramHandler(engine: engine, call: call, rtcp: rtcp))
                }
            }
            .bind(host: host, port: port).get()
    }

    // MARK: receive (on the loop)

    func received(call: String, rtcp: Bool, from source: SocketAddress, bytes: UnsafeRawBufferPointer) {
        guard let session = sessions[call] else { return }
        if rtcp || (session.spec?.rtcpMux == true && Self.looksLikeRTCP(bytes)) {
            session.counters.rtcpReceived += 1
            let outputs = try? session.rtcpSession?.didReceiveRTCP(bytes, arrival: Self.monotonic(), ntpNow: Self.ntpNow())
            for case .send(let packet) in outputs ?? [] { sendRTCP(session, bytes: packet) }
            return
        }
        guard let spec = session.spec, spec.receives || spec.telephoneEventPayloadType != nil else { return }
        guard let packet = try? RTPPacket.parse(bytes) else {
            session.counters.malformed += 1
            return
        }
        let now = MonotonicClock.now().unsignedNanoseconds
        let header = packet.header
        // Symmetric RTP latching (RFC 4961 practice): follow the source actually seen, once, for NATed peers. The
        // address from the SDP is trusted at once; another source only after three consecutive packets of a
        // negotiated payload type, so a stray or forged datagram that happens to parse cannot hijack the call.
        if session.remoteRTP == source {
            session.latched = true
            session.latchCandidate = nil
        } else if latchToSource, !session.latched,
                  header.payloadType == spec.payloadType || header.payloadType == spec.telephoneEventPayloadType {
            if session.latchCandidate?.source == source { session.latchCandidate?.count += 1 }
            else { session.latchCandidate = (source, 1) }
            guard (session.latchCandidate?.count ?? 0) >= 3 else {
                session.counters.wrongSource += 1
                return
            }
            session.remoteRTP = source
            session.latched = true
            session.latchCandidate = nil
        } else {
            session.counters.wrongSource += 1
            return
        }
        if let known = session.remoteSSRC, known != header.ssrc {
            // A new SSRC (the peer restarted its stream): take it once the old one has been quiet for 200 ms.
            guard now &- session.lastFromRemoteSSRC > 200_000_000 else {
                session.counters.wrongSource += 1
                return
            }
            session.receiveStatistics = RTPReceiveStatistics()  // the jitter buffer resets itself on the new SSRC
        }
        session.remoteSSRC = header.ssrc
        session.lastFromRemoteSSRC = now
        let payload = UnsafeRawBufferPointer(rebasing: bytes[packet.payloadRange])
        if let te = spec.telephoneEventPayloadType, header.payloadType == te {
            if let digit = session.dtmfReceiver.receive(payload: payload, timestamp: header.timestamp) {
                session.counters.dtmfReceived += 1
                emit(DTMFReceivedEvent(call: CallID(call), digit: String(digit.character), method: .rfc4733))
            }
            return
        }
        guard header.payloadType == spec.payloadType else {
            session.counters.wrongPayloadType += 1
            return
        }
        session.counters.packetsReceived += 1
        session.counters.bytesReceived += payload.count
        _ = session.receiveStatistics.record(sequence: header.sequenceNumber, timestamp: header.timestamp, arrivalNanoseconds: now)
        session.rtcpSession?.didReceiveRTP(ssrc: header.ssrc, sequence: header.sequenceNumber, timestamp: header.timestamp,
                                          arrival: Int64(now), payloadBytes: payload.count)
        guard spec.receives, payload.count <= decodeBuffer.count else { return }
        let count = decodeBuffer.withUnsafeMutableBufferPointer { out in
            spec.law.decode(payload, into: out)
        }
        session.arrivals.record(timestamp: header.timestamp, samples: count, arrival: now)
        _ = decodeBuffer.withUnsafeBufferPointer { decoded in
            session.playout.insert(sequence: header.sequenceNumber, timestamp: header.timestamp, ssrc: header.ssrc, marker: header.marker,
                                   samples: UnsafeBufferPointer(rebasing: decoded[0..<count]), arrival: MonotonicTime(unsignedNanoseconds: now))
        }
    }

    /// RFC 5761 §4: with rtcp-mux, a second byte of 192-223 (payload types 64-95 with the marker bit) is RTCP.
    static func looksLikeRTCP(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 8 && bytes[0] >> 6 == 2 && (192...223).contains(bytes[1])
    }

    // MARK: the tick (on the loop)

    private func scheduleNextTick() {
        tickIndex += 1
        let deadline = tickOrigin + UInt64(tickIndex) * Self.frameNanoseconds
        scheduled = loop.scheduleTask(deadline: .uptimeNanoseconds(deadline)) { [self] in
            let now = MonotonicClock.now().unsignedNanoseconds
            // After a stall, catch up at most 5 ticks; beyond that, re-anchor the clock.
            let behind = Int64((now - min(now, deadline)) / Self.frameNanoseconds)
            if behind > 5 {
                tickOrigin = now
                tickIndex = 0
            }
            tick(now: now)
            scheduleNextTick()
        }
    }

    private func tick(now: UInt64) {
        for session in sessions.values where session.isStarted {
            playOut(session, now: now)
            sendOut(session, now: now)
            if let recorder = session.recorder {
                recorder.add(sent: session.lastSent, received: session.spec?.receives == true ? session.playoutFrame : nil)
            }
            if let due = session.rtcpSession?.nextReportTime, Int64(now) >= due,
               let outputs = session.rtcpSession?.advance(now: Int64(now), ntpNow: Self.ntpNow()) {
                for case .send(let packet) in outputs { sendRTCP(session, bytes: packet) }
            }
            if now &- session.lastStatsAt >= 1_000_000_000 {
                session.lastStatsAt = now
                emit(MediaStatsEvent(session.stats()))
            }
        }
    }

    private func playOut(_ session: MediaSession, now: UInt64) {
        guard let spec = session.spec, spec.receives else { return }
        let info = session.playoutFrame.withUnsafeMutableBufferPointer { session.playout.pull(now: MonotonicTime(unsignedNanoseconds: now), into: $0) }
        let silent = info.kind == .silence
        // The frame's origin: when the packet holding its last sample arrived (nothing for silence or concealment).
        session.playoutOrigin = info.kind == .normal || info.kind == .compressed
            ? info.timestamp.map { session.arrivals.arrival(ofSample: $0 &+ 159) } ?? 0 : 0
        if silent { session.counters.framesSilent += 1 } else { session.counters.framesPlayed += 1 }
        audio?.play(session: session, samples: session.playoutFrame, silent: silent, stream: spec.playbackStream)
        session.playbackSequence &+= 1
        session.playbackTimestamp &+= 160
    }

    private func sendOut(_ session: MediaSession, now: UInt64) {
        guard let spec = session.spec, let channel = session.rtp, let remote = session.remoteRTP else { return }
        let captured = session.captureQueue.isEmpty ? (samples: Self.silence, origin: UInt64(0)) : session.captureQueue.removeFirst()
        var frame = captured.samples
        session.captureMinBacklog = min(session.captureMinBacklog, session.captureQueue.count)
        session.captureWindowTicks += 1
        if session.captureWindowTicks == MediaSession.captureBacklogWindow {
            if session.captureMinBacklog > 0 { session.captureQueue.removeFirst() }
            session.captureWindowTicks = 0
            session.captureMinBacklog = Int.max
        }
        if spec.holdMusic != nil, session.holdMusic != nil { frame = session.holdMusic!.nextFrame() }
        if session.recorder != nil { session.lastSent = spec.sends ? frame : Self.silence }
        // DTMF: RFC 4733 packets replace audio while an event is on (the audio clock keeps running).
        if let te = spec.telephoneEventPayloadType, spec.sends, dtmfStep(session, payloadType: te, now: now, channel: channel, to: remote) {
            session.packetizer.skip(samples: 160)
            return
        }
        guard spec.sends else {
            session.packetizer.skip(samples: 160)
            return
        }
        let perPacket = max(1, spec.ptime / 20) * 160
        let samples: [Int16]
        if perPacket == frame.count && session.pending.isEmpty {
            samples = frame  // the usual 20 ms packet: no accumulation, no copy
        } else {
            session.pending += frame
            guard session.pending.count >= perPacket else { return }
            samples = Array(session.pending.prefix(perPacket))
            session.pending.removeFirst(perPacket)
        }
        let encoded = codecBuffer.withUnsafeMutableBytes { out in
            samples.withUnsafeBufferPointer { spec.law.encode($0, into: out) }
        }
        let size = sendBuffer.withUnsafeMutableBytes { buffer in
            codecBuffer.withUnsafeBytes { payload in
                session.packetizer.packet(payloadType: spec.payloadType, payload: UnsafeRawBufferPointer(rebasing: payload[0..<encoded]),
                                          samples: UInt32(perPacket), into: buffer)
            }
        }
        write(channel, bytes: sendBuffer[0..<size], to: remote)
        if captured.origin != 0 {
            let sent = MonotonicClock.now().unsignedNanoseconds
            if captured.origin <= sent, sent - captured.origin < 10_000_000_000 { session.audioToRTP.add(nanoseconds: sent - captured.origin) }
        }
        session.rtcpSession?.didSendRTP(bytes: encoded, packets: 1, rtpTimestamp: session.packetizer.timestamp &- UInt32(perPacket),
                                        now: Int64(now), ntpNow: Self.ntpNow())
    }

    /// RTCP goes to the peer's RTCP port from ours, or over the RTP socket with rtcp-mux (RFC 5761).
    func sendRTCP(_ session: MediaSession, bytes: [UInt8]) {
        guard let spec = session.spec else { return }
        let mux = spec.rtcpMux
        guard let channel = mux ? session.rtp : session.rtcp, let remote = mux ? session.remoteRTP : session.remoteRTCP else { return }
        session.counters.rtcpSent += 1
        write(channel, bytes: bytes[...], to: remote)
    }

    static func monotonic() -> Int64 { MonotonicClock.now().nanoseconds }

    static func ntpNow() -> NTPTimestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return NTPTimestamp(unixSeconds: UInt64(ts.tv_sec), nanoseconds: UInt32(ts.tv_nsec))
    }

    /// Sends the due RFC 4733 packet, if an event is on or queued; true when it owns this tick.
    private func dtmfStep(_ session: MediaSession, payloadType: UInt8, now: UInt64, channel: any Channel, to remote: SocketAddress) -> Bool {
        if session.dtmfSender.isIdle {
            guard !session.dtmfQueue.isEmpty, now >= session.dtmfGapUntil else { return false }
            let (event, duration) = session.dtmfQueue.removeFirst()
            try? session.dtmfSender.begin(event, rtpTimestamp: session.packetizer.timestamp, now: now, durationMilliseconds: duration)
            session.counters.dtmfSent += 1
        }
        var sentAny = false
        while let packet = session.dtmfSender.nextPacket(now: now) {
            let size = sendBuffer.withUnsafeMutableBytes { session.packetizer.eventPacket(packet, payloadType: payloadType, into: $0) }
            write(channel, bytes: sendBuffer[0..<size], to: remote)
            sentAny = true
        }
        if session.dtmfSender.isIdle { session.dtmfGapUntil = now + 60_000_000 }
        return sentAny || !session.dtmfSender.isIdle
    }

    private func write(_ channel: any Channel, bytes: ArraySlice<UInt8>, to remote: SocketAddress) {
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: remote, data: buffer), promise: nil)
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

/// Hands each datagram of a session's RTP or RTCP socket to the engine, on the engine's loop.
final class MediaDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    private let engine: MediaEngine
    private let call: String
    private let rtcp: Bool

    init(engine: MediaEngine, call: String, rtcp: Bool) {
        self.engine = engine
        self.call = call
        self.rtcp = rtcp
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        envelope.data.withUnsafeReadableBytes { engine.received(call: call, rtcp: rtcp, from: envelope.remoteAddress, bytes: $0) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {}
}
