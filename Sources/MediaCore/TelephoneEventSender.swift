/// Why `TelephoneEventSender.begin` refused an event.
public enum TelephoneEventSenderError: Error, Sendable, Equatable {
    /// An event is still being sent (including its end retransmissions).
    case busy
}

/// Paces the RTP packets of one RFC 4733 event at a time.
///
/// Why a pull model (`nextPacket(now:)`): the media loop already ticks once
/// per packet interval; asking "anything due?" keeps this type free of timers,
/// clocks and allocation, and makes the exact packet sequence testable.
///
/// Sequence for an event started at `t0` with duration `D` samples and `P`
/// samples per interval (all packets share the start timestamp):
/// - at `t0 + k·interval`: update with marker on the first, duration
///   `(k+1)·P` (the packet covers its interval, like an audio packet);
/// - once `(k+1)·P >= D`: the end packet (E bit, duration `D`) instead, sent
///   `endPacketCount` times, one per interval (RFC 4733 §2.5.1.4).
/// Long events are capped at 65535 samples (8 s at 8 kHz) rather than split
/// into segments (§2.5.1.3), which keypad use never reaches.
public struct TelephoneEventSender: Sendable {
    public struct Configuration: Sendable, Equatable {
        public var clockRate: UInt32
        public var packetIntervalMilliseconds: UInt32
        public var volume: UInt8
        public var endPacketCount: Int

        public init(clockRate: UInt32 = 8000, packetIntervalMilliseconds: UInt32 = 20, volume: UInt8 = 10, endPacketCount: Int = 3) {
            self.clockRate = clockRate
            self.packetIntervalMilliseconds = max(packetIntervalMilliseconds, 1)
            self.volume = volume & 0x3F
            self.endPacketCount = max(endPacketCount, 1)
        }
    }

    private enum Phase: Sendable {
        case idle
        /// `index` = next packet number; `target` = final duration if known.
        case active(event: UInt8, timestamp: UInt32, start: UInt64, index: UInt64, target: UInt32?, markerSent: Bool, lastDuration: UInt32)
        case ending(event: UInt8, timestamp: UInt32, duration: UInt16, sent: Int, nextDue: UInt64, markerPending: Bool)
    }

    public let configuration: Configuration
    private var phase: Phase = .idle

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Samples covered by one packet interval.
    public var samplesPerPacket: UInt32 {
        UInt32(min(UInt64(configuration.clockRate) * UInt64(configuration.packetIntervalMilliseconds) / 1000, 0xFFFF))
    }

    private var intervalNanoseconds: UInt64 { UInt64(configuration.packetIntervalMilliseconds) * 1_000_000 }

    public var isIdle: Bool {
        if case .idle = phase { return true }
        return false
    }

    /// Starts a DTMF event. See `begin(eventCode:...)`.
    public mutating func begin(
        _ event: DTMFEvent, rtpTimestamp: UInt32, now: UInt64, durationMilliseconds: UInt32?
    ) throws(TelephoneEventSenderError) {
        try begin(eventCode: event.rawValue, rtpTimestamp: rtpTimestamp, now: now, durationMilliseconds: durationMilliseconds)
    }

    /// Starts an event whose first packet is due at `now` (monotonic ns).
    /// With `durationMilliseconds` nil the event lasts until `end(now:)`.
    /// Durations are clamped to one packet interval ... 65535 samples.
    public mutating func begin(
        eventCode: UInt8, rtpTimestamp: UInt32, now: UInt64, durationMilliseconds: UInt32?
    ) throws(TelephoneEventSenderError) {
        guard isIdle else { throw .busy }
        let target = durationMilliseconds.map { ms -> UInt32 in
            let samples = UInt64(ms) * UInt64(configuration.clockRate) / 1000
            return UInt32(min(max(samples, UInt64(samplesPerPacket)), 0xFFFF))
        }
        phase = .active(event: eventCode, timestamp: rtpTimestamp, start: now, index: 0, target: target, markerSent: false, lastDuration: 0)
    }

    /// Key released: the end packets start at `now`, with the elapsed duration.
    public mutating func end(now: UInt64) {
        guard case let .active(event, timestamp, start, _, target, markerSent, lastDuration) = phase else { return }
        let elapsed = RTPReceiveStatistics.timestampUnits(nanoseconds: now &- start, clockRate: configuration.clockRate)
        var final = max(lastDuration, now > start ? elapsed : 0, samplesPerPacket)
        if let target { final = min(final, max(target, lastDuration)) }
        phase = .ending(event: event, timestamp: timestamp, duration: UInt16(min(final, 0xFFFF)), sent: 0, nextDue: now, markerPending: !markerSent)
    }

    /// Drops the current event without sending further packets.
    public mutating func cancel() {
        phase = .idle
    }

    /// The next packet due at `now`, or nil. Call until nil each tick.
    /// If ticks were missed, intermediate duration updates are skipped (only
    /// the latest matters); end retransmissions are never skipped.
    public mutating func nextPacket(now: UInt64) -> TelephoneEventPacket? {
        switch phase {
        case .idle:
            return nil
        case let .active(event, timestamp, start, index, target, markerSent, _):
            guard now >= start else { return nil }
            let interval = intervalNanoseconds
            let elapsed = now - start
            guard elapsed >= index * interval else { return nil }
            let packetIndex = max(index, elapsed / interval)
            let perPacket = UInt64(samplesPerPacket)
            let covered = (packetIndex + 1) * perPacket
            let limit = UInt64(target ?? 0xFFFF)
            if covered >= limit {
                phase = .ending(
                    event: event, timestamp: timestamp, duration: UInt16(limit), sent: 0,
                    nextDue: start + packetIndex * interval, markerPending: !markerSent)
                return nextPacket(now: now)
            }
            phase = .active(
                event: event, timestamp: timestamp, start: start, index: packetIndex + 1, target: target,
                markerSent: true, lastDuration: UInt32(covered))
            return TelephoneEventPacket(
                marker: !markerSent, timestamp: timestamp,
                payload: TelephoneEvent(event: event, isEnd: false, volume: configuration.volume, duration: UInt16(covered)))
        case let .ending(event, timestamp, duration, sent, nextDue, markerPending):
            guard now >= nextDue else { return nil }
            let sentNow = sent + 1
            if sentNow >= configuration.endPacketCount {
                phase = .idle
            } else {
                phase = .ending(
                    event: event, timestamp: timestamp, duration: duration, sent: sentNow,
                    nextDue: nextDue + intervalNanoseconds, markerPending: false)
            }
            return TelephoneEventPacket(
                marker: markerPending, timestamp: timestamp,
                payload: TelephoneEvent(event: event, isEnd: true, volume: configuration.volume, duration: duration))
        }
    }
}
