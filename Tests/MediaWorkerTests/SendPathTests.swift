import MediaCore
import Testing
import Timebase
import Wire
@testable import MediaWorker

/// The tick's send side: captured frames to packets, DTMF, directions, continuing a stream, ptime, recording.
@Suite struct SendPathTests {
    static func tone(_ n: Int) -> [Int16] { (0..<160).map { Int16(truncatingIfNeeded: (n * 160 + $0) * 97 % 16000 - 8000) } }

    static func encoded(_ samples: [Int16]) -> [UInt8] { samples.map { G711Law.muLaw.encode($0) } }

    @Test func aCapturedFrameGoesOutAsTheNextPCMUPacketAndSilenceWhenNoneCame() {
        var h = CoreHarness()
        h.start(CoreHarness.spec())
        h.capture(Self.tone(0), origin: 777)
        h.tick()
        h.tick()
        #expect(h.packets.count == 2)
        let first = h.packets[0], second = h.packets[1]
        #expect(first.socket == .rtp && first.destination == CoreHarness.sdp)
        #expect(first.payload == Self.encoded(Self.tone(0)))
        #expect(first.origin == 777)
        #expect(second.payload == Self.encoded([Int16](repeating: 0, count: 160)))
        #expect(second.origin == 0)
        let a = try! #require(first.rtp), b = try! #require(second.rtp)
        #expect(a.header.payloadType == 0 && a.header.marker)
        #expect(!b.header.marker)
        #expect(b.header.sequenceNumber == a.header.sequenceNumber &+ 1)
        #expect(b.header.timestamp == a.header.timestamp &+ 160)
        #expect(a.header.ssrc == b.header.ssrc)
        // The write of the packet that carried the stamped frame is the uplink latency.
        h.core.packetWritten(origin: 777, at: MonotonicTime(nanoseconds: 777 + 3_000_000))
        #expect(h.stats.audioToRTPMs?.p50 == 3)
    }

    @Test func framesBeyondTheRingsDepthPushTheOldestOut() {
        var h = CoreHarness()
        h.start(CoreHarness.spec())
        for n in 0..<6 { h.capture(Self.tone(n), origin: UInt64(n + 1)) }
        for _ in 0..<4 { h.tick() }
        #expect(h.packets.map(\.origin) == [3, 4, 5, 6])
        #expect(h.core.framesCaptured == 6)
    }

    @Test func injectedFramesSilenceTheMicrophoneFor200ms() {
        var h = CoreHarness()
        h.start(CoreHarness.spec())
        h.capture(Self.tone(1), injected: true, origin: 1)
        h.capture(Self.tone(2), origin: 2)  // the microphone: ignored while injection goes on
        h.tick()
        h.tick()
        #expect(h.packets.map(\.origin) == [1, 0])
        for _ in 0..<10 { h.tick() }  // 200 ms later the microphone counts again
        h.capture(Self.tone(3), origin: 3)
        h.tick()
        #expect(h.packets.last?.origin == 3)
    }

    @Test func dtmfReplacesAudioWhileTheEventIsOnAndTheAudioClockKeepsRunning() {
        var h = CoreHarness()
        h.start(CoreHarness.spec(telephoneEvent: 101))
        h.tick()
        let queued = h.core.sendDTMF([.digit1, .pound], durationMs: 100)
        #expect((try? queued.get()) == 2)
        for _ in 0..<30 { h.tick() }
        let rtp = h.rtpSent
        // Sequence numbers run on without a gap across audio and events.
        #expect(zip(rtp, rtp.dropFirst()).allSatisfy { $1.header.sequenceNumber == $0.header.sequenceNumber &+ 1 })
        let events = rtp.filter { $0.header.payloadType == 101 }
        let digits = Set(h.packets.filter { $0.rtp?.header.payloadType == 101 }.compactMap { try? TelephoneEvent.parse($0.payload).event })
        #expect(digits == [1, 11])
        // Per digit: updates, then three end packets, the first one marked, all with the event's start timestamp.
        let first = events.filter { $0.header.timestamp == events[0].header.timestamp }
        #expect(first.first?.header.marker == true)
        #expect(first.dropFirst().allSatisfy { !$0.header.marker })
        let ends = h.packets.filter { $0.rtp?.header.payloadType == 101 && (try? TelephoneEvent.parse($0.payload).isEnd) == true }
        #expect(ends.count == 6)
        // No audio packet while an event is on; the first audio after it starts a talkspurt, its timestamp on the
        // audio clock (160 a tick, events included).
        let audio = rtp.filter { $0.header.payloadType == 0 }
        #expect(rtp.count == 31)  // one packet a tick, audio or event
        let resumed = try! #require(audio.first { $0.header.sequenceNumber > events.last!.header.sequenceNumber })
        #expect(resumed.header.marker)
        #expect((resumed.header.timestamp &- audio[0].header.timestamp) % 160 == 0)
        #expect(h.stats.dtmfSent == 2)
        // 60 ms between the digits: the two ticks after the first digit's last end packet carry audio.
        let second = events.first { $0.header.timestamp != events[0].header.timestamp }!
        let between = audio.filter { $0.header.sequenceNumber > first.last!.header.sequenceNumber && $0.header.sequenceNumber < second.header.sequenceNumber }
        #expect(between.count == 2)
    }

    @Test func dtmfIsRefusedWithoutTelephoneEventOrBeforeStart() {
        var h = CoreHarness()
        guard case .failure(.noSession("call-1")) = h.core.sendDTMF([.digit1], durationMs: 100) else {
            Issue.record("sent DTMF before start")
            return
        }
        h.start(CoreHarness.spec())
        guard case .failure(.noTelephoneEvent) = h.core.sendDTMF([.digit1], durationMs: 100) else {
            Issue.record("sent DTMF with no telephone-event")
            return
        }
    }

    @Test func holdDirectionsDecideWhatIsSentAndPlayed() {
        var h = CoreHarness()
        h.start(CoreHarness.spec(direction: .sendonly))
        h.receive(rtpPacket(sequence: 1, timestamp: 160))
        h.tick()
        #expect(h.packets.count == 1 && h.frames.isEmpty)
        #expect(h.stats.packetsReceived == 0)  // we hold them: what they send is not played

        h.start(CoreHarness.spec(direction: .inactive))
        for _ in 0..<5 { h.tick() }
        #expect(h.packets.count == 1 && h.frames.isEmpty)

        h.start(CoreHarness.spec(direction: .recvonly))
        h.tick()
        #expect(h.packets.count == 1 && h.frames.count == 1)

        h.start(CoreHarness.spec(direction: .sendrecv))
        h.tick()
        let rtp = h.rtpSent
        #expect(rtp.count == 2)
        // Resumed: the next sequence number, the timestamp advanced by every tick in between, a new talkspurt.
        #expect(rtp[1].header.sequenceNumber == rtp[0].header.sequenceNumber &+ 1)
        #expect(rtp[1].header.timestamp == rtp[0].header.timestamp &+ 7 * 160)
        #expect(rtp[1].header.marker)
        #expect(h.events.count { if case .updated = $0 { true } else { false } } == 3)
    }

    @Test func aContinuedStreamKeepsItsSSRCAndAdvancesByTheTimeItWasAway() {
        let at = MonotonicTime.seconds(999)
        var h = CoreHarness()
        h.start(CoreHarness.spec(rtpState: RTPStreamState(ssrc: 0xCAFE, sequence: 100, timestamp: 50_000, atNanoseconds: at.unsignedNanoseconds)))
        h.tick()
        let packet = try! #require(h.rtpSent.first)
        // One second away = 50 packets, plus the one due now.
        #expect(packet.header.ssrc == 0xCAFE)
        #expect(packet.header.sequenceNumber == 151)
        #expect(packet.header.timestamp == 50_000 + 51 * 160)
        #expect(h.stats.rtpState?.ssrc == 0xCAFE)
    }

    @Test func ptime40SendsEveryOtherTickWith40msOfAudio() {
        var h = CoreHarness()
        h.start(CoreHarness.spec(ptime: 40))
        for n in 0..<4 {
            h.capture(Self.tone(n))
            h.tick()
        }
        let rtp = h.rtpSent
        #expect(rtp.count == 2)
        #expect(h.packets[0].payload == Self.encoded(Self.tone(0) + Self.tone(1)))
        #expect(rtp[1].header.timestamp == rtp[0].header.timestamp &+ 320)
    }

    @Test func recordingGetsBothDirectionsEachTickAndHoldMusicReplacesTheCapture() {
        var h = CoreHarness()
        h.start(CoreHarness.spec())
        h.core.isRecording = true
        h.capture(Self.tone(0))
        h.tick()
        #expect(h.recordings.count == 1)
        #expect(h.recordings[0].sent == Self.tone(0))
        #expect(h.recordings[0].received == h.frames[0].samples)

        var spec = CoreHarness.spec()
        spec.holdMusic = "/music.wav"
        h.core.setHoldMusic(HoldMusic(path: "/music.wav", samples: (0..<200).map { Int16($0) }))
        h.start(spec)
        h.capture(Self.tone(1))
        h.tick()
        h.tick()
        #expect(h.recordings[1].sent == (0..<160).map { Int16($0) })
        #expect(h.recordings[2].sent == (160..<200).map { Int16($0) } + (0..<120).map { Int16($0) })
        #expect(h.packets.last?.payload == Self.encoded(h.recordings[2].sent))
    }

    @Test func statsComeOnceASecondAndStopSendsAByeAndTheFinalFigures() {
        var h = CoreHarness()
        h.start(CoreHarness.spec())
        for _ in 0..<100 { h.tick() }
        #expect(h.events.count(where: \.isStats) == 2)  // at the first tick, then a second later
        h.clear()
        let final = h.core.stop(now: h.now, into: &h.actions)
        #expect(final.packetsSent == 100)
        let bye = try! #require(h.actions.packets.first)
        #expect(bye.socket == .rtcp && bye.destination == CoreHarness.sdpRTCP)
        guard case .stopped(let stats) = h.actions.events.last else { Issue.record("no media.stopped"); return }
        #expect(stats.rtcpSent == final.rtcpSent)
    }
}
