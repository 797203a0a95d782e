import Testing
import MediaCore

@Suite struct TelephoneEventPayloadTests {
    @Test func parseAndSerialize() throws {
        let event = try TelephoneEvent.parse([0x05, 0x8A, 0x03, 0x20])
        #expect(event == TelephoneEvent(event: 5, isEnd: true, volume: 10, duration: 800))
        #expect(event.bytes == [0x05, 0x8A, 0x03, 0x20])
        #expect(event.dtmf == .digit5)
        // Reserved bit is ignored; extra bytes (further blocks) too.
        #expect(try TelephoneEvent.parse([0x0B, 0x4F, 0x00, 0xA0, 1, 2, 3, 4]) == TelephoneEvent(event: 11, isEnd: false, volume: 15, duration: 160))
        var buffer = [UInt8](repeating: 0, count: 4)
        let written = buffer.withUnsafeMutableBytes { TelephoneEvent(event: 16, isEnd: true, volume: 0xFF, duration: 0xFFFF).write(into: $0) }
        #expect(written == 4)
        #expect(buffer == [16, 0xBF, 0xFF, 0xFF])  // volume masked to 6 bits
        var short = [UInt8](repeating: 0, count: 3)
        #expect(short.withUnsafeMutableBytes { TelephoneEvent(event: 1, duration: 1).write(into: $0) } == 0)
    }

    @Test(arguments: 0...3)
    func truncatedPayload(length: Int) {
        #expect(throws: TelephoneEventParseError.truncated) { try TelephoneEvent.parse([UInt8](repeating: 1, count: length)) }
    }

    @Test func dtmfCharacterMapping() {
        let keys = Array("0123456789*#ABCD!")
        for (code, key) in keys.enumerated() {
            #expect(DTMFEvent(character: key)?.rawValue == UInt8(code))
            #expect(DTMFEvent(rawValue: UInt8(code))?.character == key)
        }
        #expect(DTMFEvent(character: "b") == .b)
        #expect(DTMFEvent(character: "E") == nil)
        #expect(DTMFEvent(character: "é") == nil)
        #expect(DTMFEvent(rawValue: 17) == nil)
        #expect(DTMFEvent.allCases.count == 17)
    }
}

@Suite struct TelephoneEventSenderTests {
    static let ms: UInt64 = 1_000_000
    static let t0: UInt64 = 10_000 * ms

    static func packet(_ marker: Bool, _ end: Bool, _ duration: UInt16, event: UInt8 = 1, ts: UInt32 = 4000) -> TelephoneEventPacket {
        TelephoneEventPacket(marker: marker, timestamp: ts, payload: TelephoneEvent(event: event, isEnd: end, volume: 10, duration: duration))
    }

    /// Drives the sender with a 1 ms tick and records (time offset, packet).
    static func run(_ sender: inout TelephoneEventSender, until end: UInt64) -> [(UInt64, TelephoneEventPacket)] {
        var out: [(UInt64, TelephoneEventPacket)] = []
        var now = t0
        while now <= t0 + end * ms {
            while let packet = sender.nextPacket(now: now) { out.append(((now - t0) / ms, packet)) }
            now += ms
        }
        return out
    }

    @Test func exactSequenceFor100msDigit() throws {
        var sender = TelephoneEventSender()
        #expect(sender.samplesPerPacket == 160)
        try sender.begin(.digit1, rtpTimestamp: 4000, now: Self.t0, durationMilliseconds: 100)
        let sent = Self.run(&sender, until: 300)
        #expect(sent.map(\.0) == [0, 20, 40, 60, 80, 100, 120])
        #expect(sent.map(\.1) == [
            Self.packet(true, false, 160), Self.packet(false, false, 320), Self.packet(false, false, 480),
            Self.packet(false, false, 640), Self.packet(false, true, 800), Self.packet(false, true, 800),
            Self.packet(false, true, 800),
        ])
        #expect(sender.isIdle)
    }

    @Test func durationNotMultipleOfInterval() throws {
        var sender = TelephoneEventSender(configuration: .init(clockRate: 8000, packetIntervalMilliseconds: 20, volume: 7))
        try sender.begin(eventCode: 11, rtpTimestamp: 0, now: Self.t0, durationMilliseconds: 50)
        let sent = Self.run(&sender, until: 200).map { ($0.0, $0.1.payload.duration, $0.1.payload.isEnd) }
        #expect(sent.map(\.0) == [0, 20, 40, 60, 80])
        #expect(sent.map(\.1) == [160, 320, 400, 400, 400])
        #expect(sent.map(\.2) == [false, false, true, true, true])
    }

    @Test func veryShortDigitIsOneIntervalAndMarkedEnd() throws {
        var sender = TelephoneEventSender()
        try sender.begin(.pound, rtpTimestamp: 9, now: Self.t0, durationMilliseconds: 0)
        let sent = Self.run(&sender, until: 100).map(\.1)
        #expect(sent == [
            Self.packet(true, true, 160, event: 11, ts: 9), Self.packet(false, true, 160, event: 11, ts: 9),
            Self.packet(false, true, 160, event: 11, ts: 9),
        ])
    }

    @Test func manualEndUsesElapsedDuration() throws {
        var sender = TelephoneEventSender()
        try sender.begin(.star, rtpTimestamp: 1, now: Self.t0, durationMilliseconds: nil)
        var sent: [TelephoneEventPacket] = []
        for offset: UInt64 in [0, 20, 40, 60] {
            while let p = sender.nextPacket(now: Self.t0 + offset * Self.ms) { sent.append(p) }
        }
        #expect(sent.map(\.payload.duration) == [160, 320, 480, 640])
        // Key released at 75 ms = 600 samples, but 640 were already announced.
        sender.end(now: Self.t0 + 75 * Self.ms)
        var ends: [(UInt64, UInt16)] = []
        for offset: UInt64 in 75...140 {
            while let p = sender.nextPacket(now: Self.t0 + offset * Self.ms) {
                #expect(p.payload.isEnd && !p.marker && p.timestamp == 1)
                ends.append((offset, p.payload.duration))
            }
        }
        #expect(ends.map(\.0) == [75, 95, 115])
        #expect(ends.map(\.1) == [640, 640, 640])
        #expect(sender.isIdle)
    }

    @Test func missedTicksSkipStaleUpdates() throws {
        var sender = TelephoneEventSender()
        try sender.begin(.digit9, rtpTimestamp: 0, now: Self.t0, durationMilliseconds: 1000)
        #expect(sender.nextPacket(now: Self.t0 - 1) == nil)
        #expect(sender.nextPacket(now: Self.t0)?.payload.duration == 160)
        #expect(sender.nextPacket(now: Self.t0 + 19 * Self.ms) == nil)
        let late = sender.nextPacket(now: Self.t0 + 70 * Self.ms)
        #expect(late?.payload.duration == 640 && late?.marker == false)
        #expect(sender.nextPacket(now: Self.t0 + 70 * Self.ms) == nil)
    }

    @Test func busyWhileSendingAndCancel() throws {
        var sender = TelephoneEventSender()
        try sender.begin(.digit0, rtpTimestamp: 0, now: Self.t0, durationMilliseconds: 100)
        #expect(throws: TelephoneEventSenderError.busy) {
            try sender.begin(.digit1, rtpTimestamp: 0, now: Self.t0, durationMilliseconds: 100)
        }
        sender.cancel()
        #expect(sender.isIdle)
        #expect(sender.nextPacket(now: Self.t0) == nil)
        try sender.begin(.digit1, rtpTimestamp: 0, now: Self.t0, durationMilliseconds: 100)
    }

    @Test func longEventIsCappedAt65535Samples() throws {
        var sender = TelephoneEventSender()
        try sender.begin(.digit2, rtpTimestamp: 0, now: Self.t0, durationMilliseconds: 60_000)
        let sent = Self.run(&sender, until: 9_000).map(\.1.payload)
        #expect(sent.filter(\.isEnd).map(\.duration) == [65_535, 65_535, 65_535])
        #expect(sent.filter { !$0.isEnd }.count == 409)  // 160 * 409 = 65440 < 65535 <= 160 * 410
    }
}

@Suite struct TelephoneEventReceiverTests {
    static func packets(_ event: DTMFEvent, ts: UInt32) throws -> [TelephoneEventPacket] {
        var sender = TelephoneEventSender()
        try sender.begin(event, rtpTimestamp: ts, now: 0, durationMilliseconds: 120)
        var out: [TelephoneEventPacket] = []
        for tick: UInt64 in 0..<20 {
            while let p = sender.nextPacket(now: tick * 20_000_000) { out.append(p) }
        }
        return out
    }

    @Test func eachDigitReportedOnceDespiteRetransmissions() throws {
        var receiver = TelephoneEventReceiver()
        var stream: [TelephoneEventPacket] = []
        for (i, key) in "15#5D!".enumerated() {
            stream += try Self.packets(DTMFEvent(character: key)!, ts: UInt32(1000 + i * 2000))
        }
        // Duplicate every packet once more (network duplication).
        let duplicated = stream.flatMap { [$0, $0] }
        let reported = duplicated.compactMap { receiver.receive($0.payload, timestamp: $0.timestamp) }
        #expect(String(reported.map(\.character)) == "15#5D!")
        #expect(!receiver.isEventInProgress)
    }

    @Test func lostStartStillReportsAndStaleIsIgnored() throws {
        var receiver = TelephoneEventReceiver()
        let first = try Self.packets(.digit7, ts: 500)
        let second = try Self.packets(.digit8, ts: 2500)
        // Only end packets of the first digit arrive.
        var reported = first.filter(\.payload.isEnd).compactMap { receiver.receive($0.payload, timestamp: $0.timestamp) }
        #expect(reported == [.digit7])
        reported += second.prefix(2).compactMap { receiver.receive($0.payload, timestamp: $0.timestamp) }
        #expect(receiver.isEventInProgress)
        // A late update of the first digit arrives after the second started.
        reported += [first[1]].compactMap { receiver.receive($0.payload, timestamp: $0.timestamp) }
        reported += second.dropFirst(2).compactMap { receiver.receive($0.payload, timestamp: $0.timestamp) }
        #expect(reported == [.digit7, .digit8])
    }

    @Test func nonDTMFEventsAreDedupedButNotReported() {
        var receiver = TelephoneEventReceiver()
        let tone = TelephoneEvent(event: 36, duration: 160)  // fax CNG tone
        #expect(receiver.receive(tone, timestamp: 10) == nil)
        #expect(receiver.isEventInProgress)
        #expect(receiver.receive(TelephoneEvent(event: 3, duration: 160), timestamp: 10) == .digit3)
        #expect(receiver.receive(TelephoneEvent(event: 3, duration: 320), timestamp: 10) == nil)
    }

    @Test func timestampWrapIsNotStale() {
        var receiver = TelephoneEventReceiver()
        #expect(receiver.receive(TelephoneEvent(event: 1, duration: 160), timestamp: 0xFFFF_FF00) == .digit1)
        #expect(receiver.receive(TelephoneEvent(event: 2, duration: 160), timestamp: 0x0000_0100) == .digit2)
        receiver.reset()
        #expect(receiver.receive(TelephoneEvent(event: 2, duration: 160), timestamp: 0x0000_0100) == .digit2)
    }

    /// End-to-end through the RTP layer: sender -> RTP bytes -> parse -> receiver.
    @Test func throughRTPPackets() throws {
        var receiver = TelephoneEventReceiver()
        var sequence: UInt16 = 100
        var digits: [DTMFEvent] = []
        for packet in try Self.packets(.c, ts: 8000) {
            let header = RTPHeader(marker: packet.marker, payloadType: 101, sequenceNumber: sequence, timestamp: packet.timestamp, ssrc: 5)
            sequence &+= 1
            let bytes = try header.serialized(payload: packet.payload.bytes)
            let parsed = try RTPPacket.parse(bytes)
            let digit = bytes.withUnsafeBytes {
                receiver.receive(payload: UnsafeRawBufferPointer(rebasing: $0[parsed.payloadRange]), timestamp: parsed.header.timestamp)
            }
            if let digit { digits.append(digit) }
        }
        #expect(digits == [.c])
    }
}
