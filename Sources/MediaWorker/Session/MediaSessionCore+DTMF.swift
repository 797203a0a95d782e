import MediaCore
import Wire

/// DTMF as RFC 4733 telephone events, both ways.
extension MediaSessionCore {
    /// Silence between two queued digits (RFC 4733 leaves it to the sender; 60 ms keeps receivers apart).
    static let dtmfGap: UInt64 = 60_000_000

    /// A received telephone-event payload: one `dtmf.received` per key press (the updates and the three end
    /// packets of the same event are not reported again).
    mutating func receiveTelephoneEvent(_ payload: UnsafeRawBufferPointer, timestamp: UInt32, into actions: inout MediaActions) {
        guard let digit = dtmfReceiver.receive(payload: payload, timestamp: timestamp) else { return }
        counters.dtmfReceived += 1
        actions.appendEvent(.dtmf(DTMFReceivedEvent(call: call, digit: String(digit.character), method: .rfc4733)))
    }

    /// Sends the RFC 4733 packets due at `now`, starting the next queued digit when the last one is over and the
    /// gap has passed; true when DTMF owns this tick (the audio frame is not sent).
    mutating func sendDTMFPackets(payloadType: UInt8, to remote: MediaAddress, now: UInt64, into actions: inout MediaActions) -> Bool {
        if dtmfSender.isIdle {
            guard !dtmfQueue.isEmpty, now >= dtmfGapUntil else { return false }
            let next = dtmfQueue.removeFirst()
            try? dtmfSender.begin(next.event, rtpTimestamp: packetizer.timestamp, now: now, durationMilliseconds: next.durationMs)
            counters.dtmfSent += 1
        }
        var sentAny = false
        while let packet = dtmfSender.nextPacket(now: now) {
            actions.appendPacket(.rtp, to: remote, capacity: RTPPacketizer.headerSize + TelephoneEvent.size) { out in
                packetizer.eventPacket(packet, payloadType: payloadType, into: out)
            }
            sentAny = true
        }
        if dtmfSender.isIdle { dtmfGapUntil = now + Self.dtmfGap }
        return sentAny || !dtmfSender.isIdle
    }
}
