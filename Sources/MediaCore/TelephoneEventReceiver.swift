/// Turns a stream of RFC 4733 event packets into one report per key press.
///
/// Why: every event is sent as many packets (updates plus three identical
/// end packets, §2.5.1.4), and packets can be lost, duplicated or reordered.
/// An event is identified by its RTP timestamp and code (§2.5.2.1): the first
/// packet seen for a new (timestamp, code) pair is reported, whichever it
/// is (marker, update, or a lone end packet); everything else is dropped.
/// The marker bit is deliberately not required: the marked packet may be lost.
/// Packets older than the current event (serial-number comparison on the
/// timestamp) are stale and ignored. Non-DTMF codes are tracked (so their
/// retransmissions are deduplicated too) but not reported.
public struct TelephoneEventReceiver: Sendable {
    private var currentTimestamp: UInt32?
    private var currentEvent: UInt8 = 0
    private var currentEnded = false

    public init() {}

    /// Feeds one received event packet; returns the DTMF event once per press.
    public mutating func receive(_ event: TelephoneEvent, timestamp: UInt32) -> DTMFEvent? {
        if let last = currentTimestamp {
            if timestamp == last, event.event == currentEvent {
                if event.isEnd { currentEnded = true }
                return nil
            }
            // Stale: a late packet of an earlier event.
            if Int32(bitPattern: timestamp &- last) < 0 {
                return nil
            }
        }
        currentTimestamp = timestamp
        currentEvent = event.event
        currentEnded = event.isEnd
        return event.dtmf
    }

    /// Parses an RTP payload and feeds it; malformed payloads are ignored.
    public mutating func receive(payload: UnsafeRawBufferPointer, timestamp: UInt32) -> DTMFEvent? {
        guard let event = try? TelephoneEvent.parse(payload) else { return nil }
        return receive(event, timestamp: timestamp)
    }

    /// True while the last seen event has not received its end packet.
    public var isEventInProgress: Bool { currentTimestamp != nil && !currentEnded }

    /// Forgets history, e.g. when the remote SSRC changes.
    public mutating func reset() {
        currentTimestamp = nil
        currentEnded = false
    }
}
