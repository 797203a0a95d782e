import MediaCore
import Timebase
import Wire
@testable import MediaWorker

/// One `MediaSessionCore` driven with byte arrays and a virtual clock, and what it asked for, copied out of the
/// actions after every call.
struct CoreHarness {
    struct SentPacket {
        var socket: MediaSocket
        var destination: MediaAddress
        var origin: UInt64
        var bytes: [UInt8]
        var rtp: RTPPacket? { try? RTPPacket.parse(bytes) }
        var payload: [UInt8] { rtp.map { Array(bytes[$0.payloadRange]) } ?? [] }
    }

    struct PlayedFrame {
        var frame: MediaActions.Frame
        var samples: [Int16]
    }

    static let sdp = MediaAddress(host: "192.0.2.10", port: 30000)!
    static let sdpRTCP = MediaAddress(host: "192.0.2.10", port: 30001)!
    static let nat = MediaAddress(host: "198.51.100.7", port: 41000)!
    static let wall = NTPTimestamp(unixSeconds: 1_800_000_000)

    var core: MediaSessionCore
    var actions = MediaActions()
    var now = MonotonicTime.seconds(1000)
    var packets: [SentPacket] = []
    var frames: [PlayedFrame] = []
    var recordings: [(sent: [Int16], received: [Int16]?)] = []
    var events: [MediaActions.Event] = []

    init(packetizer: RTPPacketizer = RTPPacketizer()) {
        core = MediaSessionCore(call: "call-1", localPort: 20000, now: MonotonicTime.seconds(1000), wallClock: Self.wall,
                                packetizer: packetizer)
    }

    static func spec(direction: RTPDirection = .sendrecv, telephoneEvent: Int? = nil, ptime: Int? = nil, rtcpMux: Bool? = nil,
                     rtpState: RTPStreamState? = nil, host: String = "192.0.2.10", port: UInt16 = 30000) -> MediaStartSpec {
        let remote = RemoteMedia(address: host, port: port, codec: .pcmu, payloadType: 0, direction: direction,
                                 telephoneEvent: telephoneEvent, ptime: ptime, rtcpMux: rtcpMux)
        return try! MediaStartSpec(MediaAPI.Start(call: "call-1", remote: remote, streams: PCMStreams(playback: 11, capture: 12),
                                                  rtpState: rtpState))
    }

    mutating func start(_ spec: MediaStartSpec) {
        let remote = MediaAddress(host: spec.remoteHost, port: spec.remotePort)!
        let rtcp = MediaAddress(host: spec.remoteHost, port: spec.remoteRTCPPort)!
        core.start(spec, remote: remote, remoteRTCP: rtcp, host: "127.0.0.1", now: now, into: &actions)
        collect()
    }

    mutating func receive(_ bytes: [UInt8], on socket: MediaSocket = .rtp, from source: MediaAddress = sdp) {
        bytes.withUnsafeBytes { core.receive(packet: $0, on: socket, from: source, now: now, into: &actions) }
        collect()
    }

    /// Advances the clock by 20 ms and ticks.
    mutating func tick() {
        now += .milliseconds(20)
        core.tick(now: now, wallClock: Self.wall.advanced(byNanoseconds: now.nanoseconds), into: &actions)
        collect()
    }

    mutating func capture(_ samples: [Int16], injected: Bool = false, origin: UInt64 = 0) {
        samples.withUnsafeBufferPointer { core.setCapture($0, injected: injected, origin: origin, now: now) }
    }

    /// Forgets what was collected so far.
    mutating func clear() {
        packets.removeAll()
        frames.removeAll()
        recordings.removeAll()
        events.removeAll()
    }

    var stats: MediaStats { core.stats(now: now) }
    var rtpSent: [RTPPacket] { packets.compactMap { $0.socket == .rtp ? $0.rtp : nil } }

    private mutating func collect() {
        for p in actions.packets {
            packets.append(SentPacket(socket: p.socket, destination: p.destination, origin: p.origin, bytes: actions.withBytes(of: p) { Array($0) }))
        }
        for f in actions.frames { frames.append(PlayedFrame(frame: f, samples: actions.withSamples(of: f) { Array($0) })) }
        for r in actions.recordings { recordings.append(actions.withSamples(of: r) { (Array($0), $1.map { Array($0) }) }) }
        events += actions.events
        actions.removeAll()
    }
}

/// An RTP packet as a peer sends it.
func rtpPacket(sequence: UInt16, timestamp: UInt32, ssrc: UInt32 = 0x1234_5678, payloadType: UInt8 = 0, marker: Bool = false,
               payload: [UInt8] = [UInt8](repeating: 0x8F, count: 160)) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: 12 + payload.count)
    let header = RTPHeader(marker: marker, payloadType: payloadType, sequenceNumber: sequence, timestamp: timestamp, ssrc: ssrc)
    let size = out.withUnsafeMutableBytes { o in payload.withUnsafeBytes { try! header.write(into: o, payload: $0) } }
    return Array(out[0..<size])
}

/// An RFC 4733 event packet: `event`, end bit, duration.
func eventPacket(sequence: UInt16, timestamp: UInt32, event: UInt8, end: Bool, duration: UInt16, marker: Bool = false) -> [UInt8] {
    rtpPacket(sequence: sequence, timestamp: timestamp, payloadType: 101, marker: marker,
              payload: TelephoneEvent(event: event, isEnd: end, volume: 10, duration: duration).bytes)
}

/// A minimal RTCP receiver report (RFC 3550 §6.4.2) with no report blocks.
func receiverReport(ssrc: UInt32 = 0x1234_5678) -> [UInt8] {
    [0x80, 201, 0, 1] + withUnsafeBytes(of: ssrc.bigEndian, Array.init)
}

extension MediaActions.Event {
    var dtmfDigit: String? { if case .dtmf(let e) = self { e.digit } else { nil } }
    var isStats: Bool { if case .stats = self { true } else { false } }
}
