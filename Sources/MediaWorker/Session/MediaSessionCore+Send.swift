import JitterBuffer
import MediaCore
import Timebase

/// The 20 ms tick and the send path: playout, the frame to send, packetizing, recording, RTCP reports and stats.
extension MediaSessionCore {
    public static let frameSamples = 160
    static let statsInterval: UInt64 = 1_000_000_000

    /// A frame to send on this call, from sip-audio's microphone or `injected` by a client (the library's `send`),
    /// which replaces the microphone: while injected frames keep coming (within 200 ms of the last one), microphone
    /// frames for the call are dropped. `origin` is the frame's origin stamp (monotonic ns on this host; 0: none),
    /// `now` its arrival.
    public mutating func setCapture(_ samples: UnsafeBufferPointer<Int16>, injected: Bool, origin: UInt64, now: MonotonicTime) {
        let at = now.unsignedNanoseconds
        if injected {
            lastInjected = at
        } else if let last = lastInjected, at &- last < Self.injectionHold {
            return
        }
        capture.append(samples, origin: origin)
        counters.framesCaptured += 1
    }

    /// One 20 ms tick of a started session at `now` (`wallClock`: the wall clock read with it, for RTCP): a frame
    /// to play (when the direction receives), the packet to send (audio, or DTMF while an event is on; none when
    /// the direction does not send, though the RTP clock keeps running), the recording's frames, a due RTCP
    /// report, and `media.stats` once a second.
    public mutating func tick(now: MonotonicTime, wallClock: NTPTimestamp, into actions: inout MediaActions) {
        guard let spec, let remote = remoteRTP else { return }
        self.wallClock = (now.nanoseconds, wallClock)
        let played = playOut(spec, now: now, into: &actions)
        let sent = sendOut(spec, to: remote, now: now, into: &actions)
        if isRecording {
            let sentFrame = spec.sends ? sent : actions.appendSamples(Self.frameSamples) { $0.update(repeating: 0) }
            actions.appendRecording(sent: sentFrame, received: played)
        }
        reportIfDue(now: now, into: &actions)
        let ns = now.unsignedNanoseconds
        if ns &- lastStatsAt >= Self.statsInterval {
            lastStatsAt = ns
            actions.appendEvent(.stats(stats(now: now)))
        }
    }

    /// The uplink latency: the packet carrying the captured frame stamped `origin` was written at `now`.
    public mutating func packetWritten(origin: UInt64, at now: MonotonicTime) {
        let sent = now.unsignedNanoseconds
        guard origin != 0, origin <= sent, sent - origin < 10_000_000_000 else { return }
        audioToRTP.add(nanoseconds: sent - origin)
    }

    /// Pulls the frame to play from the jitter buffer; returns where its samples are.
    private mutating func playOut(_ spec: MediaStartSpec, now: MonotonicTime, into actions: inout MediaActions) -> Range<Int>? {
        guard spec.receives else { return nil }
        var info: PlayoutInfo?
        let range = actions.appendSamples(Self.frameSamples) { info = playout.pull(now: now, into: $0) }
        guard let info else { return range }
        let silent = info.kind == .silence
        // The frame's origin: when the packet holding its last sample arrived (nothing for silence or concealment).
        let origin = info.kind == .normal || info.kind == .compressed
            ? info.timestamp.map { arrivals.arrival(ofSample: $0 &+ UInt32(Self.frameSamples - 1)) } ?? 0 : 0
        if silent { counters.framesSilent += 1 } else { counters.framesPlayed += 1 }
        actions.appendFrame(MediaActions.Frame(stream: spec.playbackStream, sequence: playbackSequence, timestamp: playbackTimestamp,
                                               silent: silent, origin: origin, range: range))
        playbackSequence &+= 1
        playbackTimestamp &+= UInt64(Self.frameSamples)
        return range
    }

    /// Takes this tick's frame to send (captured, hold music, or silence) and sends it as the packet due, if any;
    /// returns where the frame's samples are (what the recording keeps of us).
    private mutating func sendOut(_ spec: MediaStartSpec, to remote: MediaAddress, now: MonotonicTime,
                                  into actions: inout MediaActions) -> Range<Int> {
        var origin: UInt64 = 0
        let frame = actions.appendSamples(Self.frameSamples) { origin = capture.takeOldest(into: $0) }
        if spec.holdMusic != nil, holdMusic != nil {
            actions.withMutableSamples(in: frame) { holdMusic!.nextFrame(into: $0) }
        }
        let ns = now.unsignedNanoseconds
        // DTMF: RFC 4733 packets replace audio while an event is on (the audio clock keeps running).
        if let te = spec.telephoneEventPayloadType, spec.sends, sendDTMFPackets(payloadType: te, to: remote, now: ns, into: &actions) {
            packetizer.skip(samples: UInt32(Self.frameSamples))
            return frame
        }
        guard spec.sends else {
            packetizer.skip(samples: UInt32(Self.frameSamples))
            return frame
        }
        let perPacket = max(1, spec.ptime / 20) * Self.frameSamples
        let law = spec.law, payloadType = spec.payloadType
        let capacity = RTPPacketizer.headerSize + perPacket
        var encoded = 0
        if perPacket == Self.frameSamples && pending.isEmpty {
            // The usual 20 ms packet: encoded from the frame straight into the datagram.
            actions.appendPacket(.rtp, to: remote, origin: origin, capacity: capacity, encoding: frame) { out, samples in
                encoded = law.encode(samples, into: UnsafeMutableRawBufferPointer(rebasing: out[RTPPacketizer.headerSize...]))
                return packetizer.packet(payloadType: payloadType, payloadInPlace: encoded, samples: UInt32(perPacket), into: out)
            }
        } else {
            actions.withSamples(in: frame) { pending.append(contentsOf: $0) }
            guard pending.count >= perPacket else { return frame }
            var packetizer = self.packetizer
            pending.withUnsafeBufferPointer { waiting in
                let samples = UnsafeBufferPointer(rebasing: waiting[0..<perPacket])
                actions.appendPacket(.rtp, to: remote, origin: origin, capacity: capacity) { out in
                    encoded = law.encode(samples, into: UnsafeMutableRawBufferPointer(rebasing: out[RTPPacketizer.headerSize...]))
                    return packetizer.packet(payloadType: payloadType, payloadInPlace: encoded, samples: UInt32(perPacket), into: out)
                }
            }
            self.packetizer = packetizer
            pending.removeFirst(perPacket)
        }
        rtcpSession?.didSendRTP(bytes: encoded, packets: 1, rtpTimestamp: packetizer.timestamp &- UInt32(perPacket),
                                now: now.nanoseconds, ntpNow: wallClock.ntp)
        return frame
    }
}
